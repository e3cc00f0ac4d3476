"""Demo commons (used by `seed_demo`) with the figures known from the tiers-lieux and
libre world: Movilab, Dokos, the Cahier d'activités and Les Communs des tiers-lieux; plus
the fictional Data Patch data commons, Ouvaton's services and the Normandy bundle.

Steps and budget lines are illustrative; the funding amounts are the known ones. Seeding
twice changes nothing."""

from datetime import date

from django.utils import timezone

from commons_fund.members.models import Organisation, Role, User

from . import contributions, services
from .demo_english import ENGLISH
from .models import BudgetLine, Project, Step

# Each commons: host slug, fields, steps [(title, deliverables, status, lines)], sources
# [(kind, funder, amount, step position or None, outcome: applied/granted/received)],
# contributions [(email, step position, hours, rate, description)].
COMMONS = [
    {
        "host": "movilab",
        "slug": "movilab",
        "name": "Movilab",
        "kind": "documentation",
        "licence": "CC-BY-SA-4.0",
        "status": "active",
        "summary": "Le wiki où les tiers-lieux documentent leurs pratiques, en commun.",
        "website_url": "https://movilab.org/",
        "steps": [
            (
                "Refonte du wiki et migration des contenus",
                "Nouvelle version du wiki, contenus migrés, guide de contribution.",
                "funded",
                [
                    ("development", "Migration et développement", 400, "40", None, True),
                    ("coordination", "Animation de la communauté", 80, "40", None, True),
                    ("other", "Hébergement et sauvegardes (2 ans)", None, None, "2800", True),
                    ("other", "Traduction en anglais", None, None, "3000", False),
                ],
            ),
        ],
        "sources": [
            ("cofinancing", "Co-financement des tiers-lieux", "10000", 1, "received"),
            ("subsidy", "ADEME", "12000", 1, "received"),
        ],
        "contributions": [("alex@demo.test", 1, "6", "40", "Migration des fiches")],
    },
    {
        "host": "dokos",
        "slug": "dokos",
        "name": "Dokos",
        "kind": "software",
        "licence": "GPL-3.0-only",
        "status": "co_financing",
        "summary": "Logiciel libre de gestion des tiers-lieux : réservations, facturation, "
        "adhésions.",
        "website_url": "https://dokos.io/",
        "steps": [
            (
                "Module de réservation des espaces",
                "Réservation en ligne, facturation liée.",
                "open",
                [
                    ("development", "Développement", 200, "42", None, True),
                    ("coordination", "Coordination avec les tiers-lieux", 30, "42", None, True),
                    ("other", "Documentation utilisateur", None, None, "1200", False),
                ],
            ),
        ],
        "sources": [
            ("cofinancing", "Co-financement des tiers-lieux utilisateurs", "10000", 1, "granted")
        ],
        "contributions": [],
    },
    {
        "host": "movilab",
        "slug": "cahier-activites-tiers-lieux",
        "name": "Cahier d’activités des tiers-lieux",
        "kind": "third_place",
        "licence": "CC-BY-SA-4.0",
        "status": "co_financing",
        "summary": "Un cahier d’activités pour ouvrir, animer et faire vivre un tiers-lieu.",
        "steps": [
            (
                "Rédaction et mise en page",
                "Cahier imprimable et version web.",
                "open",
                [
                    ("development", "Rédaction", 250, "40", None, True),
                    ("coordination", "Ateliers de relecture", 40, "40", None, True),
                    ("other", "Illustrations et mise en page", None, None, "3400", True),
                ],
            ),
        ],
        "sources": [("cofinancing", "Réseau des tiers-lieux", "15000", 1, "granted")],
        "contributions": [],
    },
    {
        "host": "movilab",
        "slug": "communs-des-tiers-lieux",
        "name": "Les Communs des tiers-lieux",
        "kind": "third_place",
        "licence": "CC-BY-SA-4.0",
        "status": "active",
        "summary": "Outils, méthodes et ressources partagés par les tiers-lieux.",
        "steps": [
            (
                "Inventaire des communs existants",
                "Cartographie publiée.",
                "in_progress",
                [
                    ("development", "Recherche et recensement", 400, "40", None, True),
                    ("coordination", "Animation du réseau", 100, "40", None, True),
                ],
            ),
            (
                "Boîte à outils partagée",
                "Outils documentés, hébergés et maintenus.",
                "open",
                [
                    ("development", "Documentation et outillage", 500, "40", None, True),
                    ("coordination", "Coordination", 100, "40", None, True),
                    ("other", "Hébergement mutualisé", None, None, "6000", True),
                ],
            ),
        ],
        "sources": [
            ("cofinancing", "Co-financement des tiers-lieux", "20000", 2, "granted"),
            ("subsidy", "ANCT", "20000", 1, "received"),
            ("subsidy", "France Tiers-Lieux", "10000", 2, "applied"),
        ],
        "contributions": [("lou@demo.test", 1, "12", "35", "Entretiens avec 8 tiers-lieux")],
    },
    {
        "host": "data-patch",
        "slug": "data-patch-commun-de-donnees",
        "name": "Commun de données Data Patch",
        "kind": "data",
        "licence": "ODbL-1.0",
        "status": "exploring",
        "regions": ["53"],
        "summary": "Données ouvertes sur la rénovation énergétique des bâtiments, produites "
        "en R&D par une SCOP.",
        "steps": [
            (
                "Exploration et prototype",
                "Jeu de données pilote sur un quartier.",
                "open",
                [
                    ("development", "Collecte et nettoyage des données", 120, "40", None, True),
                    ("coordination", "Ateliers avec les habitants", 20, "40", None, True),
                ],
            ),
        ],
        "sources": [
            ("seed", "Budget d’exploration des acteurs", "2000", 1, "received"),
            ("subsidy", "ADEME", "30000", None, "applied"),
        ],
        "contributions": [
            ("alex@demo.test", 1, "7", "40", "Premier modèle de données"),
            ("camille@demo.test", 1, "3", "40", "Ateliers habitants"),
        ],
    },
    {
        "host": "ouvaton",
        "slug": "services-ouvaton",
        "name": "Services d’Ouvaton",
        "kind": "service",
        "licence": "AGPL-3.0-or-later",
        "status": "active",
        "summary": "Hébergement web, courriel et listes de diffusion, à prix coûtant, par une "
        "coopérative dont les clients sont sociétaires.",
        "website_url": "https://ouvaton.coop/",
        "steps": [
            (
                "Migration des listes de diffusion",
                "Listes migrées vers un logiciel libre maintenu.",
                "open",
                [
                    ("development", "Migration", 90, "38", None, True),
                    ("coordination", "Accompagnement des sociétaires", 15, "38", None, True),
                ],
            ),
        ],
        "sources": [("donation", "Dons des sociétaires", "1500", 1, "granted")],
        "contributions": [],
    },
    {
        "host": "normandie-libre",
        "slug": "bouquet-normand",
        "name": "Bouquet normand",
        "kind": "bundle",
        "licence": "GPL-3.0-or-later",
        "status": "co_financing",
        "regions": ["28"],
        "summary": "Un smartphone reconditionné et libéré, synchronisé en CalDAV/CardDAV "
        "avec un serveur cloud, proposé par des prestataires locaux et promu par "
        "des associations normandes.",
        "steps": [
            (
                "Téléphone libéré",
                "Procédure de flashage documentée, 20 téléphones pilotes.",
                "open",
                [
                    ("development", "Procédure et tests de flashage", 80, "40", None, True),
                    ("coordination", "Ateliers de découverte", 14, "40", None, True),
                ],
            ),
            (
                "Synchronisation et serveur cloud",
                "Serveur CalDAV/CardDAV et fichiers, hébergé en Normandie.",
                "draft",
                [
                    ("development", "Installation et intégration", 60, "40", None, True),
                    ("coordination", "Coordination des prestataires", 10, "40", None, True),
                    ("other", "Serveur (1 an)", None, None, "900", False),
                ],
            ),
        ],
        "sources": [("cofinancing", "Associations normandes", "1500", 1, "applied")],
        "contributions": [("dominique@demo.test", 1, "4", "40", "Atelier à Caen")],
    },
]


