"""The tally of a round: one aggregate query over its ballots, then `pledges.voting`.

With colleges, each college's result counts for its weight whatever its number of voters:
a ballot of college c counts weight_c × L / voters_c, L being the least common multiple of
the colleges' numbers of voters, so every count stays a whole number and the tally exact.

The results are published as JSON on the round: the counts per grade (or scores), the
ranking, the tie-break (seed and order) when the rule left a tie; anyone can recompute them
from the published ballots."""

from collections import defaultdict
from decimal import Decimal
from math import lcm

from django.db.models import Count

from commons_fund.money import from_minor_units, minor_units, split_by_weights

from .models import BallotLine, Candidacy, CandidacyStatus, Round, RoundKind, VotingMethod
from .voting import draw, majority_judgment, quadratic_funding
from .voting.majority import GRADE_COUNT
from .voting.ranking import rank_by_score


def _weights(round_: Round, voters_per_college: dict) -> dict:
    colleges = dict(round_.pool.colleges.values_list("pk", "weight_percent"))
    if not colleges:
        return dict.fromkeys(voters_per_college, 1)
    present = {college: n for college, n in voters_per_college.items() if n}
    common = lcm(*present.values()) if present else 1
    return {college: colleges.get(college, 0) * common // n for college, n in present.items()}


def _ranked_rows(round_: Round, candidacies: dict, weights: dict, marks: list) -> list[dict]:
    method = round_.voting_method
    if method == VotingMethod.MAJORITY_JUDGMENT:
        profiles = {pk: [0] * GRADE_COUNT for pk in candidacies}
        for candidacy, college, value, n in marks:
            profiles[candidacy][value] += weights.get(college, 0) * n
        return [
            {
                "candidacy": result.candidate,
                "rank": result.rank,
                "counts": list(result.counts),
                "median_grade": result.median_grade,
            }
            for result in majority_judgment(profiles)
        ]
    scores = dict.fromkeys(candidacies, 0)
    for candidacy, college, value, n in marks:
        scores[candidacy] += weights.get(college, 0) * value * n
    return [
        {"candidacy": row.candidate, "rank": row.rank, "score": row.score}
        for row in rank_by_score(scores, candidacies)
    ]


def _matching(round_: Round, lines: list[tuple[int, int, int]]) -> dict[int, int]:
    """The matching pool shared by quadratic funding of the lines (ballot, candidacy, cents),
    in cents per candidacy."""
    if not (round_.matching_pool.amount and lines):
        return {}
    cap = Decimal(round_.matching_cap_percent) / 100 if round_.matching_cap_percent else None
    matched = quadratic_funding(
        [(ballot, candidacy, from_minor_units(value)) for ballot, candidacy, value in lines],
        pool=round_.matching_pool.amount,
        cap=cap,
    )
    return {key: minor_units(value) for key, value in matched.items()}


def _ballot_lines(round_: Round) -> list[tuple[int, int, int]]:
    return list(
        BallotLine.objects.filter(ballot__round=round_).values_list(
            "ballot_id", "candidacy_id", "value"
        )
    )


def projected_matching(*, round_: Round) -> dict[int, int]:
    """What each nominated commons would get from the matching pool if the allocation vote
    closed now: quadratic funding of the ballots cast so far, as the tally will do it."""
    candidacies = Candidacy.objects.filter(
        round=round_, status=CandidacyStatus.NOMINATED
    ).values_list("pk", flat=True)
    projected = dict.fromkeys(candidacies, 0)
    projected.update(_matching(round_, _ballot_lines(round_)))
    return projected


def _allocation(round_: Round, candidacies: dict, pot: int) -> dict:
    """Each voter's split of their promise, the promises of those who did not vote shared in
    proportion to the voters' splits, and the matching pool shared by quadratic funding."""
    lines = _ballot_lines(round_)
    given = defaultdict(int)
    for _ballot, candidacy, value in lines:
        given[candidacy] += value
    allocated = sum(given.values())
    shares = dict.fromkeys(candidacies, 0)
    shares.update(given)
    rest = pot - allocated
    if rest > 0 and allocated:
        keys = sorted(given)
        parts = split_by_weights(from_minor_units(rest), [given[key] for key in keys])
        for key, part in zip(keys, parts, strict=True):
            shares[key] += minor_units(part)
    matching = dict.fromkeys(candidacies, 0)
    matching.update(_matching(round_, lines))
    return {
        "shares": {str(k): v for k, v in shares.items()},
        "matching": {str(k): v for k, v in matching.items()},
    }


def round_results(*, round_: Round, voters: int, pot: int) -> dict:
    candidacies = dict(
        Candidacy.objects.filter(round=round_, status=CandidacyStatus.NOMINATED).values_list(
            "pk", "project__slug"
        )
    )
    marks = list(
        BallotLine.objects.filter(ballot__round=round_)
        .values_list("candidacy_id", "ballot__college_id", "value")
        .annotate(n=Count("id"))
        .order_by()
    )
    per_college = dict(
        round_.ballots.values_list("college_id")
        .annotate(n=Count("id"))
        .values_list("college_id", "n")
        .order_by()
    )
    weights = _weights(round_, per_college)
    results = {
        "kind": round_.kind,
        "method": round_.voting_method,
        "voters": voters,
        "electorate": round_.electorate,
        "pot": pot,
        "seed": round_.seed,
        "weights": {str(k): v for k, v in weights.items()},
        "tie_break": None,
        "projects": {str(pk): slug for pk, slug in candidacies.items()},
        # Each college's number of voters ("": without one), final once the vote is counted:
        # which colleges are too small to publish their ballots is read from here.
        "college_voters": {str(k or ""): n for k, n in per_college.items()},
    }
    if round_.kind == RoundKind.ALLOCATION:
        results.update(_allocation(round_, candidacies, pot))
        return results
    ranking = _ranked_rows(round_, candidacies, weights, marks)
    results["ranking"] = ranking
    first = [row["candidacy"] for row in ranking if row["rank"] == 1]
    if len(first) > 1:
        order = draw(first, round_.seed)
        results["tie_break"] = {"among": first, "order": order}
        first = order
    results["winner"] = first[0]
    return results
