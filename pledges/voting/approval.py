"""Approval voting: each ballot approves any number of candidates, once each."""

from collections import Counter
from collections.abc import Hashable, Iterable

from .errors import BallotError
from .ranking import Ranked, rank_by_score
from .rules import check_candidates


def approval(
    ballots: Iterable[Iterable[Hashable]], *, candidates: Iterable[Hashable] | None = None
) -> list[Ranked]:
    """Rank candidates by their number of approvals (`score`); ties share a rank.

    A ballot is the collection of candidates it approves (`rules.check_candidates`);
    approving one twice is refused.
    When `candidates` is given, approvals of anyone else are refused and every candidate is
    ranked, approved or not."""
    allowed = set(candidates) if candidates is not None else None
    counts: Counter[Hashable] = Counter(dict.fromkeys(allowed, 0) if allowed is not None else {})
    for index, ballot in enumerate(ballots):
        approved = list(ballot)
        distinct = set(approved)
        if len(distinct) != len(approved):
            raise BallotError(f"Ballot {index} approves a candidate twice.", index=index)
        try:
            check_candidates(distinct, allowed)
        except BallotError as error:
            raise error.at(index) from error
        counts.update(distinct)
    return rank_by_score(dict(counts), counts)
