from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PledgesConfig(AppConfig):
    """Pledge pools, rounds, voting, collection and payout."""

    name = "pledges"
    verbose_name = _("Pledge pools")

    def ready(self) -> None:
        from . import receivers  # noqa: F401 - connects the signal receivers
