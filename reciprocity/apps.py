from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReciprocityConfig(AppConfig):
    """Reciprocity contracts, revenue declarations and revenue-share policies."""

    name = "reciprocity"
    verbose_name = _("Reciprocity")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers
