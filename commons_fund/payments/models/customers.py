"""Stripe customers and the cards and SEPA mandates saved for them."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def one_payer() -> Q:
    return Q(organisation__isnull=False, user__isnull=True) | Q(
        organisation__isnull=True, user__isnull=False
    )


class Customer(models.Model):
    """The Stripe customer of an organisation or of a person, on one Stripe account: a
    payer has one on each host's connected account it pays by card or debit."""

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_customers",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_customers",
        verbose_name=_("person"),
    )
    stripe_id = models.CharField(_("Stripe customer"), max_length=255, unique=True)
    stripe_account = models.CharField(
        _("Stripe account"),
        max_length=255,
        blank=True,
        help_text=_("The connected account the customer lives on (empty: the platform's)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment customer")
        verbose_name_plural = _("payment customers")
        constraints = [
            models.CheckConstraint(condition=one_payer(), name="payments_customer_one_payer"),
            models.UniqueConstraint(
                fields=["organisation", "stripe_account"],
                condition=Q(organisation__isnull=False),
                name="payments_customer_one_per_organisation_and_account",
            ),
            models.UniqueConstraint(
                fields=["user", "stripe_account"],
                condition=Q(user__isnull=False),
                name="payments_customer_one_per_person_and_account",
            ),
        ]

    def __str__(self) -> str:
        return str(self.organisation or self.user)


class MethodKind(models.TextChoices):
    CARD = "card", _("Card")
    SEPA_DEBIT = "sepa_debit", _("SEPA Direct Debit")
    TRANSFER = "transfer", _("Bank transfer")


class SavedPaymentMethod(models.Model):  # type: ignore[django-manager-missing]
    """A card or SEPA mandate saved with a SetupIntent, charged later off-session."""

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="methods", verbose_name=_("customer")
    )
    stripe_id = models.CharField(_("Stripe payment method"), max_length=255, unique=True)
    kind = models.CharField(
        _("kind"),
        max_length=20,
        choices=[
            (MethodKind.CARD, MethodKind.CARD.label),
            (MethodKind.SEPA_DEBIT, MethodKind.SEPA_DEBIT.label),
        ],
    )
    label = models.CharField(_("label"), max_length=100)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("False until the holder has confirmed the card with the bank."),
    )
    setup_intent = models.CharField(_("Stripe SetupIntent"), max_length=255, blank=True)
    setup_client_secret = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("saved"), auto_now_add=True)
    # Removed by its holder: detached at Stripe, never charged again; the row stays for the
    # charges it paid.
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    # SEPA mandates: the unique mandate reference (RUM) given on the mandate and the debit
    # notices, and what the holder accepted (name, IBAN's last digits, when, from where).
    mandate_reference = models.CharField(
        _("mandate reference (RUM)"), max_length=35, null=True, blank=True, unique=True
    )
    mandate_holder = models.CharField(_("account holder"), max_length=70, blank=True)
    mandate_accepted_at = models.DateTimeField(_("mandate accepted"), null=True, blank=True)
    mandate_ip = models.GenericIPAddressField(_("accepted from"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved payment method")
        verbose_name_plural = _("saved payment methods")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=[MethodKind.CARD, MethodKind.SEPA_DEBIT]),
                name="payments_method_kind_known",
            ),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | Q(active=False),
                name="payments_method_removed_inactive",
            ),
            models.CheckConstraint(
                condition=Q(kind=MethodKind.CARD, mandate_reference__isnull=True)
                | Q(kind=MethodKind.SEPA_DEBIT),
                name="payments_method_mandate_for_sepa_only",
            ),
        ]

    def __str__(self) -> str:
        return self.label
