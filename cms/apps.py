from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CmsConfig(AppConfig):
    """Wagtail pages that present the platform to the public."""

    name = "cms"
    verbose_name = _("Site pages")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers
