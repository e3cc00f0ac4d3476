from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    """Stripe and bank transfers; the only code that will import `stripe`."""

    name = "commons_fund.payments"
    label = "payments"
    verbose_name = _("Payments")
