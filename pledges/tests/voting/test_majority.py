import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pledges.voting import VotingError, majority_judgment

from .reference import drmaciver_majority_judgement, naive_ranking


def ranking(profiles):
    return [(r.candidate, r.rank) for r in majority_judgment(profiles)]


def test_tennessee_capital():
    """The classic example (grades worst → best: Poor, Acceptable, Good, Very good,
    Excellent), in percent of voters: Nashville wins over Chattanooga on the gauge."""
    results = majority_judgment(
        {
            "Memphis": [58, 0, 0, 0, 42],
            "Nashville": [0, 0, 32, 42, 26],
            "Chattanooga": [0, 0, 42, 43, 15],
            "Knoxville": [0, 42, 26, 15, 17],
        }
    )
    assert [(r.candidate, r.rank, r.median_grade) for r in results] == [
        ("Nashville", 1, 3),
        ("Chattanooga", 2, 3),
        ("Knoxville", 3, 2),
        ("Memphis", 4, 0),
    ]
    nashville = results[0]
    assert (nashville.above, nashville.below) == (26, 32)


def test_one_voter():
    assert ranking({"A": [0, 1, 0], "B": [0, 0, 1], "C": [1, 0, 0]}) == [
        ("B", 1),
        ("A", 2),
        ("C", 3),
    ]


def test_even_number_of_judgments_uses_the_lower_median():
    results = majority_judgment({"A": [2, 2], "B": [1, 3]})
    assert [(r.candidate, r.median_grade) for r in results] == [("B", 1), ("A", 0)]


def test_odd_number_of_judgments():
    results = majority_judgment({"A": [1, 1, 1], "B": [0, 2, 1]})
    assert [(r.candidate, r.median_grade, r.rank) for r in results] == [
        ("B", 1, 1),
        ("A", 1, 2),
    ]


def test_all_equal_profiles_share_the_first_rank():
    results = majority_judgment({"A": [1, 2, 3], "B": [1, 2, 3], "C": [1, 2, 3]})
    assert {r.rank for r in results} == {1}


def test_shared_rank_then_skip():
    assert ranking({"A": [0, 3], "B": [0, 3], "C": [3, 0]}) == [("A", 1), ("B", 1), ("C", 3)]


def test_a_candidate_everyone_rejects_comes_last():
    results = majority_judgment({"A": [5, 0, 0], "B": [4, 1, 0], "C": [0, 0, 5]})
    assert results[-1].candidate == "A"
    assert results[-1].median_grade == 0
    assert results[-1].share_below == 0


def test_candidates_differing_only_after_many_removals():
    profiles = {"A": [1, 0, 98, 0, 1], "B": [0, 1, 98, 1, 0]}
    assert ranking(profiles) == [("B", 1), ("A", 2)]
    assert ranking(profiles) == naive_ranking(profiles)


def test_huge_electorates_are_exact():
    """Counts beyond float precision (10³⁰ + 1 == 10³⁰ in floats) still compare exactly."""
    big = 10**30
    profiles = {"A": [big, 1, big], "B": [big, 0, big + 1]}
    results = majority_judgment(profiles)
    assert [(r.candidate, r.median_grade) for r in results] == [("B", 2), ("A", 1)]
    assert ranking({"A": [3, 1, 3], "B": [3, 0, 4]}) == ranking(profiles)


@pytest.mark.parametrize(
    "profiles",
    [
        {},
        {"A": [1, 2], "B": [1, 1]},
        {"A": [1, 2], "B": [1, 1, 1]},
        {"A": [0, 0]},
        {"A": [1, -1, 3]},
        {"A": [1.5, 1]},
        {"A": [True, 1]},
    ],
)
def test_bad_profiles_are_refused(profiles):
    with pytest.raises(VotingError):
        majority_judgment(profiles)


@st.composite
def elections(draw, max_candidates=6, max_grades=7, max_voters=30):
    grades = draw(st.integers(min_value=2, max_value=max_grades))
    voters = draw(st.integers(min_value=1, max_value=max_voters))
    names = draw(
        st.lists(st.text(min_size=1, max_size=3), min_size=1, max_size=max_candidates, unique=True)
    )
    profiles = {}
    for name in names:
        judgments = draw(
            st.lists(
                st.integers(min_value=0, max_value=grades - 1), min_size=voters, max_size=voters
            )
        )
        profiles[name] = [judgments.count(grade) for grade in range(grades)]
    return profiles


@settings(max_examples=400)
@given(elections())
def test_agrees_with_the_naive_reference(profiles):
    fast = ranking(profiles)
    naive = naive_ranking(profiles)
    assert [rank for _c, rank in fast] == [rank for _c, rank in naive]
    assert dict(fast) == dict(naive)


@given(elections(), st.randoms())
def test_invariant_under_candidate_order(profiles, rnd):
    shuffled = list(profiles.items())
    rnd.shuffle(shuffled)
    assert dict(ranking(profiles)) == dict(ranking(dict(shuffled)))


@given(elections())
def test_ranking_is_a_total_preorder(profiles):
    results = majority_judgment(profiles)
    ranks = [r.rank for r in results]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    for earlier, later in itertools.pairwise(results):
        assert (earlier.rank == later.rank) == (earlier.counts == later.counts)


@given(elections(), st.data())
def test_a_better_judgment_never_lowers_a_candidate(profiles, data):
    candidate = data.draw(st.sampled_from(sorted(profiles)))
    counts = list(profiles[candidate])
    movable = [g for g in range(len(counts) - 1) if counts[g]]
    if not movable:
        return
    grade = data.draw(st.sampled_from(movable))
    better = dict(profiles)
    counts[grade] -= 1
    counts[grade + 1] += 1
    better[candidate] = counts
    before, after = dict(ranking(profiles)), dict(ranking(better))
    for other in profiles:
        if other != candidate and before[candidate] <= before[other]:
            assert after[candidate] <= after[other]


def test_agrees_with_majorityjudgement_on_5000_random_elections():
    MajorityJudgement = drmaciver_majority_judgement()
    if MajorityJudgement is None:
        pytest.skip("the majorityjudgement package is not installed")
    rnd = random.Random(20261123)
    for _ in range(5000):
        grades = rnd.randint(2, 7)
        voters = rnd.randint(1, 25)
        profiles = {}
        for name in "ABCDE"[: rnd.randint(2, 5)]:
            judgments = [rnd.randrange(grades) for _ in range(voters)]
            profiles[name] = [judgments.count(g) for g in range(grades)]
        ours = majority_judgment(profiles)
        theirs = {name: MajorityJudgement(counts) for name, counts in profiles.items()}
        for better, worse in itertools.pairwise(ours):
            if better.rank == worse.rank:
                assert theirs[better.candidate] == theirs[worse.candidate]
            else:
                assert theirs[better.candidate] > theirs[worse.candidate]
