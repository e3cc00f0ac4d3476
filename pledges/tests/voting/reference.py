"""Slow, obviously-correct references the fast tallies are checked against."""

import importlib.util
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal, localcontext
from pathlib import Path

D = Decimal


def majority_value(counts) -> list[int]:
    """The majority value by the book: remove lower-median judgments one at a time."""
    judgments = sorted(grade for grade, count in enumerate(counts) for _ in range(count))
    sequence = []
    while judgments:
        sequence.append(judgments.pop((len(judgments) - 1) // 2))
    return sequence


def naive_ranking(profiles) -> list[tuple[object, int]]:
    """(candidate, rank) best first, comparing majority values as lists."""
    values = {candidate: majority_value(counts) for candidate, counts in profiles.items()}
    ordered = sorted(values, key=lambda c: values[c], reverse=True)
    ranks, previous = [], None
    for position, candidate in enumerate(ordered):
        if previous is not None and values[candidate] == values[previous]:
            ranks.append((candidate, ranks[-1][1]))
        else:
            ranks.append((candidate, position + 1))
        previous = candidate
    return ranks


def drmaciver_majority_judgement():
    """The PyPI package `majorityjudgement` (David MacIver): its __init__ is Python 2 only,
    so its grading.py is loaded directly."""
    spec = importlib.util.find_spec("majorityjudgement")
    if spec is None:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "grading.py"
    module_spec = importlib.util.spec_from_file_location("mj_grading", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module.MajorityJudgement


def quadratic_funding_decimal(contributions, *, pool, cap=None, mode="full"):
    """The formula with 50-digit Decimals, water-filling and largest remainder included."""
    with localcontext() as context:
        context.prec = 50
        sums = defaultdict(lambda: defaultdict(Decimal))
        for contributor, project, amount in contributions:
            sums[project][contributor] += D(amount) * 100
        matches = {}
        for project, by in sums.items():
            matches[project] = (
                max(D(0), sum(c.sqrt() for c in by.values()) ** 2 - sum(by.values()))
                if len(by) > 1
                else D(0)
            )
        pool_cents = D(pool) * 100
        total = sum(matches.values())
        target = pool_cents if mode == "full" else min(pool_cents, total)
        cap_cents = (D(cap) * pool_cents).to_integral_value(ROUND_FLOOR) if cap else None
        bounds = {}
        for p, m in matches.items():
            bound = cap_cents
            if mode == "saturation":
                bound = m if bound is None else min(bound, m)
            bounds[p] = bound
        amounts = dict.fromkeys(matches, D(0))
        active = {p for p, m in matches.items() if m > 0}
        fixed = D(0)
        while active and total > 0:
            level = (target - fixed) / sum(matches[p] for p in active)
            over = {p for p in active if bounds[p] is not None and level * matches[p] > bounds[p]}
            if not over:
                for p in active:
                    amounts[p] = level * matches[p]
                break
            for p in over:
                amounts[p] = bounds[p]
                fixed += bounds[p]
            active -= over
        paid = (sum(amounts.values()) + D("0.5")).to_integral_value(ROUND_FLOOR)
        floors = {p: a.to_integral_value(ROUND_FLOOR) for p, a in amounts.items()}
        left = int(paid - sum(floors.values()))
        for p in sorted(amounts, key=lambda p: (-(amounts[p] - floors[p]), repr(p)))[:left]:
            floors[p] += 1
        return {p: (c / 100).quantize(D("0.01")) for p, c in floors.items()}
