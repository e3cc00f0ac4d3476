"""The health indicators a member asks for, as pure functions of a year's figures.

Amounts are Decimal euros; amounts returned are rounded half-up to the cent (the project's
one rule), years to a tenth, percentages to a hundredth. A function answers None when the
indicator does not apply (no shares, no loss, no accounts counted...).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from commons_fund.money import round_cents, split_by_weights

TENTH = Decimal("0.1")
HUNDREDTH = Decimal("0.01")
DEFAULT_DONATION_PERCENT = Decimal(1)


def _tenths(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def share_value(*, nominal: Decimal | None, equity: Decimal, shares: int | None) -> Decimal | None:
    """What a leaving member is repaid per share: min(nominal, equity / shares), never less
    than nothing."""
    if nominal is None or not shares:
        return None
    return round_cents(max(Decimal(0), min(nominal, equity / shares)))


def runway_years(*, equity: Decimal, result: Decimal) -> Decimal | None:
    """At a loss, how many years the equity lasts: equity / −result (0 when none is left)."""
    if result >= 0:
        return None
    return _tenths(max(Decimal(0), equity) / -result)


@dataclass(frozen=True)
class HalfCapital:
    threshold: Decimal  # half the share capital
    losses: Decimal  # retained losses (0 when retained earnings are positive)
    gap: Decimal  # losses beyond the threshold
    years_to_close: Decimal | None  # at the current result, when it is positive

    @property
    def crossed(self) -> bool:
        return self.gap > 0


def half_capital(
    *, share_capital: Decimal | None, retained_earnings: Decimal, result: Decimal
) -> HalfCapital | None:
    """Retained losses against half the share capital: the gap
    max(0, −retained earnings − capital / 2) and the years a positive result takes to close it."""
    if share_capital is None:
        return None
    threshold = round_cents(share_capital / 2)
    losses = max(Decimal(0), -retained_earnings)
    gap = max(Decimal(0), losses - threshold)
    years = _tenths(gap / result) if gap > 0 and result > 0 else None
    return HalfCapital(threshold, losses, gap, years)


@dataclass(frozen=True)
class NonMemberShare:
    percent: Decimal
    cap: Decimal

    @property
    def within_cap(self) -> bool:
        return self.percent <= self.cap


def non_member_share(
    *, non_member_revenue: Decimal | None, revenue: Decimal, cap: Decimal
) -> NonMemberShare | None:
    """Revenue from non-members as a percentage of revenue, against the statutory cap."""
    if non_member_revenue is None or revenue <= 0:
        return None
    percent = (non_member_revenue * 100 / revenue).quantize(HUNDREDTH, rounding=ROUND_HALF_UP)
    return NonMemberShare(percent, cap)


@dataclass(frozen=True)
class BreakEven:
    needed: int
    current: int

    @property
    def gap(self) -> int:
        """Accounts still to find (0 once the revenue covers the expenses)."""
        return max(0, self.needed - self.current)


def break_even_accounts(
    *, expenses: Decimal, revenue: Decimal, accounts: int | None
) -> BreakEven | None:
    """Accounts needed to cover the expenses at today's revenue per account:
    expenses / (revenue / accounts), rounded up to a whole account."""
    if not accounts or revenue <= 0:
        return None
    return BreakEven(math.ceil(expenses * accounts / revenue), accounts)


def donation_due(
    *, previous_revenue: Decimal | None, percent: Decimal = DEFAULT_DONATION_PERCENT
) -> Decimal | None:
    """A revenue-share policy's gift: percent of the previous year's revenue."""
    if previous_revenue is None:
        return None
    return round_cents(previous_revenue * percent / 100)


@dataclass(frozen=True)
class Rebate:
    surplus: Decimal
    total: Decimal
    lines: list[tuple[str, Decimal, Decimal]]  # (member, services billed, rebate)

    def per_hundred(self) -> Decimal | None:
        """The rebate for each 100 € of services billed."""
        billed = sum((line[1] for line in self.lines), Decimal(0))
        return round_cents(self.total * 100 / billed) if billed > 0 else None


def rebate_split(
    *, surplus: Decimal, part_percent: Decimal, billed: Sequence[tuple[str, Decimal]]
) -> Rebate:
    """The co-operative rebate (ristourne): `part_percent` of a positive surplus shared among
    members in proportion to the services billed to each, by the largest remainder, so the
    shares add up to the cent."""
    if not 0 <= part_percent <= 100:
        raise ValueError("The part of the surplus is a percentage between 0 and 100.")
    total = round_cents(max(Decimal(0), surplus) * part_percent / 100)
    weights = [amount for _name, amount in billed]
    if not billed:
        return Rebate(surplus, total, [])
    if sum(weights, Decimal(0)) <= 0:  # nothing billed: nobody to share with
        return Rebate(
            surplus, Decimal("0.00"), [(name, amount, Decimal("0.00")) for name, amount in billed]
        )
    shares = split_by_weights(total, weights)
    return Rebate(
        surplus,
        total,
        [(name, amount, share) for (name, amount), share in zip(billed, shares, strict=True)],
    )
