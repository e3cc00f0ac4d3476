"""Quadratic voting: each voter spends credits; casting v votes on a candidate costs v²."""

from collections.abc import Hashable, Iterable, Mapping
from operator import add, mul

from .errors import BallotError, VotingError
from .ranking import Ranked, rank_by_score


def quadratic_voting(
    ballots: Iterable[Mapping[Hashable, int]],
    *,
    credits: int,
    allow_negative: bool = False,
    candidates: Iterable[Hashable] | None = None,
) -> list[Ranked]:
    """Rank candidates by the sum of their votes (`score`); ties share a rank.

    Each ballot maps candidates to whole numbers of votes, positive (negative too when
    `allow_negative`); its cost, the sum of the squares, must not exceed `credits`. A ballot
    that breaks a rule raises BallotError naming it (its position, from 0). When
    `candidates` is given, votes for anyone else are refused and every candidate is ranked.
    """
    if type(credits) is not int or credits < 0:
        raise VotingError("credits must be a whole number ≥ 0.")
    allowed = set(candidates) if candidates is not None else None
    # Ballots of one form list the same candidates in the same order: sum them column-wise,
    # per key order, with map() in C; fold the columns into totals at the end.
    columns: dict[tuple[Hashable, ...], list[int]] = {}
    seen_types: set[type] = set()  # booleans pass as ints above: checked once at the end
    kept: list[Mapping[Hashable, int]] = []
    for index, ballot in enumerate(ballots):
        kept.append(ballot)
        votes = list(ballot.values())
        if not votes:
            continue
        seen_types.update(map(type, votes))
        try:
            cost = sum(map(mul, votes, votes))
            lowest = min(votes)
        except TypeError:
            cost = None
        if type(cost) is not int:  # floats, decimals, text...; booleans are caught below
            raise BallotError(f"Ballot {index}: votes must be whole numbers.", index=index)
        if lowest < 0 and not allow_negative:
            raise BallotError(f"Ballot {index}: negative votes are not allowed.", index=index)
        if cost > credits:
            raise BallotError(
                f"Ballot {index} costs {cost} credits, more than the {credits} available.",
                index=index,
            )
        if allowed is not None and not ballot.keys() <= allowed:
            stranger = next(c for c in ballot if c not in allowed)
            raise BallotError(f"Ballot {index}: {stranger!r} is not a candidate.", index=index)
        keys = tuple(ballot)
        column = columns.get(keys)
        if column is None:
            columns[keys] = votes
        else:
            column[:] = map(add, column, votes)
    if seen_types - {int}:
        index = next(i for i, b in enumerate(kept) if set(map(type, b.values())) - {int})
        raise BallotError(f"Ballot {index}: votes must be whole numbers.", index=index)
    totals: dict[Hashable, int] = dict.fromkeys(allowed, 0) if allowed is not None else {}
    for keys, column in columns.items():
        for candidate, vote in zip(keys, column, strict=True):
            totals[candidate] = totals.get(candidate, 0) + vote
    return rank_by_score(totals, totals)
