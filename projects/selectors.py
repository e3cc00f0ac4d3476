"""Reads of commons projects: step budgets with their minimum and optimum costs and checks."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import F, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from commons_fund.members.models import User
from commons_fund.members.territories import (
    DEPARTMENT_CHOICES,
    REGION_CHOICES,
    REGION_OF_DEPARTMENT,
)
from commons_fund.money import format_amount, format_number, round_cents

from .licences import FREE_LICENCES
from .models import (
    BudgetLine,
    Contribution,
    FundingSource,
    LineKind,
    Project,
    ProjectKind,
    ProjectStatus,
    SourceKind,
    SourceStatus,
    Step,
)

HUNDRED = Decimal(100)


def line_amount(line: BudgetLine) -> Decimal:
    """The line's cost excluding VAT, to the cent."""
    if line.lump_sum is not None:
        return round_cents(line.lump_sum.amount)
    return round_cents(line.hours * line.hourly_rate.amount)


def with_vat(amount: Decimal, vat_rate: Decimal) -> Decimal:
    return round_cents(amount * (HUNDRED + vat_rate) / HUNDRED)


class Progress:
    """What is left to find, and whole percentages for progress bars drawn to the optimum
    cost (the minimum marked on them): received, and granted but not received yet."""

    @property
    def gap_to_minimum(self) -> Decimal:
        return max(self.minimum - self.granted, Decimal("0.00"))

    @property
    def gap_to_optimum(self) -> Decimal:
        return max(self.optimum - self.granted, Decimal("0.00"))

    @property
    def _scale(self) -> Decimal:
        return max(self.optimum, self.minimum)

    @property
    def received_share(self) -> int:
        return _share(self.received, self._scale)

    @property
    def granted_extra_share(self) -> int:
        return _share(self.granted, self._scale) - self.received_share

    @property
    def minimum_mark(self) -> int | None:
        """Where the minimum sits on the bar (None when it is the optimum, the bar's end)."""
        if not self.minimum or self.minimum >= self.optimum:
            return None
        return _share(self.minimum, self.optimum)


@dataclass
class StepBudget(Progress):
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
    pledged: Decimal = Decimal("0.00")  # elected by a pool round, not yet collected
    debt: Decimal = Decimal("0.00")  # contributive debt of the step's contributions
    warnings: list[str] = field(default_factory=list)

    @property
    def coordination_share(self) -> Decimal | None:
        """Coordination-animation as a percentage of development (None without development)."""
        if not self.development:
            return None
        return (self.coordination * HUNDRED / self.development).quantize(Decimal("0.1"))


def _share(part: Decimal, whole: Decimal) -> int:
    if not whole:
        return 100 if part else 0
    return min(int(part * HUNDRED / whole), 100)


def _check(budget: StepBudget) -> None:
    low, high = settings.PROJECT_COORDINATION_SHARE
    share = budget.coordination_share
    if share is not None and not low <= share <= high:
        budget.warnings.append(
            _(
                "Coordination and animation are %(share)s %% of development; %(low)s–%(high)s "
                "%% is expected."
            )
            % {"share": format_number(share), "low": low, "high": high}
        )
    rate_low, rate_high = settings.PROJECT_HOURLY_RATE
    for line in budget.lines:
        if line.hourly_rate is not None and not rate_low <= line.hourly_rate.amount <= rate_high:
            budget.warnings.append(
                _("“%(label)s”: an hourly rate of %(rate)s excl. VAT is outside %(low)s–%(high)s.")
                % {
                    "label": line.label,
                    "rate": format_amount(line.hourly_rate.amount),
                    "low": format_amount(rate_low),
                    "high": format_amount(rate_high),
                }
            )


@dataclass
class FundingTotals:
    """Funding of the commons as a whole (sources not tied to a step)."""

    granted: Decimal = Decimal("0.00")
    received: Decimal = Decimal("0.00")
    pledged: Decimal = Decimal("0.00")
    debt: Decimal = Decimal("0.00")


def _add_source(target, source: FundingSource) -> None:
    if source.status in (SourceStatus.GRANTED, SourceStatus.RECEIVED):
        target.granted += source.amount.amount
    if source.status == SourceStatus.RECEIVED:
        target.received += source.amount.amount
    elif source.status == SourceStatus.GRANTED and source.kind == SourceKind.POOL_ROUND:
        target.pledged += source.amount.amount


@dataclass
class Plan(Progress):
    """A commons' co-financing plan: its steps, the funding of the commons as a whole, what
    is owed to each contributor, and the totals."""

    steps: list[StepBudget]
    whole: FundingTotals
    debts: list["Debt"]
    sources: list[FundingSource]

    def _total(self, name: str) -> Decimal:
        return sum((getattr(b, name) for b in self.steps), Decimal("0.00"))

    @property
    def minimum(self) -> Decimal:
        return self._total("minimum")

    @property
    def optimum(self) -> Decimal:
        return self._total("optimum")

    @property
    def granted(self) -> Decimal:
        return self._total("granted") + self.whole.granted

    @property
    def received(self) -> Decimal:
        return self._total("received") + self.whole.received

    @property
    def pledged(self) -> Decimal:
        return self._total("pledged") + self.whole.pledged

    @property
    def debt(self) -> Decimal:
        return sum((row.debt for row in self.debts), Decimal("0.00"))


