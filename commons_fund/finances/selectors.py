"""Reads about a structure's yearly accounts: who may see them, the figures of each year with
their indicators, and the plain-words summary at the top of the finances page."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commons_fund.members.models import Membership, Organisation, Role
from commons_fund.money import format_amount, format_percent

from . import indicators
from .charts import finance_charts
from .forms import RebateForm
from .models import FinancialYear
from .signals import giving_percents_asked

EDITOR_ROLES = (Role.ADMIN, Role.TREASURER)


def finances_member(*, organisation: Organisation, user) -> bool:
    """The organisation's members (any role) and staff."""
    return user.is_authenticated and (
        user.is_staff or Membership.objects.filter(organisation=organisation, user=user).exists()
    )


def finances_visible(*, organisation: Organisation, user) -> bool:
    """Published finances are public; hidden ones are for the organisation's members and
    staff."""
    return organisation.publish_finances or finances_member(organisation=organisation, user=user)


def finances_editable(*, organisation: Organisation, user) -> bool:
    """The organisation's administrators and treasurers (and staff) enter the accounts."""
    if not user.is_authenticated:
        return False
    return (
        user.is_staff
        or Membership.objects.filter(
            organisation=organisation, user=user, role__in=EDITOR_ROLES
        ).exists()
    )


@dataclass(frozen=True)
class YearFigures:
    """One year of accounts and what it says."""

    accounts: FinancialYear
    previous: FinancialYear | None
    donation_percent: Decimal
    donation_policy: bool  # True when the percentage comes from a revenue-share policy

    @property
    def year(self) -> int:
        return self.accounts.year

    @property
    def result(self) -> Decimal:
        return self.accounts.result

    @property
    def share_value(self) -> Decimal | None:
        a = self.accounts
        return indicators.share_value(
            nominal=a.amount_of("nominal_share_value"),
            equity=a.equity.amount,
            shares=a.shares_count,
        )

    @property
    def runway(self) -> Decimal | None:
        return indicators.runway_years(equity=self.accounts.equity.amount, result=self.result)

    @property
    def half_capital(self) -> indicators.HalfCapital | None:
        a = self.accounts
        return indicators.half_capital(
            share_capital=a.amount_of("share_capital"),
            retained_earnings=a.retained_earnings.amount,
            result=self.result,
        )

    @property
    def non_members(self) -> indicators.NonMemberShare | None:
        a = self.accounts
        return indicators.non_member_share(
            non_member_revenue=a.amount_of("non_member_revenue"),
            revenue=a.operating_revenue.amount,
            cap=a.non_member_cap,
        )

    @property
    def break_even(self) -> indicators.BreakEven | None:
        a = self.accounts
        return indicators.break_even_accounts(
            expenses=a.operating_expenses.amount,
            revenue=a.operating_revenue.amount,
            accounts=a.active_accounts,
        )

    @property
    def donation_due(self) -> Decimal | None:
        previous = self.previous.operating_revenue.amount if self.previous else None
        return indicators.donation_due(previous_revenue=previous, percent=self.donation_percent)

    @property
    def member_revenue(self) -> Decimal:
        """Revenue billed to members: what a co-operative rebate is shared in proportion to."""
        a = self.accounts
        return a.operating_revenue.amount - (a.amount_of("non_member_revenue") or 0)

    def rebate(self, part_percent: Decimal, billed=None) -> indicators.Rebate:
        """The rebate of this year's surplus, shared by the services billed to each member
        (all members together when they are not named)."""
        return indicators.rebate_split(
            surplus=self.result,
            part_percent=part_percent,
            billed=billed or [(_("All members"), self.member_revenue)],
        )


@dataclass(frozen=True)
class Overview:
    organisation: Organisation
    years: list[YearFigures] = field(default_factory=list)

    @property
    def latest(self) -> YearFigures | None:
        return self.years[-1] if self.years else None

    @property
    def positive_streak(self) -> int:
        """How many years in a row, up to the latest, closed with a positive result."""
        streak = 0
        for figures in reversed(self.years):
            if figures.result <= 0:
                break
            streak += 1
        return streak

    @property
    def has_illustrative(self) -> bool:
        return any(figures.accounts.illustrative for figures in self.years)


