"""Demo content of the site (used by `seed_demo`): the English translation of the home page."""

from wagtail.models import Locale

from .models import HomePage


def seed() -> None:
    home = HomePage.objects.filter(locale__language_code="fr").first()
    if home is None:
        return
    english, _ = Locale.objects.get_or_create(language_code="en")
    if home.has_translation(english):
        return
    translation = home.copy_for_translation(english)
    translation.title = "Commons Fund"
    translation.intro = (
        "Cooperatives, associations, local authorities and citizens finance commons "
        "together: voted pledge pools, reciprocity, open accounts."
    )
    translation.save_revision().publish()
