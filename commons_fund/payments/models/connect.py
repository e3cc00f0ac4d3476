"""A host's own Stripe account, connected to the platform (Stripe Connect, Standard)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StripeAccount(models.Model):
    """The Standard connected account a host takes card and SEPA payments on: the money is
    the host's from the start and reaches its bank through Stripe's own payouts; the
    platform never holds it."""

    organisation = models.OneToOneField(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="stripe_account",
        verbose_name=_("organisation"),
    )
    stripe_id = models.CharField(_("Stripe account"), max_length=255, unique=True)
    charges_enabled = models.BooleanField(_("takes payments"), default=False)
    details_submitted = models.BooleanField(_("onboarding finished"), default=False)
    payouts_enabled = models.BooleanField(_("payouts to the bank"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("connected Stripe account")
        verbose_name_plural = _("connected Stripe accounts")

    def __str__(self) -> str:
        return self.stripe_id
