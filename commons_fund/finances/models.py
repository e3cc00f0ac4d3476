from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from commons_fund.money import format_amount

AMOUNT = {"max_digits": 14, "decimal_places": 2, "default_currency": "EUR"}
OPTIONAL = {"null": True, "blank": True}
DEFAULT_NON_MEMBER_CAP = Decimal(20)
# Fields a row of yearly accounts holds, in the order of the form, the CSV and the API.
AMOUNT_FIELDS = [
    "share_capital",
    "nominal_share_value",
    "equity",
    "retained_earnings",
    "operating_revenue",
    "operating_expenses",
    "operating_result",
    "net_result",
    "non_member_revenue",
    "donations_made",
]


class FinancialYear(models.Model):
    """A structure's accounts for one closed year, as its annual report publishes them.

    The share fields are empty for structures without share capital (associations, towns);
    the net result is empty when only the operating result is known, and the indicators then
    read the operating result.
    """

    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.CASCADE,
        related_name="financial_years",
        verbose_name=_("organisation"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1900), MaxValueValidator(2100)]
    )
    share_capital = MoneyField(_("share capital"), **AMOUNT, **OPTIONAL)
    shares_count = models.PositiveIntegerField(_("number of shares"), **OPTIONAL)
    nominal_share_value = MoneyField(_("nominal value of a share"), **AMOUNT, **OPTIONAL)
    equity = MoneyField(_("equity (capitaux propres)"), **AMOUNT)
    retained_earnings = MoneyField(
        _("retained earnings (report à nouveau)"),
        **AMOUNT,
        help_text=_("Negative when losses of past years are carried forward."),
    )
    operating_revenue = MoneyField(_("operating revenue"), **AMOUNT)
    operating_expenses = MoneyField(_("operating expenses"), **AMOUNT)
    operating_result = MoneyField(
        _("operating result"), **AMOUNT, help_text=_("Negative for a loss.")
    )
    net_result = MoneyField(
        _("net result"),
        **AMOUNT,
        **OPTIONAL,
        help_text=_("Negative for a loss; leave empty if not known."),
    )
    non_member_revenue = MoneyField(_("revenue from non-members"), **AMOUNT, **OPTIONAL)
    non_member_cap = models.DecimalField(
        _("statutory cap on revenue from non-members (%)"),
        max_digits=5,
        decimal_places=2,
        default=DEFAULT_NON_MEMBER_CAP,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal(100))],
    )
    active_accounts = models.PositiveIntegerField(
        _("active accounts or members"),
        **OPTIONAL,
        help_text=_(
            "The people or structures the revenue comes from (customers' accounts, "
            "members paying a fee)."
        ),
    )
    donations_made = MoneyField(_("donations made"), **AMOUNT, **OPTIONAL)
    notes = models.TextField(_("notes"), max_length=3000, blank=True)
    illustrative = models.BooleanField(
        _("illustrative figures"),
        default=False,
        help_text=_("Modelled figures, not published accounts: the page says so."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("financial year")
        verbose_name_plural = _("financial years")
        ordering = ["organisation", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"],
                name="finances_year_once",
                violation_error_message=_("The accounts of this year are already entered."),
            ),
            models.CheckConstraint(
                condition=Q(share_capital__isnull=True) | Q(share_capital__gte=0),
                name="finances_share_capital_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(nominal_share_value__isnull=True) | Q(nominal_share_value__gt=0),
                name="finances_nominal_positive",
            ),
            models.CheckConstraint(
                condition=Q(operating_revenue__gte=0), name="finances_revenue_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(operating_expenses__gte=0), name="finances_expenses_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(non_member_revenue__isnull=True)
                | (
                    Q(non_member_revenue__gte=0) & Q(non_member_revenue__lte=F("operating_revenue"))
                ),
                name="finances_non_member_revenue_within_revenue",
            ),
            models.CheckConstraint(
                condition=Q(donations_made__isnull=True) | Q(donations_made__gte=0),
                name="finances_donations_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(non_member_cap__gt=0) & Q(non_member_cap__lte=100),
                name="finances_non_member_cap_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.year}"

    @property
    def result(self) -> Decimal:
        """The result the indicators read: the net result, else the operating result."""
        chosen = self.net_result if self.net_result is not None else self.operating_result
        return chosen.amount

    def amount_of(self, field: str) -> Decimal | None:
        value = getattr(self, field)
        return None if value is None else value.amount

    def clean(self) -> None:
        errors = {}
        if self.year and self.year > timezone.localdate().year:
            errors["year"] = gettext("Only a year that has started can have accounts.")
        currencies = {
            getattr(self, field).currency.code
            for field in AMOUNT_FIELDS
            if getattr(self, field) is not None
        }
        if len(currencies) > 1:
            errors["equity"] = gettext("All the amounts of a year are in one currency.")
        for field, label in [
            ("share_capital", _("The share capital")),
            ("operating_revenue", _("The revenue")),
            ("operating_expenses", _("The expenses")),
            ("non_member_revenue", _("The revenue from non-members")),
            ("donations_made", _("The donations")),
        ]:
            amount = self.amount_of(field)
            if amount is not None and amount < 0:
                errors[field] = gettext("%(what)s cannot be negative.") % {"what": label}
        nominal = self.amount_of("nominal_share_value")
        if nominal is not None and nominal <= 0:
            errors["nominal_share_value"] = gettext("A share is worth more than zero.")
        if (self.shares_count is None) != (nominal is None):
            field = "nominal_share_value" if nominal is None else "shares_count"
            errors.setdefault(
                field,
                gettext("Give both the number of shares and their nominal value, or neither."),
            )
        errors.update(self._result_errors())
        if errors:
            raise ValidationError(errors)

    def _result_errors(self) -> dict:
        revenue = self.amount_of("operating_revenue")
        expenses = self.amount_of("operating_expenses")
        errors = {}
        if revenue is None or expenses is None:
            return errors
        non_members = self.amount_of("non_member_revenue")
        if non_members is not None and non_members > revenue:
            errors["non_member_revenue"] = gettext(
                "The revenue from non-members is part of the revenue: it cannot exceed it."
            )
        result = self.amount_of("operating_result")
        difference = revenue - expenses
        if result is not None and (difference > 0 > result or difference < 0 < result):
            errors["operating_result"] = gettext(
                "Revenue minus expenses is %(difference)s: the operating result cannot have "
                "the opposite sign. Check the signs (a loss is negative)."
            ) % {"difference": format_amount(difference)}
        return errors

    def warnings(self) -> list[str]:
        """What does not forbid saving but deserves a second look."""
        found = []
        nominal = self.amount_of("nominal_share_value")
        capital = self.amount_of("share_capital")
        if self.shares_count is not None and nominal is not None and capital is not None:
            product = nominal * self.shares_count
            if abs(product - capital) > 1:
                found.append(
                    gettext(
                        "%(count)s shares × %(nominal)s = %(product)s, not the share capital "
                        "%(capital)s."
                    )
                    % {
                        "count": self.shares_count,
                        "nominal": format_amount(nominal),
                        "product": format_amount(product),
                        "capital": format_amount(capital),
                    }
                )
        difference = self.operating_revenue.amount - self.operating_expenses.amount
        if abs(difference - self.operating_result.amount) > 1:
            found.append(
                gettext(
                    "Revenue minus expenses is %(difference)s, the operating result %(result)s."
                )
                % {
                    "difference": format_amount(difference),
                    "result": format_amount(self.operating_result.amount),
                }
            )
        return found
