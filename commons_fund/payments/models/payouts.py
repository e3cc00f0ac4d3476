"""Bank accounts, payouts and the SEPA credit-transfer files that pay them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commons_fund.models import CausedBy


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
