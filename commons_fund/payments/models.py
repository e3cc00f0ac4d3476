"""Payments: Stripe customers and saved payment methods, charges (card, SEPA Direct Debit or
bank transfer), refunds, transfer receipts and the webhook events received from Stripe."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commons_fund.ledger.chart import CHART
from commons_fund.members.models import Organisation, User
from commons_fund.models import CausedBy

# What a charge credits: an income, or "receivable" when it settles an amount already owed
# and booked as income (a reciprocity declaration).
INCOME_PURPOSES = ["contributions", "donations", "reciprocity", "subsidies", "receivable"]


def _one_payer() -> Q:
    return Q(organisation__isnull=False, user__isnull=True) | Q(
        organisation__isnull=True, user__isnull=False
    )


class Customer(models.Model):
    """The Stripe customer of an organisation or of a person."""

    organisation = models.OneToOneField(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_customer",
        verbose_name=_("organisation"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_customer",
        verbose_name=_("person"),
    )
    stripe_id = models.CharField(_("Stripe customer"), max_length=255, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment customer")
        verbose_name_plural = _("payment customers")
        constraints = [
            models.CheckConstraint(condition=_one_payer(), name="payments_customer_one_payer"),
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
    income_purpose = models.CharField(
        _("recorded as"),
        max_length=32,
        choices=[(p, CHART[p].label) for p in INCOME_PURPOSES],
    )
    description = models.CharField(_("description"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=ChargeStatus.choices, default=ChargeStatus.PENDING
    )
    stripe_payment_intent = models.CharField(
        _("Stripe PaymentIntent"), max_length=255, null=True, blank=True, unique=True
    )
    stripe_charge = models.CharField(_("Stripe charge"), max_length=255, blank=True)
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
    commitment = models.OneToOneField(
        "ledger.Transaction",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charge",
        verbose_name=_("pending commitment it collects"),
    )
    centre = models.ForeignKey(
        "ledger.CostCentre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="charges",
        verbose_name=_("cost centre"),
        help_text=_("When set, the money goes to these sub-accounts of the books."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("charge")
        verbose_name_plural = _("charges")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=_one_payer(), name="payments_charge_one_payer"),
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
                condition=Q(income_purpose__in=INCOME_PURPOSES),
                name="payments_charge_income_purpose_known",
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


class EventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    HANDLED = "handled", _("Handled")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class WebhookEvent(models.Model):
    """A Stripe event, stored once (unique on Stripe's id) with how it was handled."""

    stripe_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    created = models.BigIntegerField(help_text="Stripe's timestamp of the event")
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    deliveries = models.PositiveIntegerField(default=1)
    received_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_id}"


class BankAccount(models.Model):
    """The account an organisation is paid on, and pays from in SEPA transfer files."""

    organisation = models.OneToOneField(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="bank_account",
        verbose_name=_("organisation"),
    )
    holder_name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # A changed IBAN receives payouts only after a hold (or another administrator's
    # confirmation): a stolen session cannot divert the next payout at once.
    usable_from = models.DateTimeField(_("payouts allowed from"), default=timezone.now)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")

    def __str__(self) -> str:
        return f"{self.holder_name} •••• {self.iban[-4:]}"


class BankAccountChange(models.Model):
    """Every account an organisation gave, kept for good: who gave it, when, and who
    confirmed it when it replaced another."""

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="bank_account_changes",
        verbose_name=_("organisation"),
    )
    holder_name = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11)
    replaced_iban = models.CharField(_("IBAN replaced"), max_length=34, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)

    class Meta:
        verbose_name = _("bank account change")
        verbose_name_plural = _("bank account changes")
        ordering = ["-changed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(confirmed_by=F("changed_by")),
                name="payments_bank_change_confirmed_by_another",
            ),
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True, confirmed_at__isnull=True)
                | Q(confirmed_by__isnull=False, confirmed_at__isnull=False),
                name="payments_bank_change_confirmation_whole",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} •••• {self.iban[-4:]} ({self.changed_at:%Y-%m-%d})"


class PayoutStatus(models.TextChoices):
    PENDING = "pending", _("To pay")
    EXPORTED = "exported", _("In a transfer file")
    PAID = "paid", _("Paid")
    CANCELLED = "cancelled", _("Cancelled")


class PayoutBatch(models.Model):
    """A SEPA credit-transfer file (pain.001) a treasurer gives to the bank."""

    books = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="payout_batches",
        verbose_name=_("paying organisation"),
    )
    message_id = models.CharField(max_length=35, unique=True)
    execution_date = models.DateField(_("execution date"))
    total = models.BigIntegerField(_("total (minor units)"))
    xml = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)

    class Meta:
        verbose_name = _("transfer file")
        verbose_name_plural = _("transfer files")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.message_id


