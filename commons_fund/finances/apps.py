from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinancesConfig(AppConfig):
    """Yearly accounts of a structure and its health indicators."""

    name = "commons_fund.finances"
    label = "finances"
    verbose_name = _("Finances")
