from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    """Double-entry ledger: accounts, transactions, entries (filled by the money issue)."""

    name = "commons_fund.ledger"
    label = "ledger"
    verbose_name = _("Ledger")