class Payout(CausedBy):
    """Money a structure pays to a beneficiary organisation (a pot's winner, a grant)."""

    books = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="payouts_made",
        verbose_name=_("paying organisation"),
    )
    beneficiary = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="payouts_received",
        verbose_name=_("beneficiary"),
    )
    amount = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    description = models.CharField(_("description"), max_length=140)
    status = models.CharField(
        _("status"), max_length=20, choices=PayoutStatus.choices, default=PayoutStatus.PENDING
    )
    batch = models.ForeignKey(
        PayoutBatch,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payouts",
        verbose_name=_("transfer file"),
    )
    centre = models.ForeignKey(
        "ledger.CostCentre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payouts",
        verbose_name=_("cost centre"),
        help_text=_("When set, the money leaves these sub-accounts of the books."),
    )
    iban = models.CharField(_("IBAN paid to"), max_length=34, blank=True)
    bic = models.CharField(_("BIC paid to"), max_length=11, blank=True)
    holder_name = models.CharField(_("holder paid to"), max_length=70, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the platform prepared it (a pool round)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_payout_positive"),
            models.CheckConstraint(
                condition=Q(status__in=PayoutStatus.values), name="payments_payout_status_known"
            ),
            models.CheckConstraint(
                condition=Q(status=PayoutStatus.PENDING)
                | Q(status=PayoutStatus.CANCELLED)
                | Q(batch__isnull=False),
                name="payments_payout_exported_in_a_batch",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} – {self.description}"


class TaxReceiptBasis(models.TextChoices):
    """Why gifts to the organisation open a tax reduction (the box ticked on CERFA 11580)."""

    PUBLIC_UTILITY = "public_utility", _("Association or foundation recognised of public utility")
    GENERAL_INTEREST = "general_interest", _("Charity or organisation of general interest")
    ENDOWMENT_FUND = "endowment_fund", _("Endowment fund")
    OTHER = "other", _("Other organisation named in articles 200 and 238 bis of the CGI")


# Legal forms that may issue tax receipts at all.
TAX_RECEIPT_LEGAL_FORMS = ("association", "foundation", "endowment_fund")


class TaxReceiptPolicy(models.Model):
    """An organisation's statement that gifts to it open a tax reduction (articles 200 and
    238 bis of the CGI), with its reason or rescrit: from it, the platform issues its yearly
    tax receipts (reçus fiscaux, CERFA 11580)."""

    organisation = models.OneToOneField(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="tax_receipt_policy",
        verbose_name=_("organisation"),
    )
    basis = models.CharField(_("eligible as"), max_length=30, choices=TaxReceiptBasis.choices)
    reason = models.CharField(
        _("rescrit or reason"),
        max_length=300,
        help_text=_("The rescrit fiscal's reference and date, or why the gifts are eligible."),
    )
    purpose = models.CharField(
        _("object of the organisation"), max_length=300, help_text=_("As in its statutes.")
    )
    signatory_name = models.CharField(_("signed by"), max_length=120)
    signatory_title = models.CharField(_("as"), max_length=120)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("tax receipt policy")
        verbose_name_plural = _("tax receipt policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(basis__in=TaxReceiptBasis.values),
                name="payments_tax_policy_basis_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_basis_display()})"


class TaxReceipt(models.Model):
    """A yearly tax receipt for the gifts of one donor to one organisation: numbered without
    gaps per organisation and year, its PDF kept as issued (never changed, never deleted)."""

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="tax_receipts_issued",
        verbose_name=_("issued by"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    donor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tax_receipts",
        verbose_name=_("donor (person)"),
    )
    donor_organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tax_receipts",
        verbose_name=_("donor (organisation)"),
    )
    amount = models.BigIntegerField(_("amount (minor units)"))
    charges = models.ManyToManyField(Charge, related_name="tax_receipts", verbose_name=_("gifts"))
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("tax receipt")
        verbose_name_plural = _("tax receipts")
        ordering = ["organisation", "year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year", "number"], name="payments_tax_receipt_number_once"
            ),
            models.UniqueConstraint(
                fields=["organisation", "year", "donor_user"],
                condition=Q(donor_user__isnull=False),
                name="payments_tax_receipt_one_per_person",
            ),
            models.UniqueConstraint(
                fields=["organisation", "year", "donor_organisation"],
                condition=Q(donor_organisation__isnull=False),
                name="payments_tax_receipt_one_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(donor_user__isnull=False, donor_organisation__isnull=True)
                | Q(donor_user__isnull=True, donor_organisation__isnull=False),
                name="payments_tax_receipt_one_donor",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payments_tax_receipt_positive"),
            models.CheckConstraint(condition=Q(number__gte=1), name="payments_tax_receipt_from_1"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        return f"{self.year}-{self.number:05d}"

    @property
    def donor(self) -> models.Model | None:
        return self.donor_user or self.donor_organisation
