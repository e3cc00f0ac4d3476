import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pledges.voting import BallotError, VotingError, approval, draw, quadratic_voting


def scores(results):
    return [(r.candidate, r.rank, r.score) for r in results]


def test_quadratic_voting_ranks_by_the_sum_of_votes():
    ballots = [{"A": 3, "B": 1}, {"B": 2, "C": 2}, {"C": 1}, {"A": 1}]
    assert scores(quadratic_voting(ballots, credits=10)) == [
        ("A", 1, 4),
        ("B", 2, 3),
        ("C", 2, 3),
    ]


def test_quadratic_voting_costs_the_square():
    quadratic_voting([{"A": 3, "B": 1}], credits=10)  # 9 + 1 = 10: exactly the budget
    with pytest.raises(BallotError) as raised:
        quadratic_voting([{"A": 1}, {"A": 3, "B": 2}], credits=10)
    assert raised.value.index == 1
    assert "Ballot 1: costs 13 credits" in str(raised.value)


def test_quadratic_voting_refusals():
    with pytest.raises(BallotError, match="negative"):
        quadratic_voting([{"A": -1}], credits=10)
    assert scores(quadratic_voting([{"A": -1, "B": 2}], credits=10, allow_negative=True)) == [
        ("B", 1, 2),
        ("A", 2, -1),
    ]
    with pytest.raises(BallotError, match="whole numbers"):
        quadratic_voting([{"A": 1.5}], credits=10)
    with pytest.raises(BallotError, match="whole numbers"):
        quadratic_voting([{"A": True}], credits=10)
    with pytest.raises(BallotError, match="Ballot 1: votes must be whole numbers"):
        quadratic_voting([{"A": 1}, {"A": "2"}], credits=10)
    with pytest.raises(BallotError, match="not a candidate"):
        quadratic_voting([{"Z": 1}], credits=10, candidates=["A", "B"])
    with pytest.raises(VotingError):
        quadratic_voting([], credits=-1)


def test_quadratic_voting_lists_every_candidate_when_given():
    results = quadratic_voting([{"A": 2}], credits=4, candidates=["A", "B"])
    assert scores(results) == [("A", 1, 2), ("B", 2, 0)]


@given(st.lists(st.dictionaries(st.sampled_from("ABCDE"), st.integers(0, 4)), max_size=30))
def test_quadratic_voting_sums(ballots):
    budget = max((sum(v * v for v in b.values()) for b in ballots), default=0)
    results = quadratic_voting(ballots, credits=budget)
    for result in results:
        assert result.score == sum(b.get(result.candidate, 0) for b in ballots)
    assert [r.score for r in results] == sorted((r.score for r in results), reverse=True)


def test_approval_counts_and_shares_ranks():
    results = approval([{"A", "B"}, {"B"}, {"A", "B", "C"}, set()])
    assert scores(results) == [("B", 1, 3), ("A", 2, 2), ("C", 3, 1)]
    tie = approval([{"A"}, {"B"}], candidates=["A", "B", "C"])
    assert scores(tie) == [("A", 1, 1), ("B", 1, 1), ("C", 3, 0)]


def test_approval_refusals():
    with pytest.raises(BallotError) as raised:
        approval([{"A"}, ["A", "A"]])
    assert raised.value.index == 1
    with pytest.raises(BallotError, match="not a candidate"):  # the rule quadratic_voting uses
        approval([{"Z"}], candidates=["A"])
    with pytest.raises(BallotError, match="not candidates: 'Y', 'Z'"):
        approval([{"Z", "Y"}], candidates=["A"])


def test_draw_is_the_published_sha256_order():
    order = draw(["normandie-libre", "data-patch", "framasoft"], "round-12-2026-11-30")
    tickets = {c: hashlib.sha256(f"round-12-2026-11-30:{c}".encode()).hexdigest() for c in order}
    assert order == sorted(tickets, key=tickets.get)
    assert draw(list(reversed(order)), "round-12-2026-11-30") == order  # input order is irrelevant


def test_draw_refusals():
    for candidates, seed in (([], "s"), (["a", "a"], "s"), (["a"], "")):
        with pytest.raises(VotingError):
            draw(candidates, seed)
