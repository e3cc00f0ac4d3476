"""Charges (card, SEPA Direct Debit or bank transfer), their refunds and the transfers received."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from commons_fund.ledger.chart import CHART
from commons_fund.members.models import Organisation, User
from commons_fund.models import CausedBy

from .customers import MethodKind, SavedPaymentMethod, one_payer

# What a charge credits: an income, or "receivable" when it settles an amount already owed
# and booked as income (a reciprocity declaration).
CREDIT_PURPOSES = ["contributions", "donations", "reciprocity", "subsidies", "receivable"]


class ChargeStatus(models.TextChoices):
    PENDING = "pending", _("Pending")  # written, not yet sent to Stripe
    PROCESSING = "processing", _("Processing")  # SEPA debits take days
    REQUIRES_ACTION = "requires_action", _("Waiting for the payer's confirmation")
    AWAITING_TRANSFER = "awaiting_transfer", _("Waiting for the transfer")
    PARTIALLY_RECEIVED = "partially_received", _("Partly received")
    SUCCEEDED = "succeeded", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STATUSES = {ChargeStatus.SUCCEEDED, ChargeStatus.FAILED, ChargeStatus.CANCELLED}


class Charge(CausedBy):
    """Money asked of a payer for a structure's books: by card, SEPA debit or transfer.

    The row is written first (pending), then Stripe is called with an idempotency key derived
    from its id; webhooks and the API's answers move it forward, never back."""

    books = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges_received",
        verbose_name=_("received by"),
        help_text=_("The structure whose books receive the money (empty: the platform)."),
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges_paid",
        verbose_name=_("paying organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges_paid",
        verbose_name=_("paying person"),
    )
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    method = models.CharField(_("payment method"), max_length=20, choices=MethodKind.choices)
    saved_method = models.ForeignKey(
        SavedPaymentMethod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges",
        verbose_name=_("saved payment method"),
    )
    credit_purpose = models.CharField(
        _("recorded as"),
        max_length=32,
        choices=[(p, CHART[p].label) for p in CREDIT_PURPOSES],
    )
    description = models.CharField(_("description"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=ChargeStatus.choices, default=ChargeStatus.PENDING
    )
    stripe_payment_intent = models.CharField(
        _("Stripe PaymentIntent"), max_length=255, null=True, blank=True, unique=True
    )
    stripe_charge = models.CharField(_("Stripe charge"), max_length=255, blank=True)
    stripe_account = models.CharField(
        _("Stripe account"),
        max_length=255,
        blank=True,
        help_text=_("The connected account the payment is made on (empty: the platform's)."),
    )
    checkout_session = models.CharField(
        _("Stripe Checkout session"), max_length=255, null=True, blank=True, unique=True
    )
    client_secret = models.CharField(max_length=255, blank=True)
    failure_code = models.CharField(_("failure code"), max_length=100, blank=True)
    failure_message = models.CharField(_("reason of the failure"), max_length=500, blank=True)
    transfer_reference = models.CharField(
        _("transfer reference"), max_length=40, null=True, blank=True, unique=True
    )
    amount_received = models.BigIntegerField(_("received by transfer (minor units)"), default=0)
    fee = models.BigIntegerField(_("processing fee (minor units)"), default=0)
    refunded = models.BigIntegerField(_("refunded (minor units)"), default=0)
    # The day the money was paid (a card or debit confirmed, a transfer's last part received):
    # set exactly when the charge succeeds; the date on its receipt.
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    centre = models.ForeignKey(
        "ledger.CostCentre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges",
        verbose_name=_("cost centre"),
        help_text=_("When set, the money goes to these sub-accounts of the books."),
    )
    # A paid gift's receipt is emailed to its donor once (a task run twice sends no more).
    receipt_emailed_at = models.DateTimeField(
        _("receipt emailed"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=one_payer(), name="payments_charge_one_payer"),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_charge_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="succeeded", paid_on__isnull=False)
                | (~Q(status="succeeded") & Q(paid_on__isnull=True)),
                name="payments_charge_paid_on_when_succeeded",
            ),
            models.CheckConstraint(
                condition=Q(refunded__gte=0) & Q(refunded__lte=F("amount")),
                name="payments_charge_refund_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(fee__gte=0) & Q(amount_received__gte=0),
                name="payments_charge_fee_and_received_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(method__in=MethodKind.values), name="payments_charge_method_known"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ChargeStatus.values), name="payments_charge_status_known"
            ),
            models.CheckConstraint(
                condition=Q(credit_purpose__in=CREDIT_PURPOSES),
                name="payments_charge_credit_purpose_known",
            ),
            models.CheckConstraint(
                condition=(
                    Q(method=MethodKind.TRANSFER, transfer_reference__isnull=False)
                    | (~Q(method=MethodKind.TRANSFER) & Q(transfer_reference__isnull=True))
                ),
                name="payments_charge_reference_for_transfers_only",
            ),
        ]
        indexes = [models.Index(fields=["status", "method"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.description}"

    @property
    def payer(self) -> Organisation | User | None:
        return self.organisation or self.user

    @property
    def outstanding(self) -> int:
        """For a transfer: what is still to receive (negative when overpaid)."""
        return self.amount - self.amount_received


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, related_name="refunds", verbose_name=_("charge")
    )
    amount = models.BigIntegerField(_("amount (minor units)"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    stripe_id = models.CharField(max_length=255, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The one-use key of the form that asked for it (commons_fund.forms.OneUseKeyForm).
    request_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_refund_positive"),
            models.UniqueConstraint(
                fields=["charge", "request_key"],
                condition=~Q(request_key=""),
                name="payments_refund_once_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"Refund #{self.pk} of charge #{self.charge_id}"


class TransferReceipt(models.Model):
    """Money a treasurer saw arrive on the bank account for a transfer charge."""

    charge = models.ForeignKey(
        Charge, on_delete=models.PROTECT, related_name="receipts", verbose_name=_("charge")
    )
    amount = models.BigIntegerField(_("amount received (minor units)"))
    received_on = models.DateField(_("received on"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    # The one-use key of the form that recorded it (commons_fund.forms.OneUseKeyForm).
    request_key = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("transfer receipt")
        verbose_name_plural = _("transfer receipts")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_receipt_positive"),
            models.UniqueConstraint(
                fields=["charge", "request_key"],
                condition=~Q(request_key=""),
                name="payments_receipt_once_per_form",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.received_on} for charge #{self.charge_id}"
