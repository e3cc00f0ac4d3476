"""Quadratic voting: each voter spends credits; casting v votes on a candidate costs v²."""

from collections.abc import Hashable, Iterable, Mapping
from operator import add

from .errors import BallotError, VotingError
from .ranking import Ranked, rank_by_score
from .rules import check_quadratic


def quadratic_voting(
    ballots: Iterable[Mapping[Hashable, int]],
    *,
    credits: int,
    allow_negative: bool = False,
    candidates: Iterable[Hashable] | None = None,
) -> list[Ranked]:
    """Rank candidates by the sum of their votes (`score`); ties share a rank.

    Each ballot follows `rules.check_quadratic`: whole numbers of votes, positive
    (negative too when `allow_negative`), costing at most `credits` (the sum of the
    squares). A ballot that breaks it raises BallotError naming it (its position, from 0).
    When `candidates` is given, votes for anyone else are refused and every candidate is
    ranked.
    """
    if type(credits) is not int or credits < 0:
        raise VotingError("credits must be a whole number ≥ 0.")
    allowed = set(candidates) if candidates is not None else None
    # Ballots of one form list the same candidates in the same order: sum them column-wise,
    # per key order, with map() in C; fold the columns into totals at the end.
    columns: dict[tuple[Hashable, ...], list[int]] = {}
    for index, ballot in enumerate(ballots):
        try:
            check_quadratic(
                ballot, credits=credits, candidates=allowed, allow_negative=allow_negative
            )
        except BallotError as error:
            raise error.at(index) from error
        votes = list(ballot.values())
        if not votes:
            continue
        keys = tuple(ballot)
        column = columns.get(keys)
        if column is None:
            columns[keys] = votes
        else:
            column[:] = map(add, column, votes)
    totals: dict[Hashable, int] = dict.fromkeys(allowed, 0) if allowed is not None else {}
    for keys, column in columns.items():
        for candidate, vote in zip(keys, column, strict=True):
            totals[candidate] = totals.get(candidate, 0) + vote
    return rank_by_score(totals, totals)
