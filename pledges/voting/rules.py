"""What one ballot may hold, per voting method — written here only.

The ballot service checks a member's ballot with these functions (it turns their `code` into
the message people read), and the tallies of whole elections (`quadratic_voting`,
`approval`) check every ballot with them too; a round's tally then counts ballots already
checked. `check_*` raise BallotError and return nothing (the tallies call them 100 000
times); `*_ballot` check, then return the marks to store: candidate → whole number, the
zeros of methods where zero means "nothing" left out."""

from collections.abc import Collection, Hashable, Mapping
from operator import mul

from .errors import BallotError
from .majority import GRADE_COUNT

Marks = Mapping[Hashable, int]
INTEGER = frozenset({int})


def _whole(marks: Marks) -> list[int]:
    values = list(marks.values())
    if not INTEGER.issuperset(map(type, values)):  # booleans, floats, text refused
        raise BallotError("votes must be whole numbers.", code="whole")
    return values


def check_candidates(chosen: Collection[Hashable], candidates: Collection[Hashable] | None) -> None:
    """Marks only for candidates (`chosen`: the candidates a ballot marks)."""
    if candidates is None:
        return
    allowed = candidates if isinstance(candidates, set | frozenset) else set(candidates)
    if allowed.issuperset(chosen):
        return
    strangers = sorted(repr(key) for key in chosen if key not in allowed)
    what = "not a candidate" if len(strangers) == 1 else "not candidates"
    raise BallotError(f"{what}: {', '.join(strangers)}.", code="not_candidate")


def majority_judgment_ballot(
    marks: Marks, *, candidates: Collection[Hashable], grades: int = GRADE_COUNT
) -> dict[Hashable, int]:
    """Every candidate graded, from 0 (the worst) to `grades` - 1 (the best)."""
    values = _whole(marks)
    check_candidates(marks.keys(), candidates)
    if marks.keys() != set(candidates):
        raise BallotError("every candidate needs a grade.", code="ungraded")
    if any(not 0 <= value < grades for value in values):
        raise BallotError(f"grades go from 0 to {grades - 1}.", code="grade")
    return dict(marks)


def check_quadratic(
    marks: Marks,
    *,
    credits: int,
    candidates: Collection[Hashable] | None = None,
    allow_negative: bool = False,
) -> None:
    """Whole numbers of votes whose squares add up to at most `credits`."""
    values = _whole(marks)
    if values and min(values) < 0 and not allow_negative:
        raise BallotError("negative votes are not allowed.", code="negative")
    cost = sum(map(mul, values, values))
    if cost > credits:
        raise BallotError(
            f"costs {cost} credits, more than the {credits} available.",
            code="credits",
            params={"spent": cost, "credits": credits},
        )
    check_candidates(marks.keys(), candidates)


def quadratic_ballot(
    marks: Marks,
    *,
    credits: int,
    candidates: Collection[Hashable] | None = None,
    allow_negative: bool = False,
) -> dict[Hashable, int]:
    check_quadratic(marks, credits=credits, candidates=candidates, allow_negative=allow_negative)
    return {key: value for key, value in marks.items() if value}


def approval_ballot(
    marks: Marks, *, candidates: Collection[Hashable] | None = None
) -> dict[Hashable, int]:
    """1 for each candidate approved, 0 (or nothing) for the others."""
    values = _whole(marks)
    if any(value not in (0, 1) for value in values):
        raise BallotError("approve a candidate (1) or not (0).", code="approval")
    check_candidates(marks.keys(), candidates)
    return {key: value for key, value in marks.items() if value}


def allocation_ballot(
    marks: Marks, *, promise: int, candidates: Collection[Hashable] | None = None
) -> dict[Hashable, int]:
    """The voter's promise (in cents) split among the candidates, to the cent."""
    if not promise:
        raise BallotError("splitting a pot needs a promise.", code="no_promise")
    values = _whole(marks)
    if any(value < 0 for value in values) or sum(values) != promise:
        raise BallotError(
            f"the amounts must add up to the promise ({promise}).",
            code="split",
            params={"promise": promise},
        )
    check_candidates(marks.keys(), candidates)
    return {key: value for key, value in marks.items() if value}