def project_plan(*, project: Project) -> Plan:
    """The co-financing plan: each step's minimum and optimum cost, what is granted, received
    and pledged through pools, the gaps and the contributive debt. Six queries whatever the
    number of steps, lines, sources and contributions."""
    budgets = project_budgets(project=project)
    by_step = {budget.step.pk: budget for budget in budgets}
    whole = FundingTotals()
    sources = list(FundingSource.objects.filter(project=project).order_by("id"))
    for source in sources:
        if source.step_id:
            source.step = by_step[source.step_id].step
        _add_source(by_step[source.step_id] if source.step_id else whole, source)
    debts = contributive_debts(project=project)
    _spread_debts(project, debts, by_step, whole)
    return Plan(steps=budgets, whole=whole, debts=debts, sources=sources)


def _spread_debts(project: Project, debts: list["Debt"], by_step: dict, whole) -> None:
    """What each contributor is owed, spread over the steps they worked on: a payment settles
    their earliest steps first (contributions to the commons as a whole come last)."""
    owed = {row.contributor.pk: row.paid for row in debts}
    given = (
        Contribution.objects.filter(project=project)
        .values("contributor", "step")
        .annotate(total=Sum("value"))
        .order_by("contributor", F("step__position").asc(nulls_last=True))
    )
    for row in given:
        total = round_cents(row["total"])
        settled = min(owed.get(row["contributor"], Decimal(0)), total)
        owed[row["contributor"]] = owed.get(row["contributor"], Decimal(0)) - settled
        target = by_step[row["step"]] if row["step"] else whole
        target.debt += total - settled


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
        project.contributions.values_list("contributor")
        .annotate(total=Sum("value"))
        .values_list("contributor", "total")
    )
    paid = dict(
        project.contributor_payments.values_list("contributor")
        .annotate(total=Sum("amount"))
        .values_list("contributor", "total")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=set(given) | set(paid))}
    rows = [
        Debt(
            contributor=users[pk],
            value=round_cents(given.get(pk) or 0),
            paid=round_cents(paid.get(pk) or 0),
            debt=round_cents((given.get(pk) or 0) - (paid.get(pk) or 0)),
        )
        for pk in users
    ]
    return sorted(rows, key=lambda row: (-row.debt, row.contributor.pk))


def territory_choices() -> list:
    """The territory filter's options: national, régions, départements."""
    return [
        ("national", _("National")),
        (_("Regions"), [(f"region:{code}", name) for code, name in REGION_CHOICES]),
        (_("Départements"), [(f"department:{code}", name) for code, name in DEPARTMENT_CHOICES]),
    ]


def parse_territory(value: str) -> tuple[str, str] | None:
    """ "national", "region:28" or "department:35" → (scope, code); None when unknown."""
    if value == "national":
        return ("national", "")
    scope, _sep, code = value.partition(":")
    if scope == "region" and code in dict(REGION_CHOICES):
        return (scope, code)
    if scope == "department" and code in REGION_OF_DEPARTMENT:
        return (scope, code)
    return None


def _has(field: str, code: str) -> Q:
    # The JSON text of a list of codes holds "28" (quotes included) when 28 is in it; this
    # lookup works the same on SQLite and PostgreSQL.
    return Q(**{f"{field}__icontains": f'"{code}"'})


def project_list(
    *,
    search: str = "",
    kind: str = "",
    status: str = "",
    licence: str = "",
    territory: tuple[str, str] | None = None,
) -> QuerySet[Project]:
    """Commons, filtered. A région shows the commons of the région and of its départements; a
    département shows its own and those of its région."""
    projects = Project.objects.select_related("host").order_by("name", "id")
    if search:
        projects = projects.filter(Q(name__icontains=search) | Q(summary__icontains=search))
    if kind:
        projects = projects.filter(kind=kind)
    if status:
        projects = projects.filter(status=status)
    if licence:
        projects = projects.filter(licence=licence)
    scope, code = territory or ("", "")
    if scope == "national":
        projects = projects.filter(regions=[], departments=[])
    elif scope == "region":
        departments = [d for d, region in REGION_OF_DEPARTMENT.items() if region == code]
        condition = _has("regions", code)
        for department in departments:
            condition |= _has("departments", department)
        projects = projects.filter(condition)
    elif scope == "department":
        projects = projects.filter(
            _has("departments", code) | _has("regions", REGION_OF_DEPARTMENT[code])
        )
    return projects


def list_filters(*, params) -> dict:
    """The commons-list filters read from a query string (unknown values ignored), with the
    choices the filter form offers; `projects` is the filtered queryset."""

    def known(name, values):
        return params.get(name) if params.get(name) in values else ""

    filters = {
        "search": params.get("q", "")[:100],
        "kind": known("kind", ProjectKind.values),
        "status": known("status", ProjectStatus.values),
        "licence": known("licence", FREE_LICENCES),
    }
    territory = params.get("territory", "")
    return {
        **filters,
        "territory": territory,
        "projects": project_list(territory=parse_territory(territory), **filters),
        "kinds": ProjectKind.choices,
        "statuses": ProjectStatus.choices,
        "licences": FREE_LICENCES.items(),
        "territories": territory_choices(),
    }


def pool_funding_received_total() -> Decimal:
    """Euros the commons have received from pool rounds (paid by bank or moved within their
    host's books)."""
    total = FundingSource.objects.filter(
        kind=SourceKind.POOL_ROUND, status=SourceStatus.RECEIVED
    ).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


def newest_projects(*, limit: int = 20) -> list[Project]:
    """The commons most recently added to the platform, newest first."""
    return list(Project.objects.select_related("host").order_by("-created_at", "-pk")[:limit])
