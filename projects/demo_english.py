"""The demo commons' texts in English (used by `projects.demo`), by their French original:
names, summaries, steps' titles and deliverables, budget lines' labels."""

NB = "\u202f"

ENGLISH = {
    # Names (proper names stay as they are).
    "Cahier d’activités des tiers-lieux": "Third places' activity book",
    "Les Communs des tiers-lieux": "The third places' commons",
    "Commun de données Data Patch": "Data Patch data commons",
    "Services d’Ouvaton": "Ouvaton's services",
    "Bouquet normand": "Normandy bundle",
    # Summaries.
    "Le wiki où les tiers-lieux documentent leurs pratiques, en commun.": (
        "The wiki where third places document their practices, together."
    ),
    f"Logiciel libre de gestion des tiers-lieux{NB}: réservations, facturation, adhésions.": (
        "Free software to run third places: bookings, invoicing, memberships."
    ),
    "Un cahier d’activités pour ouvrir, animer et faire vivre un tiers-lieu.": (
        "An activity book to open, run and bring a third place to life."
    ),
    "Outils, méthodes et ressources partagés par les tiers-lieux.": (
        "Tools, methods and resources shared by third places."
    ),
    "Données ouvertes sur la rénovation énergétique des bâtiments, produites en R&D par "
    "une SCOP.": "Open data on the energy renovation of buildings, produced in R&D by a "
    "worker cooperative.",
    "Hébergement web, courriel et listes de diffusion, à prix coûtant, par une coopérative "
    "dont les clients sont sociétaires.": "Web hosting, email and mailing lists at cost, by "
    "a cooperative owned by its customers.",
    "Un smartphone reconditionné et libéré, synchronisé en CalDAV/CardDAV avec un serveur "
    "cloud, proposé par des prestataires locaux et promu par des associations normandes.": (
        "A refurbished, freed smartphone, synchronised over CalDAV/CardDAV with a cloud "
        "server, offered by local providers and promoted by Normandy associations."
    ),
    # Steps: titles and deliverables.
    "Refonte du wiki et migration des contenus": "Wiki redesign and content migration",
    "Nouvelle version du wiki, contenus migrés, guide de contribution.": (
        "New version of the wiki, content migrated, contribution guide."
    ),
    "Module de réservation des espaces": "Room booking module",
    "Réservation en ligne, facturation liée.": "Online booking, with its invoicing.",
    "Rédaction et mise en page": "Writing and layout",
    "Cahier imprimable et version web.": "Printable book and web version.",
    "Inventaire des communs existants": "Inventory of existing commons",
    "Cartographie publiée.": "Published map.",
    "Boîte à outils partagée": "Shared toolbox",
    "Outils documentés, hébergés et maintenus.": "Tools documented, hosted and maintained.",
    "Exploration et prototype": "Exploration and prototype",
    "Jeu de données pilote sur un quartier.": "Pilot dataset on one neighbourhood.",
    "Migration des listes de diffusion": "Mailing lists migration",
    "Listes migrées vers un logiciel libre maintenu.": (
        "Lists migrated to maintained free software."
    ),
    "Téléphone libéré": "Freed phone",
    "Procédure de flashage documentée, 20 téléphones pilotes.": (
        "Documented flashing procedure, 20 pilot phones."
    ),
    "Synchronisation et serveur cloud": "Synchronisation and cloud server",
    "Serveur CalDAV/CardDAV et fichiers, hébergé en Normandie.": (
        "CalDAV/CardDAV and file server, hosted in Normandy."
    ),
    # Budget lines.
    "Migration et développement": "Migration and development",
    "Animation de la communauté": "Community facilitation",
    "Hébergement et sauvegardes (2 ans)": "Hosting and backups (2 years)",
    "Traduction en anglais": "English translation",
    "Développement": "Development",
    "Coordination avec les tiers-lieux": "Coordination with third places",
    "Documentation utilisateur": "User documentation",
    "Rédaction": "Writing",
    "Ateliers de relecture": "Proofreading workshops",
    "Illustrations et mise en page": "Illustrations and layout",
    "Recherche et recensement": "Research and survey",
    "Animation du réseau": "Network facilitation",
    "Documentation et outillage": "Documentation and tooling",
    "Hébergement mutualisé": "Shared hosting",
    "Collecte et nettoyage des données": "Data collection and cleaning",
    "Ateliers avec les habitants": "Workshops with residents",
    "Accompagnement des sociétaires": "Support for members",
    "Procédure et tests de flashage": "Flashing procedure and tests",
    "Ateliers de découverte": "Discovery workshops",
    "Installation et intégration": "Installation and integration",
    "Coordination des prestataires": "Providers' coordination",
    "Serveur (1 an)": "Server (1 year)",
}
