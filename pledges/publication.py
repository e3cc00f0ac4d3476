"""What is published of a round's ballots: receipts, the ballots themselves (whole per cents
for allocation), totals of colleges too small to publish ballots, and the projected matching
during an allocation vote — nothing that links a ballot to its voter."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet

from .models import (
    DEFAULT_PUBLICATION_THRESHOLD,
    Ballot,
    BallotLine,
    Candidacy,
    Round,
    RoundKind,
    RoundState,
)
from .tally import projected_matching


def round_receipts(*, round_: Round, receipt: str = "") -> QuerySet[Ballot]:
    """Counted ballots by receipt, for anyone to check theirs and recompute the tally; what
    of them is shown is `published_ballots`'s call."""
    ballots = round_.ballots.select_related("college").prefetch_related("lines").order_by("receipt")
    if receipt:
        ballots = ballots.filter(receipt=receipt.strip().upper())
    return ballots


@dataclass(frozen=True)
class PublishedBallot:
    """A ballot as published: `marks` maps candidacies to grades, votes or approvals, or to
    whole per cents of the ballot in an allocation round; None when the ballot's college has
    too few voters, whose totals are published instead (`round_college_totals`)."""

    receipt: str
    college: str
    marks: dict[int, int] | None


def publication_threshold(*, round_: Round) -> int:
    return round_.publication_threshold or DEFAULT_PUBLICATION_THRESHOLD


@dataclass(frozen=True)
class ProjectedMatching:
    """During an allocation vote: the matching per candidacy (cents) if it closed now, from
    the ballots counted so far (they leave the box in shuffled groups, `pledges.ballots`),
    or nothing yet while fewer are counted than the round's publication threshold."""

    voters: int
    threshold: int
    per_candidacy: dict[int, int] = field(default_factory=dict)

    @property
    def shown(self) -> bool:
        return self.voters >= self.threshold

    def rows(self, candidacies: list[Candidacy]) -> list[tuple[Candidacy, int, int]]:
        """Each candidacy with its projected matching and its share of the largest (for a
        bar), the largest first."""
        largest = max(self.per_candidacy.values(), default=0) or 1
        rows = [(candidacy, self.per_candidacy.get(candidacy.pk, 0)) for candidacy in candidacies]
        rows.sort(key=lambda row: (-row[1], row[0].project.name))
        return [(candidacy, cents, cents * 100 // largest) for candidacy, cents in rows]


def round_projected_matching(*, round_: Round) -> ProjectedMatching | None:
    """The projected matching of an allocation round whose vote is open, when its pool
    publishes it and it has a matching pool; None otherwise."""
    if not (
        round_.state == RoundState.VOTING
        and round_.kind == RoundKind.ALLOCATION
        and round_.matching_pool.amount
        and round_.pool.projected_match_public
    ):
        return None
    voters = round_.ballots.count()
    threshold = publication_threshold(round_=round_)
    if voters < threshold:
        return ProjectedMatching(voters=voters, threshold=threshold)
    return ProjectedMatching(
        voters=voters, threshold=threshold, per_candidacy=projected_matching(round_=round_)
    )


def round_small_colleges(*, round_: Round) -> dict[int | None, int]:
    """The colleges (None: the round's voters without a college) with fewer voters than the
    round's publication threshold, with their numbers of voters: from the results once the
    vote is counted, by grouping its ballots before."""
    counted = (round_.results or {}).get("college_voters")
    if counted is not None:
        voters = [(int(college) if college else None, n) for college, n in counted.items()]
    else:
        voters = list(
            round_.ballots.values_list("college_id")
            .annotate(n=Count("id"))
            .values_list("college_id", "n")
            .order_by()
        )
    threshold = publication_threshold(round_=round_)
    return {college: n for college, n in voters if n < threshold}


def published_ballots(
    *, round_: Round, ballots, small: dict[int | None, int]
) -> list[PublishedBallot]:
    """What the receipts page and the results API show of these ballots (see PublishedBallot).

    An allocation ballot's lines add up to its voter's promise, and promises are visible: its
    lines are shown as shares of the ballot, the amounts being counted apart
    (`round_allocation_counts`)."""
    published = []
    for ballot in ballots:
        marks = None
        if ballot.college_id not in small:
            marks = {line.candidacy_id: line.value for line in ballot.lines.all()}
            if round_.kind == RoundKind.ALLOCATION:
                marks = _whole_per_cents(marks)
        name = ballot.college.name if ballot.college else ""
        published.append(PublishedBallot(receipt=ballot.receipt, college=name, marks=marks))
    return published


def _whole_per_cents(cents: dict[int, int]) -> dict[int, int]:
    total = sum(cents.values())
    return {
        key: int((Decimal(value * 100) / total).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        for key, value in cents.items()
    }


def round_college_totals(*, round_: Round, small: dict[int | None, int]) -> dict[str, dict]:
    """For each small college (by name; "" for voters without a college): its number of
    voters and, per candidacy, how many of its ballots gave each mark. With the other
    colleges' ballots and the weights, the tally can be recomputed. (These totals can
    already be derived from the published ranking minus the published ballots.)
    Allocation rounds have none: the amounts are counted for the whole round instead."""
    if not small or round_.kind == RoundKind.ALLOCATION:
        return {}
    names = dict(round_.pool.colleges.values_list("pk", "name"))
    totals: dict[str, dict] = {
        names.get(college, "") if college else "": {"voters": n, "marks": defaultdict(dict)}
        for college, n in small.items()
    }
    null_college = Q(ballot__college__isnull=True) if None in small else Q(pk__in=[])
    rows = (
        BallotLine.objects.filter(ballot__round=round_)
        .filter(Q(ballot__college__in=[c for c in small if c]) | null_college)
        .values_list("ballot__college_id", "candidacy_id", "value")
        .annotate(n=Count("id"))
        .order_by("ballot__college_id", "candidacy_id", "value")
    )
    for college, candidacy, value, n in rows:
        name = names.get(college, "") if college else ""
        totals[name]["marks"][str(candidacy)][str(value)] = n
    return {name: {**group, "marks": dict(group["marks"])} for name, group in totals.items()}


def round_allocation_counts(*, round_: Round) -> dict[str, dict[str, int]]:
    """Per candidacy, how many ballots gave each amount (cents): the totals and the matching
    by quadratic funding are recomputed from them."""
    if round_.kind != RoundKind.ALLOCATION:
        return {}
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    rows = (
        BallotLine.objects.filter(ballot__round=round_)
        .values_list("candidacy_id", "value")
        .annotate(n=Count("id"))
        .order_by("candidacy_id", "value")
    )
    for candidacy, value, n in rows:
        counts[str(candidacy)][str(value)] = n
    return dict(counts)
