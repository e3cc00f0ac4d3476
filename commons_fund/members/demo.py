"""Demo people and organisations from the platform's own world (used by `seed_demo`).

Real organisations get no SIREN or address here: the demo does not invent facts about
them. Data Patch (a SCOP building a data commons) and Numérique Bocage (a SCOP installing
the Normandy bundle) are fictional, with made-up SIRENs and addresses.
"""

from allauth.account.models import EmailAddress

from .models import LegalForm, Membership, Organisation, Role, User

DEMO_PASSWORD = "commons-demo-2026"  # noqa: S105 - printed by `make demo` on purpose

PEOPLE = [
    # email, first name, last name, staff
    ("admin@demo.test", "Ada", "Admin", True),
    ("camille@demo.test", "Camille", "Trésorière", False),
    ("alex@demo.test", "Alex", "Mainteneur", False),
    ("dominique@demo.test", "Dominique", "Normand", False),
    ("sacha@demo.test", "Sacha", "Partenaire", False),
    ("lou@demo.test", "Lou", "Communeuse", False),
]

ORGANISATIONS = [
    {
        "slug": "ouvaton",
        "name": "Ouvaton",
        "legal_form": LegalForm.COOP_SA,
        "region": "11",
        "department": "75",
        "founded_year": 2001,
        "website": "https://ouvaton.coop/",
        "description": "Coopérative d’hébergement : les clients en sont les sociétaires.",
    },
    {
        "slug": "octopuce",
        "name": "Octopuce",
        "legal_form": LegalForm.COMPANY,
        "region": "11",
        "department": "75",
        "website": "https://www.octopuce.fr/",
        "description": "SARL d’infogérance, partenaire de services gérés.",
    },
    {
        "slug": "normandie-libre",
        "name": "Normandie Libre",
        "legal_form": LegalForm.ASSOCIATION,
        "region": "28",
        "department": "76",
        "description": "Association de promotion du logiciel libre en Normandie.",
    },
    {
        "slug": "framasoft",
        "name": "Framasoft",
        "legal_form": LegalForm.ASSOCIATION,
        "region": "84",
        "department": "69",
        "website": "https://framasoft.org/",
        "description": "Association d’éducation populaire aux enjeux du numérique et des communs.",
    },
    {
        "slug": "la-quadrature-du-net",
        "name": "La Quadrature du Net",
        "legal_form": LegalForm.ASSOCIATION,
        "region": "11",
        "department": "75",
        "website": "https://www.laquadrature.net/",
        "description": "Association de défense des libertés fondamentales dans l’environnement "
        "numérique.",
    },
    {
        "slug": "debian-france",
        "name": "Debian France",
        "legal_form": LegalForm.ASSOCIATION,
        "region": "11",
        "department": "75",
        "website": "https://france.debian.net/",
        "description": "Association qui soutient le projet Debian en France.",
    },
    {
        "slug": "data-patch",
        "name": "Data Patch",
        "legal_form": LegalForm.SCOP,
        "siren": "914265368",
        "siret": "91426536800011",
        "region": "53",
        "department": "35",
        "street_address": "8 rue de la Donnée",
        "postal_code": "35000",
        "city": "Rennes",
        "representative_name": "Alex Mainteneur",
        "representative_title": "Gérant",
        "founded_year": 2022,
        "description": "SCOP (fictive) qui construit un commun de données ouvertes.",
    },
    {
        "slug": "numerique-bocage",
        "name": "Numérique Bocage",
        "legal_form": LegalForm.SCOP,
        "siren": "901234567",
        "region": "28",
        "department": "14",
        "founded_year": 2021,
        "street_address": "3 place du Marché",
        "postal_code": "14500",
        "city": "Vire",
        "representative_name": "Sacha Partenaire",
        "representative_title": "Gérant",
        "description": "SCOP (fictive) qui installe le bouquet normand chez les habitants.",
    },
    {
        "slug": "movilab",
        "name": "Movilab",
        "legal_form": LegalForm.ASSOCIATION,
        "website": "https://movilab.org/",
        "description": "Wiki et communauté de documentation des tiers-lieux.",
    },
    {
        "slug": "dokos",
        "name": "Dokos",
        "legal_form": LegalForm.COMPANY,
        "website": "https://dokos.io/",
        "description": "Logiciel libre de gestion pour les tiers-lieux.",
    },
]

# The organisations' descriptions in English (their translations).
ENGLISH = {
    "ouvaton": "Hosting cooperative: its customers are its members.",
    "octopuce": "Managed-services company, a partner for hosted services.",
    "normandie-libre": "Association promoting free software in Normandy.",
    "framasoft": "Popular-education association on digital issues and the commons.",
    "la-quadrature-du-net": "Association defending fundamental freedoms in the digital world.",
    "debian-france": "Association supporting the Debian project in France.",
    "data-patch": "A (fictional) worker cooperative building an open data commons.",
    "numerique-bocage": "A (fictional) worker cooperative installing the Normandy bundle in "
    "people's homes.",
    "movilab": "Wiki and community documenting third places.",
    "dokos": "Free software to run third places.",
}

MEMBERSHIPS = [
    ("camille@demo.test", "ouvaton", Role.TREASURER),
    ("admin@demo.test", "ouvaton", Role.ADMIN),
    ("sacha@demo.test", "octopuce", Role.ADMIN),
    ("sacha@demo.test", "numerique-bocage", Role.ADMIN),
    ("dominique@demo.test", "normandie-libre", Role.ADMIN),
    ("lou@demo.test", "normandie-libre", Role.MEMBER),
    ("alex@demo.test", "data-patch", Role.ADMIN),
    ("camille@demo.test", "data-patch", Role.TREASURER),
    ("lou@demo.test", "framasoft", Role.MEMBER),
    ("admin@demo.test", "framasoft", Role.ADMIN),
    ("admin@demo.test", "la-quadrature-du-net", Role.ADMIN),
    ("admin@demo.test", "debian-france", Role.ADMIN),
    ("admin@demo.test", "movilab", Role.ADMIN),
    ("admin@demo.test", "dokos", Role.ADMIN),
]


def seed() -> list[str]:
    """Create what is missing, change nothing that exists; return the demo logins."""
    users = {}
    for email, first_name, last_name, staff in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email=email,
                password=DEMO_PASSWORD,
                first_name=first_name,
                last_name=last_name,
                is_staff=staff,
                is_superuser=staff,
            )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        users[email] = user
    organisations = {}
    for fields in ORGANISATIONS:
        fields = dict(fields)
        slug = fields.pop("slug")
        fields["translations"] = {"en": {"description": ENGLISH[slug]}}
        organisations[slug], _ = Organisation.objects.get_or_create(slug=slug, defaults=fields)
    for email, slug, role in MEMBERSHIPS:
        Membership.objects.get_or_create(
            user=users[email], organisation=organisations[slug], defaults={"role": role}
        )
    return [
        f"{email} / {DEMO_PASSWORD}" + (" (staff: /cms/ and /django-admin/)" if staff else "")
        for email, _first, _last, staff in PEOPLE
    ]
