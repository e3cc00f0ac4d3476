"""Demo content of the site (used by `seed_demo`): the site tree in French — home, commons
index with a page per demo commons, the reciprocity wall, Ouvaton's open accounts, an about
page and questions and answers in plain words — and their English translations, the
commons' pages included. Seeding twice changes nothing."""

from wagtail.models import Locale, Page, Site

from commons_fund.members.models import Organisation
from commons_fund.translations import translated
from projects.models import Project

from .models import (
    CommonsIndexPage,
    CommonsPage,
    FaqPage,
    FinancesPage,
    HomePage,
    NavigationLink,
    ReciprocityWallPage,
    SiteSettings,
    StandardPage,
)

COMMONS = [
    "services-ouvaton",
    "bouquet-normand",
    "movilab",
    "dokos",
    "cahier-activites-tiers-lieux",
    "communs-des-tiers-lieux",
    "data-patch-commun-de-donnees",
]
BUNDLE_OFFER = (
    "offer",
    {
        "name": "Bouquet normand",
        "price": "9.90",
        "per": "month",
        "included": [
            "Un smartphone reconditionné et libéré, installé par un prestataire local",
            "Agenda et contacts synchronisés (CalDAV/CardDAV)",
            "Un espace cloud hébergé en Normandie",
        ],
    },
)
QUESTIONS = [
    (
        "Qu’est-ce qu’un fonds commun ?",
        "<p>Des membres — personnes, associations, coopératives — promettent une somme à chaque "
        "tour. Rien n’est prélevé tant que le bénéficiaire du tour n’est pas élu.</p>",
    ),
    (
        "Comment se déroule un tour ?",
        "<p>Les membres proposent des communs, puis votent. Une fois le vote clos, les promesses "
        "sont collectées et le pot est versé au commun élu. Chaque commun élu attend ensuite "
        "que les autres aient eu leur tour.</p>",
    ),
    (
        "Qu’est-ce que le jugement majoritaire ?",
        "<p>Chaque membre donne une mention à chaque commun, de « À rejeter » à « Excellent ». "
        "Le commun dont la mention médiane est la meilleure l’emporte. Les décomptes sont "
        "publiés : chacun peut refaire le calcul.</p>",
    ),
    (
        "Qu’est-ce que la réciprocité ?",
        "<p>Les entreprises qui tirent un revenu d’un commun en reversent une part convenue, "
        "par contrat. Elles apparaissent sur le mur de la réciprocité.</p>",
    ),
]
# The English translations of the main pages: title and the fields written in French.
ENGLISH = {
    "communs": {"title": "Commons", "intro": "The commons the members co-finance."},
    "mur-de-la-reciprocite": {
        "title": "Reciprocity wall",
        "intro": "<p>Who plays the game: the partners under contract and the revenue-share "
        "policies.</p>",
    },
    "comptes-ouvaton": {
        "title": "Ouvaton’s accounts",
        "intro": "<p>The accounts of the hosting cooperative, kept in double entry and "
        "published as they are.</p>",
    },
    "a-propos": {
        "title": "About",
        "intro": "Commons Fund helps cooperatives, associations, local authorities and "
        "citizens co-finance commons.",
        "body": [
            (
                "paragraph",
                "<p>Voted pledge pools, reciprocity and open accounts: every euro is in a "
                "public double-entry ledger.</p>",
            )
        ],
    },
    "questions": {
        "title": "Questions and answers",
        "intro": "Pledge pools, rounds, the vote and reciprocity in plain words.",
        "questions": [
            (
                "question",
                {
                    "question": "What is a pledge pool?",
                    "answer": "<p>Members promise a sum for each round. Nothing is collected "
                    "until the round’s beneficiary is elected.</p>",
                },
            ),
            (
                "question",
                {
                    "question": "How does a round go?",
                    "answer": "<p>Members nominate commons, then vote; the pot goes to the "
                    "elected commons, and only then are the promises collected.</p>",
                },
            ),
            (
                "question",
                {
                    "question": "What is majority judgment?",
                    "answer": "<p>Each member gives every commons a grade, from “Reject” to "
                    "“Excellent”. The commons with the best median grade wins. The tallies "
                    "are published: anyone can redo the count.</p>",
                },
            ),
            (
                "question",
                {
                    "question": "What is reciprocity?",
                    "answer": "<p>Companies that earn from a commons give back an agreed "
                    "share, by contract. They appear on the reciprocity wall.</p>",
                },
            ),
        ],
    },
}
BUNDLE_OFFER_ENGLISH = (
    "offer",
    {
        "name": "Normandy bundle",
        "price": "9.90",
        "per": "month",
        "included": [
            "A refurbished, freed smartphone, installed by a local provider",
            "Calendar and contacts synchronised (CalDAV/CardDAV)",
            "Cloud storage hosted in Normandy",
        ],
    },
)


