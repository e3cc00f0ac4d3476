"""The published results of a round, shaped for its page: merit profiles (majority
judgment), scores (quadratic, approval) or amounts (allocation), and the tie-break draw.
Everything comes from the JSON published on the round when it was tallied."""

from pledges.voting import majority_judgment, merit_profile
from pledges.voting.draw import ticket
from pledges.voting.explain import GRADES

from .models import Candidacy, Round, RoundKind, VotingMethod


def grade_labels(language: str | None) -> tuple[str, ...]:
    """Grades, worst first ("À rejeter" … "Excellent")."""
    return GRADES.get((language or "fr")[:2], GRADES["fr"])


def _percent(part: int, whole: int) -> float:
    return round(part * 100 / whole, 1) if whole else 0.0


def results_for_page(*, round_: Round, candidacies: list[Candidacy], language: str | None) -> dict:
    published = round_.results or {}
    names = {c.pk: c.project.name for c in candidacies}
    language = (language or "fr")[:2]
    page = {
        "voters": published.get("voters", 0),
        "electorate": published.get("electorate", 0),
        "turnout": _percent(published.get("voters", 0), published.get("electorate", 0)),
        "pot": published.get("pot", 0),
        "collected": published.get("collected"),
        "seed": published.get("seed", ""),
        "rows": [],
        "grades": grade_labels(language),
    }
    if round_.kind == RoundKind.ALLOCATION:
        shares, matching = published.get("shares", {}), published.get("matching", {})
        page["allocation"] = sorted(
            (
                {
                    "name": names.get(int(pk), pk),
                    "share": shares.get(pk, 0),
                    "matching": matching.get(pk, 0),
                    "total": shares.get(pk, 0) + matching.get(pk, 0),
                }
                for pk in shares
            ),
            key=lambda row: -row["total"],
        )
        return page
    ranking = published.get("ranking", [])
    if round_.voting_method == VotingMethod.MAJORITY_JUDGMENT and ranking:
        results = majority_judgment({row["candidacy"]: row["counts"] for row in ranking})
        for row in merit_profile(results):
            row["name"] = names.get(row["candidate"], row["candidate"])
            row["sentence"] = row["sentences"].get(language, row["sentences"]["en"])
            for segment in row["segments"]:
                segment["label"] = segment["labels"].get(language, segment["labels"]["fr"])
            page["rows"].append(row)
    else:
        best = max((row["score"] for row in ranking), default=0) or 1
        page["rows"] = [
            {
                "name": names.get(row["candidacy"]),
                "rank": row["rank"],
                "score": row["score"],
                "width": _percent(max(row["score"], 0), best),
            }
            for row in ranking
        ]
    tie = published.get("tie_break")
    if tie:
        page["tie_break"] = [
            {"name": names.get(pk, pk), "id": pk, "ticket": ticket(pk, published["seed"])}
            for pk in tie["order"]
        ]
    return page
