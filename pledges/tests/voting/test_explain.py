from decimal import Decimal

import pytest

from pledges.voting import VotingError, majority_judgment, merit_profile


def test_merit_profile_data_and_sentences():
    results = majority_judgment(
        {
            "Framasoft": [0, 1, 2, 5, 9, 14, 19],
            "Debian": [2, 5, 9, 12, 10, 8, 4],
        }
    )
    rows = merit_profile(results)
    first = rows[0]
    assert (first["candidate"], first["rank"], first["median_labels"]["fr"]) == (
        "Framasoft",
        1,
        "Très bien",
    )
    assert first["sentences"]["fr"] == (
        "Mention majoritaire : Très bien ; 66 % le jugent Très bien ou mieux."
    )
    assert first["sentences"]["en"] == (
        "Majority grade: Very good; 66% judge it Very good or better."
    )
    segments = first["segments"]
    assert next(s["labels"]["fr"] for s in segments) == "À rejeter"
    assert [s["count"] for s in segments] == [0, 1, 2, 5, 9, 14, 19]
    assert segments[0]["starts_at"] == 0
    assert segments[-1]["starts_at"] + segments[-1]["percent"] == pytest.approx(
        Decimal(100), abs=Decimal("0.1")
    )
    assert first["median_line"] == 50
    assert rows[1]["median_labels"]["en"] == "Fair"


def test_custom_grade_labels():
    results = majority_judgment({"A": [1, 2, 1]})
    rows = merit_profile(results, labels={"fr": ("Non", "Bof", "Oui"), "en": ("No", "Meh", "Yes")})
    assert rows[0]["sentences"]["en"] == "Majority grade: Meh; 75% judge it Meh or better."
    with pytest.raises(VotingError):
        merit_profile(results)  # seven default labels for three grades
