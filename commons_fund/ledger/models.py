"""Double-entry ledger: accounts, transactions and their entries, in integer minor units.

The invariants (entries of a transaction balance per currency and phase, at least two entries,
sealed transactions and entries never change nor disappear, idempotency keys unique) are
checked by `services.ledger_post` and enforced by database triggers (see `triggers.py`).
"""

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from commons_fund.models import CausedBy
from commons_fund.money import from_minor_units

from .chart import CHART, DEBIT_NORMAL, PURPOSE_CHOICES, AccountType


def _chart_condition() -> models.Q:
    """purpose, code and type of an account are those of its line in the chart."""
    condition = models.Q(pk__in=[])
    for purpose, line in CHART.items():
        condition |= models.Q(purpose=purpose, code=line.code, type=line.type)
    return condition


class CostCentre(models.Model):
    """A part of one structure's books kept apart for what it serves — a commons it hosts, a
    pool it runs: its accounts are sub-accounts (the FEC's auxiliary accounts, `code` and
    `name`). The ledger does not know what a centre serves: `owner` is any model."""

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="cost_centres",
        verbose_name=_("organisation"),
    )
    owner_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    owner_id = models.CharField(max_length=64)
    owner = GenericForeignKey("owner_type", "owner_id")
    code = models.CharField(_("auxiliary account number"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        ordering = ["organisation_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "owner_type", "owner_id"],
                name="ledger_centre_one_per_owner_and_books",
            ),
            models.UniqueConstraint(
                fields=["organisation", "code"], name="ledger_centre_code_unique_in_books"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Account(models.Model):
    """An account of one structure's books, in one currency.

    `organisation` is the legal structure whose books hold the account (null: the platform);
    `centre`, when set, makes it a sub-account kept apart in those books (a commons has no
    legal body: its money is in its host's books; a host may run several pools).
    """

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
        verbose_name=_("organisation"),
    )
    centre = models.ForeignKey(
        CostCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
        verbose_name=_("cost centre"),
    )
    purpose = models.CharField(_("purpose"), max_length=32, choices=PURPOSE_CHOICES)
    code = models.CharField(_("PCG account number"), max_length=10)
    type = models.CharField(_("type"), max_length=10, choices=AccountType.choices)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        ordering = ["organisation_id", "code", "currency"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "purpose", "currency"],
                condition=models.Q(organisation__isnull=False, centre__isnull=True),
                name="ledger_account_unique_purpose",
            ),
            models.UniqueConstraint(
                fields=["centre", "purpose", "currency"],
                condition=models.Q(centre__isnull=False),
                name="ledger_centre_account_unique_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(centre__isnull=True) | models.Q(organisation__isnull=False),
                name="ledger_centre_account_in_an_organisations_books",
            ),
            models.UniqueConstraint(
                fields=["purpose", "currency"],
                condition=models.Q(organisation__isnull=True),
                name="ledger_platform_account_unique_purpose",
            ),
            models.CheckConstraint(
                condition=models.Q(type__in=AccountType.values), name="ledger_account_type_known"
            ),
            models.CheckConstraint(
                condition=_chart_condition(), name="ledger_account_follows_the_chart"
            ),
        ]

    def __str__(self) -> str:
        owner = self.organisation.name if self.organisation else "Commons Fund"
        if self.centre:
            owner = f"{owner} / {self.centre.name}"
        return f"{self.code} {CHART[self.purpose].label} – {owner} ({self.currency})"

    @property
    def is_debit_normal(self) -> bool:
        return self.type in DEBIT_NORMAL


class TransactionKind(models.TextChoices):
    PLEDGE_COMMITMENT = "pledge_commitment", _("Pledge commitment")
    PLEDGE_COLLECTION = "pledge_collection", _("Pledge collection")
    PLEDGE_VOID = "pledge_void", _("Pledge voided")
    PROCESSOR_FEE = "processor_fee", _("Processor fee")
    PAYOUT = "payout", _("Payout")
    REFUND = "refund", _("Refund")
    REVERSAL = "reversal", _("Reversal")
    RECIPROCITY_DUE = "reciprocity_due", _("Reciprocity due")
    RECIPROCITY_PAYMENT = "reciprocity_payment", _("Reciprocity payment")
    DONATION = "donation", _("Donation")
    SUBSIDY = "subsidy", _("Subsidy")
    MANUAL_ADJUSTMENT = "manual_adjustment", _("Manual adjustment")
    INTERNAL_TRANSFER = "internal_transfer", _("Internal transfer")


class Phase(models.TextChoices):
    """Two-phase amounts: a pending commitment is later resolved (collected or voided)."""

    PENDING = "pending", _("Pending")
    POSTED = "posted", _("Posted")


class Transaction(CausedBy):
    """A set of entries that balance; written unsealed, sealed once complete, then frozen."""

    kind = models.CharField(_("kind"), max_length=32, choices=TransactionKind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=200, unique=True)
    memo = models.CharField(_("memo"), max_length=300, blank=True)
    occurred_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )
    resolves = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resolved_by",
        verbose_name=_("resolves the pending transaction"),
    )
    is_sealed = models.BooleanField(_("sealed"), default=False)

    class Meta:
        verbose_name = _("ledger transaction")
        verbose_name_plural = _("ledger transactions")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=TransactionKind.values),
                name="ledger_transaction_kind_known",
            ),
            models.CheckConstraint(
                condition=~models.Q(idempotency_key=""),
                name="ledger_transaction_idempotency_key_not_empty",
            ),
        ]
        indexes = [
            models.Index(fields=["cause_type", "cause_id"]),
            # The few transactions being written (none once committed, on PostgreSQL): what
            # balances leave out, found without reading the sealed ones (selectors.py).
            models.Index(
                fields=["id"], condition=models.Q(is_sealed=False), name="ledger_txn_unsealed"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.memo}".strip()


class Entry(models.Model):
    """One line of a transaction: a signed amount (debit > 0, credit < 0) on one account."""

    transaction = models.ForeignKey(
        Transaction,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("transaction"),
    )
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("account"),
    )
    amount = models.BigIntegerField(_("amount (minor units, debit > 0)"))
    currency = models.CharField(_("currency"), max_length=3)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices)
    occurred_at = models.DateTimeField(_("date"))

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(amount=0), name="ledger_entry_amount_not_zero"
            ),
            models.CheckConstraint(
                condition=models.Q(phase__in=Phase.values), name="ledger_entry_phase_known"
            ),
        ]
        indexes = [models.Index(fields=["account", "phase", "occurred_at"])]

    def __str__(self) -> str:
        side = _("debit") if self.amount > 0 else _("credit")
        return f"{side} {from_minor_units(abs(self.amount), self.currency)} {self.currency}"


class AccountBalance(models.Model):
    """What an account's sealed entries sum to, pending and posted apart (debit > 0), kept by
    database triggers when a transaction is sealed (`balance_triggers.py`), so that a
    structure's books read one row per account instead of summing its whole history (#24).
    Never written by Django: no row means no entry yet. Balances at a past date are still
    sums of entries (`selectors.account_balance(at=…)`)."""

    account = models.OneToOneField(
        Account, on_delete=models.PROTECT, primary_key=True, related_name="balance"
    )
    pending = models.BigIntegerField(default=0)
    posted = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("account balance")
        verbose_name_plural = _("account balances")

    def __str__(self) -> str:
        return f"{self.account_id}: {self.posted} + {self.pending} pending"
