"""Pledges: what a member promises to give each round."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from djmoney.models.fields import MoneyField

from .pools import MAX_AMOUNT, PoolMembership


class PledgeStatus(models.TextChoices):
    # In the context of "a pledge": French agrees them with "une promesse".
    ACTIVE = "active", pgettext_lazy("pledge", "Active")
    PAUSED = "paused", pgettext_lazy("pledge", "Paused")
    CANCELLED = "cancelled", pgettext_lazy("pledge", "Cancelled")
    FINISHED = "finished", pgettext_lazy("pledge", "Finished")


class Pledge(models.Model):
    """A promise of an amount per round, for a number of rounds or until cancelled. Nothing
    is charged until a round's beneficiary is known."""

    membership = models.ForeignKey(PoolMembership, on_delete=models.PROTECT, related_name="pledges")
    amount = MoneyField(
        _("amount per round"), max_digits=12, decimal_places=2, default_currency="EUR"
    )
    rounds_total = models.PositiveSmallIntegerField(
        _("number of rounds"),
        null=True,
        blank=True,
        help_text=_("Empty: until cancelled."),
    )
    rounds_committed = models.PositiveSmallIntegerField(_("rounds promised so far"), default=0)
    method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=[
            ("card", _("Card")),
            ("sepa_debit", _("SEPA Direct Debit")),
            ("transfer", _("Bank transfer")),
        ],
    )
    saved_method = models.ForeignKey(
        "payments.SavedPaymentMethod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PledgeStatus.choices, default=PledgeStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="pledges_pledge_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(method="transfer", saved_method__isnull=True)
                | Q(method__in=["card", "sepa_debit"], saved_method__isnull=False),
                name="pledges_pledge_method_matches",
            ),
            models.CheckConstraint(
                condition=Q(rounds_total__isnull=True) | Q(rounds_total__gte=1),
                name="pledges_pledge_rounds_total_positive",
            ),
            # One live pledge per member and pool: a change replaces the amount.
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(status__in=["active", "paused"]),
                name="pledges_pledge_one_live_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} – {self.amount}"
