"""Reads of reciprocity: what a revenue-share policy gives, to whom."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from commons_fund.members.models import Membership, Role
from commons_fund.money import round_cents, split_by_weights

from .models import RevenueSharePolicy, SplitRule


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
