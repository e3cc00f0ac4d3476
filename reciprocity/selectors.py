"""Reads of reciprocity: what a revenue-share policy gives, to whom."""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from commons_fund.finances.models import FinancialYear
from commons_fund.finances.selectors import previous_year_revenue
from commons_fund.members.models import Membership, Role
from commons_fund.members.territories import DEPARTMENT_CHOICES
from commons_fund.money import round_cents, split_by_weights

from .models import (
    ContractState,
    DeclarationStatus,
    ReciprocityContract,
    RevenueDeclaration,
    RevenueSharePolicy,
    SplitRule,
)
from .periods import period_of


@dataclass(frozen=True)
class PolicyAmounts:
    policy: RevenueSharePolicy
    base: Decimal | None  # the previous year's revenue; None while it is unknown
    total: Decimal | None
    shares: list[tuple[object, Decimal | None]]  # (beneficiary, amount)


def policy_amounts(
    *, policy: RevenueSharePolicy, revenues: dict[tuple[int, int], Decimal] | None = None
) -> PolicyAmounts:
    """percent × previous year's revenue, rounded half-up to the cent, shared equally or by
    weights so that the shares add up exactly to the total.

    The previous year's revenue is the one the treasurer entered, else the operating revenue
    of the organisation's yearly accounts for that year (`revenues`, by (organisation id,
    year), when the caller read them for many policies at once)."""
    beneficiaries = list(policy.beneficiaries.all())
    base = policy.base_revenue.amount if policy.base_revenue is not None else None
    if base is None and revenues is not None:
        base = revenues.get((policy.organisation_id, policy.year - 1))
    elif base is None:
        base = previous_year_revenue(organisation_id=policy.organisation_id, year=policy.year)
    if base is None:
        return PolicyAmounts(policy, None, None, [(b, None) for b in beneficiaries])
    total = round_cents(base * policy.percent / Decimal(100))
    weights = [b.weight if policy.split == SplitRule.WEIGHTS else 1 for b in beneficiaries]
    return PolicyAmounts(
        policy, base, total, list(zip(beneficiaries, split_by_weights(total, weights), strict=True))
    )


def contract_visible(*, contract, user) -> bool:
    """Who may see a contract and download its PDF: the partner's members, the hosting
    structure's administrators and treasurers, staff."""
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return Membership.objects.filter(
        Q(organisation=contract.partner_id)
        | Q(organisation=contract.project.host_id, role__in=[Role.ADMIN, Role.TREASURER]),
        user=user,
    ).exists()


@dataclass(frozen=True)
class Missing:
    contract: object
    period_start: date
    period_end: date
    days_late: int


def missing_declarations(*, today: date, host=None, partner=None) -> list[Missing]:
    """Periods of signed contracts that have ended without a current declaration, oldest
    first; for a hosting structure or a partner when given."""
    contracts = ReciprocityContract.objects.filter(
        state__in=[ContractState.SIGNED, ContractState.TERMINATED]
    ).select_related("partner", "project__host")
    if host is not None:
        contracts = contracts.filter(project__host=host)
    if partner is not None:
        contracts = contracts.filter(partner=partner)
    contracts = list(contracts)
    declared = set(
        RevenueDeclaration.objects.filter(contract__in=contracts)
        .exclude(status=DeclarationStatus.SUPERSEDED)
        .values_list("contract_id", "period_start")
    )
    missing = []
    for contract in contracts:
        start = date(contract.starts_on.year, contract.starts_on.month, 1)
        start = _period_floor(contract, start)
        while True:
            first, last = period_of(contract=contract, start=start)
            if last >= today or (contract.ends_on and first > contract.ends_on):
                break
            if (contract.pk, first) not in declared:
                missing.append(Missing(contract, first, last, (today - last).days))
            start = last + timedelta(days=1)
    return sorted(missing, key=lambda row: (row.period_end, row.contract.reference))


def _period_floor(contract, day: date) -> date:
    """The first day of the period that contains `day`."""
    months = {"monthly": 1, "quarterly": 3, "yearly": 12}[contract.period]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def certificate_years(*, partner) -> list[int]:
    """The years a partner has declarations for (by the end of their period), newest first:
    a certificate of each can be had."""
    return list(
        RevenueDeclaration.objects.filter(contract__partner=partner)
        .exclude(status=DeclarationStatus.SUPERSEDED)
        .values_list("period_end__year", flat=True)
        .distinct()
        .order_by("-period_end__year")
    )


GRACE_DAYS = 30  # a period may stay undeclared, or a declaration unpaid, this long


@dataclass
class WallRow:
    """A partner on the reciprocity wall."""

    partner: object
    commons: list = field(default_factory=list)  # commons it has a signed contract with
    given: dict = field(default_factory=dict)  # year → euros given back (shown amounts only)
    hides_amounts: bool = False
    late: bool = False

    @property
    def total(self) -> Decimal:
        return sum(self.given.values(), Decimal("0.00"))


def wall_contracts(*, today: date) -> QuerySet[ReciprocityContract]:
    """The contracts a partner plays the game under: signed, suspended, or ended but still
    in their notice."""
    return ReciprocityContract.objects.filter(
        Q(state__in=[ContractState.SIGNED, ContractState.SUSPENDED])
        | Q(state=ContractState.TERMINATED, ends_on__gte=today)
    )