def _admin(host: Organisation) -> User:
    return host.memberships.filter(role=Role.ADMIN).order_by("id").first().user


def _treasurer(host: Organisation) -> User:
    membership = host.memberships.filter(role=Role.TREASURER).first()
    return membership.user if membership else _admin(host)


def _seed_one(spec: dict) -> None:
    host = Organisation.objects.get(slug=spec["host"])
    admin = _admin(host)
    fields = {key: spec[key] for key in ("slug", "website_url", "regions", "status") if key in spec}
    project = services.project_create(
        creator=admin,
        host=host,
        name=spec["name"],
        kind=spec["kind"],
        licence=spec["licence"],
        summary=spec["summary"],
        **fields,
    )
    steps = {}
    for position, (title, deliverables, status, lines) in enumerate(spec["steps"], start=1):
        step = services.step_create(
            project=project, actor=admin, title=title, deliverables=deliverables
        )
        for kind, label, hours, rate, lump_sum, required in lines:
            services.budget_line_add(
                step=step,
                actor=admin,
                kind=kind,
                label=label,
                hours=hours,
                hourly_rate=rate,
                lump_sum=lump_sum,
                required=required,
            )
        steps[position] = step
        path = {
            "draft": [],
            "open": ["open"],
            "funded": ["open", "funded"],
            "in_progress": ["open", "funded", "in_progress"],
        }[status]
        for move in path:
            step = services.step_set_status(step=step, actor=admin, status=move)
    for kind, funder, amount, position, outcome in spec["sources"]:
        source = services.funding_source_add(
            project=project,
            actor=admin,
            kind=kind,
            funder_name=funder,
            amount=amount,
            step=steps.get(position),
            applied_on=date(2026, 3, 2),
        )
        if outcome in ("granted", "received"):
            source = services.funding_source_decide(
                source=source, actor=admin, granted=True, decided_on=date(2026, 5, 4)
            )
        if outcome == "received":
            services.funding_source_receive(
                source=source, actor=_treasurer(host), received_on=date(2026, 6, 1)
            )
    for email, position, hours, rate, description in spec["contributions"]:
        contributions.contribution_log(
            project=project,
            actor=admin,
            contributor=User.objects.get(email=email),
            step=steps.get(position),
            day=timezone.localdate().replace(day=1),
            hours=hours,
            rate=rate,
            description=description,
        )


def _english(obj, *fields: str) -> None:
    """The English of `obj`'s texts that the glossary knows (demo data, written directly)."""
    texts = {
        field: ENGLISH[getattr(obj, field)] for field in fields if getattr(obj, field) in ENGLISH
    }
    if texts and obj.translations.get("en") != texts:
        type(obj).objects.filter(pk=obj.pk).update(translations={**obj.translations, "en": texts})


def seed() -> None:
    for spec in COMMONS:
        if not Project.objects.filter(slug=spec["slug"]).exists():
            _seed_one(spec)
    slugs = [spec["slug"] for spec in COMMONS]
    for project in Project.objects.filter(slug__in=slugs):
        _english(project, "name", "summary")
    for step in Step.objects.filter(project__slug__in=slugs):
        _english(step, "title", "deliverables")
    for line in BudgetLine.objects.filter(step__project__slug__in=slugs):
        _english(line, "label")
