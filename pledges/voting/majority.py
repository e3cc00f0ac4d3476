"""Majority judgment (Balinski & Laraki), exact, on grade counts.

Input: `profiles` maps each candidate to its counts per grade, index 0 = the worst grade
("À rejeter") … last = the best ("Excellent"). Every candidate must have the same number of
judgments: the caller counts an abstention (a voter who left a candidate ungraded) as the
worst grade before calling.

Ranking rule — the *majority value*: sort a candidate's judgments, take the lower median,
remove one judgment at that grade, take the lower median of what is left, and so on. Two
candidates are ranked by comparing these sequences lexicographically (higher grade better).
This is the majority-gauge refinement applied again and again until the candidates differ.

Computing it on counts. For n sorted judgments x_0 ≤ … ≤ x_{n-1} and k = (n-1)//2, removing
lower medians one by one visits the positions alternately below and above the middle:
n odd:  x_k, x_{k-1}, x_{k+1}, x_{k-2}, x_{k+2}, …
n even: x_k, x_{k+1}, x_{k-1}, x_{k+2}, x_{k-2}, …
So the sequence interleaves a "downward" list D_i = x_{k-i} and an "upward" list
U_j = x_{k+1+j}, in a pattern that depends on n only (the same for every candidate). Each
list is a run of grades described by the counts: at most one run per grade. The first
difference between two candidates is the earlier (in the interleaving) of the first
difference between their D lists and between their U lists, each found by walking runs:
O(grades) per comparison, O(candidates × log(candidates) × grades) for a ranking, whatever
the number of voters. Everything is integer arithmetic: exact.
"""

from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cmp_to_key

from .errors import VotingError
from .ranking import competition_ranks

# The seven grades of the pools' ballots: "À rejeter" (0) … "Excellent" (6).
GRADE_COUNT = 7

Runs = list[tuple[int, int]]  # (grade, how many consecutive judgments)


@dataclass(frozen=True)
class MajorityResult:
    """One candidate's place, and the numbers that explain it."""

    candidate: Hashable
    rank: int
    median_grade: int  # the lower median: the best grade at least half the voters give
    counts: tuple[int, ...]
    total: int
    above: int  # judgments strictly better than the median grade
    below: int  # judgments strictly worse than the median grade

    @property
    def share_above(self) -> Fraction:
        return Fraction(self.above, self.total)

    @property
    def share_below(self) -> Fraction:
        return Fraction(self.below, self.total)

    @property
    def share_at_least_median(self) -> Fraction:
        """Share of judgments at the median grade or better (more than half, by definition)."""
        return Fraction(self.total - self.below, self.total)


@dataclass(frozen=True)
class _Profile:
    candidate: Hashable
    counts: tuple[int, ...]
    median: int
    down: Runs
    up: Runs


def _median_and_runs(counts: tuple[int, ...], total: int) -> tuple[int, Runs, Runs]:
    k = (total - 1) // 2
    before = 0
    median = 0
    for grade, count in enumerate(counts):
        if before + count > k:
            median = grade
            break
        before += count
    through = before + counts[median]
    down: Runs = [(median, k - before + 1)]
    down += [(grade, counts[grade]) for grade in range(median - 1, -1, -1) if counts[grade]]
    up: Runs = [(median, through - k - 1)] if through - k - 1 > 0 else []
    up += [(grade, counts[grade]) for grade in range(median + 1, len(counts)) if counts[grade]]
    return median, down, up


def _first_difference(a: Runs, b: Runs) -> tuple[int, int, int] | None:
    """(position, grade in a, grade in b) where two runs of grades first differ."""
    ia = ib = position = 0
    left_a = a[0][1] if a else 0
    left_b = b[0][1] if b else 0
    while ia < len(a) and ib < len(b):
        if a[ia][0] != b[ib][0]:
            return position, a[ia][0], b[ib][0]
        step = min(left_a, left_b)
        position += step
        left_a -= step
        left_b -= step
        if not left_a:
            ia += 1
            left_a = a[ia][1] if ia < len(a) else 0
        if not left_b:
            ib += 1
            left_b = b[ib][1] if ib < len(b) else 0
    return None


def _interleaved(total: int, downward: bool, index: int) -> int:
    """Where the index-th element of the downward (or upward) list sits in the sequence."""
    if total % 2:
        return (2 * index - 1 if index else 0) if downward else 2 * index + 2
    return 2 * index if downward else 2 * index + 1


def _compare(total: int) -> Callable[[_Profile, _Profile], int]:
    def compare(a: _Profile, b: _Profile) -> int:
        found = []
        down = _first_difference(a.down, b.down)
        if down:
            found.append((_interleaved(total, True, down[0]), down[1], down[2]))
        up = _first_difference(a.up, b.up)
        if up:
            found.append((_interleaved(total, False, up[0]), up[1], up[2]))
        if not found:
            return 0
        _position, grade_a, grade_b = min(found)
        return (grade_a > grade_b) - (grade_a < grade_b)

    return compare


def _validated(
    profiles: Mapping[Hashable, Sequence[int]],
) -> tuple[dict[Hashable, tuple[int, ...]], int]:
    if not profiles:
        raise VotingError("There is no candidate to rank.")
    checked: dict[Hashable, tuple[int, ...]] = {}
    grades: int | None = None
    total = 0
    for candidate, counts in profiles.items():
        counts = tuple(counts)
        if any(type(count) is not int or count < 0 for count in counts):
            raise VotingError(f"Counts of {candidate!r} must be whole numbers ≥ 0: {counts}.")
        if not counts or sum(counts) == 0:
            raise VotingError(f"{candidate!r} has no judgment.")
        if grades is None:
            grades, total = len(counts), sum(counts)
        elif len(counts) != grades:
            raise VotingError(f"{candidate!r} has {len(counts)} grades, others have {grades}.")
        elif sum(counts) != total:
            raise VotingError(
                f"{candidate!r} has {sum(counts)} judgments, others have {total}: count "
                "abstentions as the worst grade."
            )
        checked[candidate] = counts
    return checked, total


def majority_judgment(profiles: Mapping[Hashable, Sequence[int]]) -> list[MajorityResult]:
    """Rank candidates by majority judgment; best first, identical profiles share a rank.

    Candidates that tie are listed in a stable order (by repr); a single winner among tied
    candidates is chosen with `draw`."""
    checked, total = _validated(profiles)
    prepared = []
    for candidate, counts in checked.items():
        median, down, up = _median_and_runs(counts, total)
        prepared.append(_Profile(candidate, counts, median, down, up))
    compare = _compare(total)
    prepared.sort(key=lambda p: repr(p.candidate))
    prepared.sort(key=cmp_to_key(compare), reverse=True)
    ranks = competition_ranks(prepared, lambda a, b: a.counts == b.counts)
    return [
        MajorityResult(
            candidate=p.candidate,
            rank=rank,
            median_grade=p.median,
            counts=p.counts,
            total=total,
            above=sum(p.counts[p.median + 1 :]),
            below=sum(p.counts[: p.median]),
        )
        for p, rank in zip(prepared, ranks, strict=True)
    ]
