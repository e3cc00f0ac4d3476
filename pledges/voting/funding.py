"""Quadratic funding (CLR): share a matching pool among projects by the breadth of support.

For project p with contributions c_ip (contributor i, summed first per contributor and
project): match_p = (Σ_i √c_ip)² − Σ_i c_ip. One contributor means no match.

- mode="full": the matches are scaled so that the whole pool is paid;
- mode="saturation": the raw matches are paid when they sum below the pool, scaled down to
  the pool otherwise;
- cap: a fraction of the pool no project may exceed, applied by exact water-filling: capped
  projects are fixed at the cap and the rest is shared again among the others in proportion
  to their matches, until none is over. (In saturation mode no project exceeds its raw match
  either.)

Exactness. Amounts are handled in integer cents; √c is computed as an integer, floor(√c·10¹²),
with `math.isqrt`, so each square root is within 10⁻¹² cent; all the rest (squares, scaling,
water-filling) is exact rational arithmetic (`fractions.Fraction`). Cents are then given by
the largest remainder method, so they add up exactly to the amount paid.
"""

from collections import defaultdict
from collections.abc import Hashable, Iterable
from decimal import Decimal
from fractions import Fraction
from math import floor, isqrt
from operator import itemgetter
from typing import cast

from .errors import VotingError

ROOT_SCALE = 10**12
CENT = Decimal("0.01")
MODES = ("full", "saturation")


def _cents(value: Decimal | int | str, what: str) -> int:
    amount = Decimal(value)
    if not amount.is_finite():
        raise VotingError(f"{what} is not a number.")
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise VotingError(f"{what} has fractions of a cent: {value}.")
    return int(cents)


def _whole_cents(amount: object) -> int | None:
    """A contribution in whole cents, or None when it is not a positive amount in cents."""
    if type(amount) in (Decimal, int):  # not bool, nor float
        try:
            numerator, denominator = cast(Decimal | int, amount).as_integer_ratio()
        except (ValueError, OverflowError):  # NaN, infinity
            return None
        cents, rest = divmod(numerator * 100, denominator)
        if not rest and cents > 0:
            return cents
    return None


def _cents_of_amounts(amounts: list[Decimal | int]) -> dict[Decimal | int, int]:
    """Each distinct amount in whole cents (amounts repeat a lot: 5 €, 10 €, 20 €...), or
    the error naming the first contribution that is not a positive amount in cents."""
    cents_of: dict[Decimal | int, int | None] | None = None
    if set(map(type, amounts)) <= {Decimal, int}:  # a float is refused, even equal to a Decimal
        try:
            cents_of = {amount: _whole_cents(amount) for amount in set(amounts)}
        except TypeError:  # a signalling NaN cannot be hashed
            cents_of = None
    if cents_of is not None and None not in cents_of.values():
        return cast(dict[Decimal | int, int], cents_of)
    for index, amount in enumerate(amounts):
        if _whole_cents(amount) is None:
            raise VotingError(
                f"Contribution {index} must be a positive amount in whole cents (a Decimal): "
                f"{amount!r}."
            )
    raise AssertionError("unreachable: a distinct amount was refused")


def _per_project(
    rows: list[tuple[Hashable, Hashable, Decimal]],
) -> dict[Hashable, dict[Hashable, int]]:
    """Cents given by each contributor to each project, projects in their first order."""
    amounts = list(map(itemgetter(2), rows))
    cents_of = _cents_of_amounts(amounts)
    per_project: defaultdict[Hashable, dict[Hashable, int]] = defaultdict(dict)
    for contributor, project, cents in zip(
        map(itemgetter(0), rows),
        map(itemgetter(1), rows),
        map(cents_of.__getitem__, amounts),
        strict=True,
    ):
        by_contributor = per_project[project]
        if contributor in by_contributor:
            by_contributor[contributor] += cents
        else:
            by_contributor[contributor] = cents
    return per_project


def _matches(per_project: dict[Hashable, dict[Hashable, int]]) -> dict[Hashable, Fraction]:
    matches = {}
    square_scale = ROOT_SCALE * ROOT_SCALE
    root_of: dict[int, int] = {}  # the same sum is often given by many
    for project, by_contributor in per_project.items():
        amounts = by_contributor.values()
        if len(amounts) < 2:
            matches[project] = Fraction(0)
            continue
        for cents in set(amounts).difference(root_of):
            root_of[cents] = isqrt(cents * square_scale)
        roots = sum(map(root_of.__getitem__, amounts))
        match = Fraction(roots * roots, square_scale) - sum(amounts)
        matches[project] = max(match, Fraction(0))
    return matches


def _water_fill(
    matches: dict[Hashable, Fraction], target: Fraction, bounds: dict[Hashable, Fraction | None]
) -> dict[Hashable, Fraction]:
    """Share `target` in proportion to matches, no project above its bound (None: no bound)."""
    amounts = dict.fromkeys(matches, Fraction(0))
    active = {project for project, match in matches.items() if match > 0}
    fixed_total = Fraction(0)
    while active:
        weight = sum(matches[p] for p in active)
        level = (target - fixed_total) / weight
        capped = {
            p: bound
            for p in active
            if (bound := bounds[p]) is not None and level * matches[p] > bound
        }
        if not capped:
            for project in active:
                amounts[project] = level * matches[project]
            break
        for project, bound in capped.items():
            amounts[project] = bound
            fixed_total += bound
        over = set(capped)
        active -= over
    return amounts


def _to_cents(amounts: dict[Hashable, Fraction]) -> dict[Hashable, int]:
    """Whole cents adding up to the (rounded half up) total, by largest remainder."""
    total = floor(sum(amounts.values()) + Fraction(1, 2))
    floors = {project: floor(amount) for project, amount in amounts.items()}
    leftover = total - sum(floors.values())
    by_remainder = sorted(amounts, key=lambda p: (-(amounts[p] - floors[p]), repr(p)))
    for project in by_remainder[:leftover]:
        floors[project] += 1
    return floors


def quadratic_funding(
    contributions: Iterable[tuple[Hashable, Hashable, Decimal]],
    *,
    pool: Decimal,
    cap: Decimal | Fraction | None = None,
    mode: str = "full",
) -> dict[Hashable, Decimal]:
    """Matching amounts per project, in euros with cents, adding up exactly to what is paid."""
    if mode not in MODES:
        raise VotingError(f"mode must be one of {MODES}, not {mode!r}.")
    pool_cents = _cents(pool, "The pool")
    if pool_cents < 0:
        raise VotingError("The pool cannot be negative.")
    if cap is not None:
        cap = Fraction(cap)
        if not 0 < cap <= 1:
            raise VotingError("cap is a fraction of the pool, above 0 and at most 1.")
    rows = contributions if isinstance(contributions, list) else list(contributions)
    matches = _matches(_per_project(rows))
    raw_total = sum(matches.values(), Fraction(0))
    target = Fraction(pool_cents) if mode == "full" else min(Fraction(pool_cents), raw_total)
    cap_cents = Fraction(floor(cap * pool_cents)) if cap is not None else None
    bounds: dict[Hashable, Fraction | None] = {}
    for project, match in matches.items():
        bound = cap_cents
        if mode == "saturation":
            bound = match if bound is None else min(bound, match)
        bounds[project] = bound
    amounts = (
        _water_fill(matches, target, bounds)
        if raw_total > 0
        else dict.fromkeys(matches, Fraction(0))
    )
    return {
        project: (Decimal(cents) / 100).quantize(CENT)
        for project, cents in _to_cents(amounts).items()
    }
