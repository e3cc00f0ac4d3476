"""Reads of reciprocity: what a revenue-share policy gives, to whom."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from commons_fund.members.models import Membership, Role
from commons_fund.money import round_cents, split_by_weights

from .models import (
    ContractState,
    DeclarationStatus,
    ReciprocityContract,
    RevenueDeclaration,
    RevenueSharePolicy,
    SplitRule,
)


@dataclass(frozen=True)
class PolicyAmounts:
    policy: RevenueSharePolicy
    base: Decimal | None  # the previous year's revenue; None while it is unknown
    total: Decimal | None
    shares: list[tuple[object, Decimal | None]]  # (beneficiary, amount)


def policy_amounts(*, policy: RevenueSharePolicy) -> PolicyAmounts:
    """percent × previous year's revenue, rounded half-up to the cent, shared equally or by
    weights so that the shares add up exactly to the total."""
    beneficiaries = list(policy.beneficiaries.select_related("organisation", "project"))
    base = policy.base_revenue.amount if policy.base_revenue is not None else None
    if base is None:
        return PolicyAmounts(policy, None, None, [(b, None) for b in beneficiaries])
    total = round_cents(base * policy.percent / Decimal(100))
    weights = [b.weight if policy.split == SplitRule.WEIGHTS else 1 for b in beneficiaries]
    return PolicyAmounts(policy, base, total,
                         list(zip(beneficiaries, split_by_weights(total, weights), strict=True)))


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
    from .services import period_of

    contracts = ReciprocityContract.objects.filter(state=ContractState.SIGNED).select_related(
        "partner", "project__host")
    if host is not None:
        contracts = contracts.filter(project__host=host)
    if partner is not None:
        contracts = contracts.filter(partner=partner)
    contracts = list(contracts)
    declared = set(RevenueDeclaration.objects.filter(contract__in=contracts)
                   .exclude(status=DeclarationStatus.SUPERSEDED)
                   .values_list("contract_id", "period_start"))
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
