"""Quadratic voting: each voter spends credits; casting v votes on a candidate costs v²."""

from collections.abc import Hashable, Iterable, Mapping

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
    totals: dict[Hashable, int] = dict.fromkeys(allowed, 0) if allowed is not None else {}
    for index, ballot in enumerate(ballots):
        votes = list(ballot.values())
        if not all(type(v) is int for v in votes):
            raise BallotError(f"Ballot {index}: votes must be whole numbers.", index=index)
        if votes and not allow_negative and min(votes) < 0:
            raise BallotError(f"Ballot {index}: negative votes are not allowed.", index=index)
        cost = sum(v * v for v in votes)
        if cost > credits:
            raise BallotError(
                f"Ballot {index} costs {cost} credits, more than the {credits} available.",
                index=index,
            )
        for candidate, vote in ballot.items():
            if candidate in totals:
                totals[candidate] += vote
            elif allowed is None:
                totals[candidate] = vote
            else:
                raise BallotError(f"Ballot {index}: {candidate!r} is not a candidate.",
                                  index=index)
    return rank_by_score(totals, totals)