def finances_overview(*, organisation: Organisation) -> Overview:
    """Every year of the organisation's accounts, oldest first, with its indicators; two
    queries whatever the number of years."""
    accounts = list(FinancialYear.objects.filter(organisation=organisation).order_by("year"))
    policies: dict[int, Decimal] = {}
    for _receiver, percents in giving_percents_asked.send(
        sender=Organisation, organisation=organisation
    ):
        policies.update(percents)
    by_year = {a.year: a for a in accounts}
    return Overview(
        organisation,
        [
            YearFigures(
                a,
                by_year.get(a.year - 1),
                policies.get(a.year, indicators.DEFAULT_DONATION_PERCENT),
                a.year in policies,
            )
            for a in accounts
        ],
    )


def previous_year_revenue(*, organisation_id: int, year: int) -> Decimal | None:
    """The operating revenue of the year before `year`, when its accounts are entered."""
    accounts = FinancialYear.objects.filter(organisation_id=organisation_id, year=year - 1).first()
    return accounts.operating_revenue.amount if accounts else None


def _years(value: Decimal) -> str:
    return number_format(value, decimal_pos=1)


def finances_summary(*, overview: Overview) -> list[str]:
    """The state of the finances in a few sentences a member reads first."""
    latest = overview.latest
    if latest is None:
        return []
    sentences = [_result_sentence(overview)]
    half = latest.half_capital
    if half is not None and half.crossed:
        if half.years_to_close is not None:
            sentences.append(
                _(
                    "The retained losses exceed half the share capital by %(gap)s; at this pace "
                    "they fall under half the capital in about %(years)s years."
                )
                % {"gap": format_amount(half.gap), "years": _years(half.years_to_close)}
            )
        else:
            sentences.append(
                _(
                    "The retained losses exceed half the share capital by %(gap)s and the result "
                    "does not reduce them."
                )
                % {"gap": format_amount(half.gap)}
            )
    elif half is not None and half.losses > 0:
        sentences.append(
            _("The retained losses (%(losses)s) are under half the share capital (%(threshold)s).")
            % {"losses": format_amount(half.losses), "threshold": format_amount(half.threshold)}
        )
    value = latest.share_value
    if value is not None:
        sentences.append(
            _("A share of %(nominal)s is repaid %(value)s to a member who leaves.")
            % {
                "nominal": format_amount(latest.accounts.nominal_share_value.amount),
                "value": format_amount(value),
            }
        )
    non_members = latest.non_members
    if non_members is not None:
        template = (
            _("%(percent)s of the revenue comes from non-members, within the %(cap)s cap.")
            if non_members.within_cap
            else _("%(percent)s of the revenue comes from non-members, above the %(cap)s cap.")
        )
        sentences.append(
            template
            % {
                "percent": format_percent(non_members.percent),
                "cap": format_percent(non_members.cap),
            }
        )
    return sentences


def _result_sentence(overview: Overview) -> str:
    latest = overview.latest
    result = format_amount(latest.result)
    if latest.result > 0:
        streak = overview.positive_streak
        if streak == 1:
            return _("Result positive in %(year)s (%(result)s).") % {
                "year": latest.year,
                "result": result,
            }
        return ngettext(
            "Result positive for %(count)s year in a row (%(result)s in %(year)s).",
            "Result positive for %(count)s years in a row (%(result)s in %(year)s).",
            streak,
        ) % {"count": streak, "result": result, "year": latest.year}
    if latest.result == 0:
        return _("Result balanced in %(year)s.") % {"year": latest.year}
    return _(
        "Loss of %(loss)s in %(year)s: at this rate the equity would last about %(years)s years."
    ) % {"loss": format_amount(-latest.result), "year": latest.year, "years": _years(latest.runway)}


def overview_context(*, organisation: Organisation, params) -> dict:
    """What a finances page shows (also the site's `FinancesPage`): the years and their
    indicators, the summary, the charts and the public rebate simulation."""
    overview = finances_overview(organisation=organisation)
    context = {
        "overview": overview,
        "summary": finances_summary(overview=overview),
        "charts": finance_charts(overview=overview),
    }
    latest = overview.latest
    if latest is not None and latest.result > 0:
        form = RebateForm(params if "part" in params else None)
        part = form.cleaned_data["part"] if form.is_bound and form.is_valid() else Decimal(50)
        half = latest.half_capital
        context.update(
            rebate_form=form,
            rebate=latest.rebate(part),
            rebate_part=part,
            # Losses beyond half the capital: the surplus rebuilds equity before any rebate.
            rebate_warning=half if half is not None and half.crossed else None,
        )
    return context
