"""Explaining a majority-judgment result: data for a merit-profile chart (one horizontal
stacked bar per candidate, worst grade on the left, the 50 % line marked) and one sentence
per candidate in French and English. Drawing the chart is the rounds' templates' job."""

from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from .errors import VotingError
from .majority import MajorityResult

GRADES = {
    "fr": ("À rejeter", "Insuffisant", "Passable", "Assez bien", "Bien", "Très bien", "Excellent"),
    "en": ("Reject", "Poor", "Acceptable", "Fair", "Good", "Very good", "Excellent"),
}
SENTENCES = {
    "fr": "Mention majoritaire : {grade} ; {percent} % le jugent {grade} ou mieux.",
    "en": "Majority grade: {grade}; {percent}% judge it {grade} or better.",
}


def _percent(share: Fraction, places: int = 0) -> Decimal:
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(share.numerator) * 100 / Decimal(share.denominator)).quantize(
        exponent, rounding=ROUND_HALF_UP
    )


def merit_profile(
    results: Sequence[MajorityResult], *, labels: dict[str, Sequence[str]] | None = None
) -> list[dict[str, Any]]:
    """For each result (in the given order): its rank, grade segments with their share of
    judgments (percent, one decimal) and where each starts, and the sentences."""
    chosen: Mapping[str, Sequence[str]] = labels or GRADES
    rows = []
    for result in results:
        names = {language: tuple(grades) for language, grades in chosen.items()}
        if any(len(grades) != len(result.counts) for grades in names.values()):
            raise VotingError(f"Give {len(result.counts)} grade labels per language.")
        segments, start = [], Fraction(0)
        for grade, count in enumerate(result.counts):
            share = Fraction(count, result.total)
            segments.append(
                {
                    "grade": grade,
                    "count": count,
                    "labels": {lang: g[grade] for lang, g in names.items()},
                    "percent": _percent(share, 1),
                    "starts_at": _percent(start, 1),
                }
            )
            start += share
        percent = _percent(result.share_at_least_median)
        rows.append(
            {
                "candidate": result.candidate,
                "rank": result.rank,
                "median_grade": result.median_grade,
                "median_labels": {lang: g[result.median_grade] for lang, g in names.items()},
                "segments": segments,
                "median_line": Decimal(50),
                "sentences": {
                    language: SENTENCES.get(language, SENTENCES["en"]).format(
                        grade=grades[result.median_grade], percent=percent
                    )
                    for language, grades in names.items()
                },
            }
        )
    return rows
