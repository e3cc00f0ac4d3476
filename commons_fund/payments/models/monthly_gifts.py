"""Monthly gifts: a Stripe subscription on the host's account, each month paid as a charge."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MonthlyGiftStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the first payment")
    ACTIVE = "active", _("Every month")
    CANCELLED = "cancelled", _("Stopped")


class MonthlyGift(models.Model):
    """A person's promise to give the same sum every month, until they stop it. Stripe
    bills it (a subscription made on Checkout, on the host's own account); every month's
    paid invoice is a charge of its own, with its receipt and its ledger entries."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="monthly_gifts",
        verbose_name=_("donor"),
    )
    books = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monthly_gifts",
        verbose_name=_("received by"),
    )
    centre = models.ForeignKey(
        "ledger.CostCentre",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="monthly_gifts",
        verbose_name=_("cost centre"),
        help_text=_("A gift to a commons: these sub-accounts of its host's books."),
    )
    amount = models.BigIntegerField(_("amount each month (minor units)"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MonthlyGiftStatus.choices,
        default=MonthlyGiftStatus.PENDING,
    )
    stripe_account = models.CharField(_("Stripe account"), max_length=255, blank=True)
    checkout_session = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_subscription = models.CharField(
        _("Stripe subscription"), max_length=255, unique=True, null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("stopped on"), null=True, blank=True)

    class Meta:
        verbose_name = _("monthly gift")
        verbose_name_plural = _("monthly gifts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="payments_monthly_gift_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=MonthlyGiftStatus.values),
                name="payments_monthly_gift_status_known",
            ),
            models.CheckConstraint(
                condition=Q(status=MonthlyGiftStatus.CANCELLED, cancelled_at__isnull=False)
                | (~Q(status=MonthlyGiftStatus.CANCELLED) & Q(cancelled_at__isnull=True)),
                name="payments_monthly_gift_cancelled_at_when_stopped",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.amount} {self.currency}/month"