def _child(parent, model, slug, **fields):
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is None:
        page = parent.add_child(instance=model(slug=slug, **fields))
        page.save_revision().publish()
    return page


def _home() -> HomePage:
    """The French home page the migrations made, or made again when the tables were emptied
    since (a test that flushes the database, a wiped development database)."""
    home = HomePage.objects.filter(locale__language_code="fr").first()
    if home is not None:
        return home
    french, _created = Locale.objects.get_or_create(language_code="fr")
    root = Page.get_first_root_node() or Page.add_root(
        instance=Page(title="Root", slug="root", locale=french)
    )
    home = root.add_child(
        instance=HomePage(
            title="Commons Fund",
            slug="accueil",
            locale=french,
            intro="Coopératives, associations, collectivités et citoyens financent ensemble "
            "les communs : pots communs votés, réciprocité, comptes ouverts.",
        )
    )
    site, _created = Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "root_page": home, "site_name": "Commons Fund"},
    )
    SiteSettings.objects.get_or_create(site=site)
    return home


def seed() -> None:
    home = _home()
    english, _created = Locale.objects.get_or_create(language_code="en")
    if not home.has_translation(english):
        translation = home.copy_for_translation(english)
        translation.title = "Commons Fund"
        translation.intro = (
            "Cooperatives, associations, local authorities and citizens finance commons "
            "together: voted pledge pools, reciprocity, open accounts."
        )
        translation.save_revision().publish()
    index = _child(
        home,
        CommonsIndexPage,
        "communs",
        title="Les communs",
        intro="Les communs que les membres cofinancent.",
    )
    for slug in COMMONS:
        project = Project.objects.filter(slug=slug).first()
        if project is None or CommonsPage.objects.filter(project=project).exists():
            continue
        body = [("paragraph", f"<p>{project.summary}</p>")]
        if slug == "bouquet-normand":
            body.append(BUNDLE_OFFER)
        _child(index, CommonsPage, slug, title=project.name, project=project, body=body)
    _child(
        home,
        ReciprocityWallPage,
        "mur-de-la-reciprocite",
        title="Mur de la réciprocité",
        intro="<p>Qui joue le jeu : les partenaires sous contrat et les politiques de "
        "partage du chiffre d’affaires.</p>",
    )
    _child(
        home,
        StandardPage,
        "a-propos",
        title="À propos",
        intro="Commons Fund aide les coopératives, associations, collectivités et "
        "citoyens à cofinancer des communs.",
        body=[
            (
                "paragraph",
                "<p>Fonds communs votés, réciprocité et comptes ouverts : "
                "chaque euro est dans une comptabilité en partie double, "
                "publique.</p>",
            )
        ],
    )
    _child(
        home,
        FinancesPage,
        "comptes-ouvaton",
        title="Les comptes d’Ouvaton",
        organisation=Organisation.objects.get(slug="ouvaton"),
        intro="<p>Les comptes de la coopérative d’hébergement, tenus en partie double et "
        "publiés tels quels.</p>",
    )
    _child(
        home,
        FaqPage,
        "questions",
        title="Questions fréquentes",
        intro="Les fonds communs, les tours, le vote et la réciprocité en clair.",
        questions=[
            ("question", {"question": question, "answer": answer}) for question, answer in QUESTIONS
        ],
    )
    for page in home.get_children().specific():
        if page.slug in ENGLISH and not page.has_translation(english):
            _translate(page, english, **ENGLISH[page.slug])
    for page in CommonsPage.objects.child_of(index).select_related("project"):
        if not page.has_translation(english):
            _translate_commons(page, english)
    _menu_link_to_the_accounts()


def _translate(page, english, **fields) -> None:
    translation = page.copy_for_translation(english)
    for name, value in fields.items():
        setattr(translation, name, value)
    translation.save_revision().publish()


def _translate_commons(page: CommonsPage, english) -> None:
    """The English page of a commons: its English name and summary (from the commons'
    translations), and the bundle's offer in English."""
    project = page.project
    body = [("paragraph", f"<p>{translated(project, 'summary', 'en')}</p>")]
    if project.slug == "bouquet-normand":
        body.append(BUNDLE_OFFER_ENGLISH)
    _translate(page, english, title=translated(project, "name", "en"), body=body)


# The main menu's link to a structure's open accounts (#22: the finances were in no menu).
MENU_ACCOUNTS = {"fr": "Comptes ouverts", "en": "Open accounts"}


def _menu_link_to_the_accounts() -> None:
    for page in FinancesPage.objects.filter(slug="comptes-ouvaton").select_related("locale"):
        code = page.locale.language_code
        NavigationLink.objects.get_or_create(
            locale=page.locale, page=page, defaults={"label": MENU_ACCOUNTS[code], "sort_order": 10}
        )
