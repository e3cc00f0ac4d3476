"""Reads of commons projects: step budgets with their minimum and optimum costs and checks."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Sum
from django.utils.translation import gettext as _

from commons_fund.members.models import User
from commons_fund.money import round_cents

from .models import BudgetLine, FundingSource, LineKind, Project, SourceStatus, Step

HUNDRED = Decimal(100)


def line_amount(line: BudgetLine) -> Decimal:
    """The line's cost excluding VAT, to the cent."""
    if line.lump_sum is not None:
        return round_cents(line.lump_sum.amount)
    return round_cents(line.hours * line.hourly_rate.amount)


def with_vat(amount: Decimal, vat_rate: Decimal) -> Decimal:
    return round_cents(amount * (HUNDRED + vat_rate) / HUNDRED)


@dataclass
class StepBudget:
    step: Step
    lines: list[BudgetLine] = field(default_factory=list)
    minimum: Decimal = Decimal("0.00")  # required lines, excluding VAT
    optimum: Decimal = Decimal("0.00")  # all lines, excluding VAT
    minimum_incl_vat: Decimal = Decimal("0.00")
    optimum_incl_vat: Decimal = Decimal("0.00")
    development: Decimal = Decimal("0.00")
    coordination: Decimal = Decimal("0.00")
    granted: Decimal = Decimal("0.00")  # granted or already received
    received: Decimal = Decimal("0.00")
    warnings: list[str] = field(default_factory=list)

    @property
    def gap_to_minimum(self) -> Decimal:
        return max(self.minimum - self.granted, Decimal("0.00"))

    @property
    def gap_to_optimum(self) -> Decimal:
        return max(self.optimum - self.granted, Decimal("0.00"))

    @property
    def coordination_share(self) -> Decimal | None:
        """Coordination-animation as a percentage of development (None without development)."""
        if not self.development:
            return None
        return (self.coordination * HUNDRED / self.development).quantize(Decimal("0.1"))


def _check(budget: StepBudget) -> None:
    low, high = settings.PROJECT_COORDINATION_SHARE
    share = budget.coordination_share
    if share is not None and not low <= share <= high:
        budget.warnings.append(
            _("Coordination and animation are %(share)s %% of development; %(low)s–%(high)s "
              "%% is expected.") % {"share": share, "low": low, "high": high}
        )
    rate_low, rate_high = settings.PROJECT_HOURLY_RATE
    for line in budget.lines:
        if line.hourly_rate is not None and not rate_low <= line.hourly_rate.amount <= rate_high:
            budget.warnings.append(
                _("“%(label)s”: an hourly rate of %(rate)s € excl. VAT is outside "
                  "%(low)s–%(high)s €.")
                % {"label": line.label, "rate": line.hourly_rate.amount, "low": rate_low,
                   "high": rate_high}
            )


@dataclass
class FundingTotals:
    """Funding of the commons as a whole (sources not tied to a step)."""

    granted: Decimal = Decimal("0.00")
    received: Decimal = Decimal("0.00")


def _add_source(target, source: FundingSource) -> None:
    if source.status in (SourceStatus.GRANTED, SourceStatus.RECEIVED):
        target.granted += source.amount.amount
    if source.status == SourceStatus.RECEIVED:
        target.received += source.amount.amount


def project_plan(*, project: Project) -> tuple[list[StepBudget], FundingTotals]:
    """The co-financing plan: each step's budget with what is granted and received, and the
    funding of the commons as a whole. Three queries whatever the size."""
    budgets = project_budgets(project=project)
    by_step = {budget.step.pk: budget for budget in budgets}
    whole = FundingTotals()
    for source in FundingSource.objects.filter(project=project).order_by("id"):
        _add_source(by_step[source.step_id] if source.step_id else whole, source)
    return budgets, whole


def project_budgets(*, project: Project) -> list[StepBudget]:
    """Every step of a commons with its current budget: two queries whatever the size."""
    budgets = {step.pk: StepBudget(step=step) for step in project.steps.order_by("position")}
    lines = BudgetLine.objects.filter(
        step__project=project, revision=F("step__budget_revision")
    ).order_by("id")
    for line in lines:
        budget = budgets[line.step_id]
        budget.lines.append(line)
        amount = line_amount(line)
        budget.optimum += amount
        budget.optimum_incl_vat += with_vat(amount, line.vat_rate)
        if line.required:
            budget.minimum += amount
            budget.minimum_incl_vat += with_vat(amount, line.vat_rate)
        if line.kind == LineKind.DEVELOPMENT:
            budget.development += amount
        elif line.kind == LineKind.COORDINATION:
            budget.coordination += amount
    for budget in budgets.values():
        _check(budget)
    return list(budgets.values())


@dataclass(frozen=True)
class Debt:
    contributor: object
    value: Decimal  # of the time given
    paid: Decimal
    debt: Decimal  # still owed


def contributive_debts(*, project: Project) -> list[Debt]:
    """What is owed to each contributor of a commons (value given − paid), largest first:
    two aggregate queries whatever the number of contributions."""
    given = dict(
        project.contributions.values_list("contributor").annotate(total=Sum("value"))
        .values_list("contributor", "total")
    )
    paid = dict(
        project.contributor_payments.values_list("contributor").annotate(total=Sum("amount"))
        .values_list("contributor", "total")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=set(given) | set(paid))}
    rows = [
        Debt(contributor=users[pk], value=round_cents(given.get(pk) or 0),
             paid=round_cents(paid.get(pk) or 0),
             debt=round_cents((given.get(pk) or 0) - (paid.get(pk) or 0)))
        for pk in users
    ]
    return sorted(rows, key=lambda row: (-row.debt, row.contributor.pk))