def _late_partners(*, contracts, today: date, partner=None) -> set[int]:
    """The partners, among those of `contracts`, with a period undeclared or an amount
    unpaid for more than 30 days. The money of a period falls due when the period ends,
    however late it is declared."""
    unpaid = RevenueDeclaration.objects.filter(
        contract__in=contracts,
        status=DeclarationStatus.DUE,
        period_end__lt=today - timedelta(days=GRACE_DAYS),
    ).values_list("contract__partner_id", flat=True)
    return set(unpaid) | {
        row.contract.partner_id
        for row in missing_declarations(today=today, partner=partner)
        if row.days_late > GRACE_DAYS
    }


def partner_up_to_date(*, partner, today: date) -> bool | None:
    """Whether a partner plays the game as the wall says (its badge): None when it has no
    contract on the wall."""
    contracts = wall_contracts(today=today).filter(partner=partner)
    if not contracts.exists():
        return None
    return partner.pk not in _late_partners(contracts=contracts, today=today, partner=partner)


def one_percent_year(*, organisation, today: date) -> int | None:
    """The latest year, this one or the last, for which an organisation gives at least 1 %
    of its revenue to libre projects (its "1 % for the libre" badge); None when neither."""
    return (
        RevenueSharePolicy.objects.filter(
            organisation=organisation,
            year__gte=today.year - 1,
            year__lte=today.year,
            percent__gte=1,
        )
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )


def reciprocity_wall(*, today: date, project=None) -> list[WallRow]:
    """Partners with signed contracts (for one commons when given): what they gave back per
    year — unless they chose to show only their status — and whether they are up to date
    (no period undeclared, no amount unpaid, for more than 30 days)."""
    contracts = wall_contracts(today=today).select_related("partner", "project")
    if project is not None:
        contracts = contracts.filter(project=project)
    rows: dict[int, WallRow] = {}
    for contract in contracts.order_by("partner__name", "project__name"):
        row = rows.setdefault(contract.partner_id, WallRow(partner=contract.partner))
        row.commons.append(contract.project)
        row.hides_amounts = row.hides_amounts or not contract.show_amounts
    paid = (
        RevenueDeclaration.objects.filter(
            contract__in=contracts, status=DeclarationStatus.PAID, contract__show_amounts=True
        )
        .values_list("contract__partner_id", "period_end__year")
        .annotate(total=Sum("due"))
        .order_by()
    )
    for partner, year, total in paid:
        rows[partner].given[year] = round_cents(total)
    late = _late_partners(contracts=contracts, today=today)
    for partner, row in rows.items():
        row.late = partner in late
    return sorted(rows.values(), key=lambda row: (-row.total, row.partner.name))


def certified_providers(*, project) -> list[tuple[str, list]]:
    """Partners with a signed contract on a commons, by département (people look for a
    local provider); those without a département last."""
    names = dict(DEPARTMENT_CHOICES)
    partners = (
        ReciprocityContract.objects.filter(project=project, state=ContractState.SIGNED)
        .select_related("partner")
        .order_by("partner__department", "partner__name")
    )
    groups: dict[str, list] = {}
    for contract in partners:
        department = contract.partner.department
        groups.setdefault(names.get(department, ""), []).append(contract.partner)
    return sorted(groups.items(), key=lambda item: (item[0] == "", item[0]))


def policies_with_amounts(*, year: int | None = None) -> list[PolicyAmounts]:
    policies = (
        RevenueSharePolicy.objects.select_related("organisation")
        .prefetch_related("beneficiaries__organisation", "beneficiaries__project")
        .order_by("-year", "organisation__name")
    )
    if year is not None:
        policies = policies.filter(year=year)
    policies = list(policies)
    revenues = {
        (organisation, accounts_year): revenue
        for organisation, accounts_year, revenue in FinancialYear.objects.filter(
            organisation__in={policy.organisation_id for policy in policies}
        ).values_list("organisation_id", "year", "operating_revenue")
    }
    return [policy_amounts(policy=policy, revenues=revenues) for policy in policies]


def wall_context(*, today: date) -> dict:
    """What the wall shows (also on the site's reciprocity wall page)."""
    rows = reciprocity_wall(today=today)
    best = max((row.total for row in rows if not row.hides_amounts), default=0) or 1
    return {
        "rows": [(row, int(row.total * 100 / best)) for row in rows],
        "policies": policies_with_amounts(),
        "badge_since": today.year - 1,  # a policy of this year or the last earns its badge
    }


def given_back_total() -> Decimal:
    """Euros the partners have given back under their contracts (declarations paid)."""
    total = RevenueDeclaration.objects.filter(status=DeclarationStatus.PAID).aggregate(
        total=Sum("due")
    )["total"]
    return total or Decimal(0)


def newest_contracts(*, limit: int = 20) -> list[ReciprocityContract]:
    """The latest contracts signed, newest first: who joined the wall, for which commons."""
    return list(
        ReciprocityContract.objects.filter(signed_at__isnull=False)
        .exclude(state=ContractState.TERMINATED)
        .select_related("partner", "project")
        .order_by("-signed_at", "-pk")[:limit]
    )
