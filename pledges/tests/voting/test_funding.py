import random
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pledges.voting import VotingError, quadratic_funding

from .reference import quadratic_funding_decimal as reference

D = Decimal


def test_the_formula_on_a_small_example():
    # p: contributors give 1 € and 4 €: (1 + 2)² − 5 = 4; q: a single contributor: no match
    contributions = [("ana", "p", D(1)), ("bob", "p", D(4)), ("ana", "q", D(9))]
    assert quadratic_funding(contributions, pool=D(100)) == {"p": D("100.00"), "q": D("0.00")}
    assert quadratic_funding(contributions, pool=D(100), mode="saturation") == {
        "p": D("4.00"),
        "q": D("0.00"),
    }


def test_contributions_of_one_contributor_to_one_project_are_summed_first():
    split = [("ana", "p", D(2)), ("ana", "p", D(2)), ("bob", "p", D(4))]
    whole = [("ana", "p", D(4)), ("bob", "p", D(4))]
    assert (
        quadratic_funding(split, pool=D(10), mode="saturation")
        == quadratic_funding(whole, pool=D(10), mode="saturation")
        == {"p": D("8.00")}
    )


def test_full_mode_pays_the_whole_pool_in_proportion():
    contributions = [(f"c{i}", "wide", D(1)) for i in range(10)] + [
        ("x", "narrow", D(5)),
        ("y", "narrow", D(5)),
    ]
    result = quadratic_funding(contributions, pool=D("1000.00"))
    assert sum(result.values()) == D("1000.00")
    assert result["wide"] > result["narrow"]  # ten small gifts beat two large ones
    assert result == reference(contributions, pool=D("1000.00"))


def test_the_cap_is_applied_by_water_filling():
    contributions = [(f"c{i}", "big", D(10)) for i in range(20)]
    contributions += [(f"d{i}", "mid", D(10)) for i in range(5)]
    contributions += [("e1", "small", D(10)), ("e2", "small", D(10))]
    result = quadratic_funding(contributions, pool=D(1000), cap=D("0.5"))
    assert result["big"] == D("500.00")
    assert sum(result.values()) == D("1000.00")
    assert result == reference(contributions, pool=D(1000), cap=D("0.5"))
    everyone_capped = quadratic_funding(contributions, pool=D(1000), cap=D("0.2"))
    assert set(everyone_capped.values()) == {D("200.00")}


def test_cents_add_up_exactly():
    contributions = [
        ("a", "x", D(1)),
        ("b", "x", D(1)),
        ("a", "y", D(1)),
        ("b", "y", D(1)),
        ("a", "z", D(1)),
        ("b", "z", D(1)),
    ]
    result = quadratic_funding(contributions, pool=D(100))
    assert sum(result.values()) == D(100)
    assert sorted(result.values()) == [D("33.33"), D("33.33"), D("33.34")]


@pytest.mark.parametrize(
    ("contributions", "pool", "options"),
    [
        ([("a", "p", D(0))], D(10), {}),
        ([("a", "p", D(-5))], D(10), {}),
        ([("a", "p", D("0.001"))], D(10), {}),
        ([("a", "p", D("NaN"))], D(10), {}),
        ([("a", "p", D("Infinity"))], D(10), {}),
        ([("a", "p", D(1)), ("b", "p", 1.0)], D(10), {}),  # a float, even equal to a Decimal
        ([("a", "p", "1.00")], D(10), {}),
        ([("a", "p", D(1)), ("b", "p", True)], D(10), {}),  # a bool, equal to 1
        ([("a", "p", D(1)), ("b", "p", D("sNaN"))], D(10), {}),  # cannot even be hashed
        ([("a", "p", D(1)), ("b", "p", D("-1")), ("c", "p", D("0.5"))], D(10), {}),
        ([("a", "p", D(1))], D(-10), {}),
        ([("a", "p", D(1))], D(10), {"mode": "half"}),
        ([("a", "p", D(1))], D(10), {"cap": D("1.5")}),
        ([("a", "p", D(1))], D(10), {"cap": D(0)}),
    ],
)
def test_bad_inputs_are_refused(contributions, pool, options):
    with pytest.raises(VotingError):
        quadratic_funding(contributions, pool=pool, **options)


def test_the_error_names_the_first_bad_contribution():
    contributions = [("a", "p", D(1)), ("b", "p", D(2)), ("c", "p", D("0.001")), ("d", "p", 1.5)]
    with pytest.raises(VotingError, match=r"^Contribution 2 .*Decimal\('0.001'\)"):
        quadratic_funding(contributions, pool=D(10))


def test_any_iterable_of_contributions_is_read_once():
    contributions = [("a", "p", D(1)), ("b", "p", D(4)), ("a", "q", D(9))]
    assert quadratic_funding(iter(contributions), pool=D(10)) == quadratic_funding(
        contributions, pool=D(10)
    )


def test_nobody_matched_pays_nothing():
    assert quadratic_funding([("a", "p", D(5)), ("b", "q", D(5))], pool=D(50)) == {
        "p": D("0.00"),
        "q": D("0.00"),
    }


amounts = st.decimals(min_value=D("0.01"), max_value=D(500), places=2)
contributions = st.lists(
    st.tuples(st.sampled_from(["a", "b", "c", "d", "e", "f"]), st.sampled_from("PQRS"), amounts),
    min_size=1,
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(
    contributions,
    st.decimals(min_value=0, max_value=100_000, places=2),
    st.sampled_from([None, D("0.1"), D("0.25"), D("0.5"), D(1)]),
    st.sampled_from(["full", "saturation"]),
)
def test_matches_the_50_digit_decimal_computation_to_the_cent(given_contributions, pool, cap, mode):
    ours = quadratic_funding(given_contributions, pool=pool, cap=cap, mode=mode)
    assert ours == reference(given_contributions, pool=pool, cap=cap, mode=mode)
    assert sum(ours.values()) <= pool
    assert all(value >= 0 for value in ours.values())
    if cap is not None:
        assert all(value <= cap * pool for value in ours.values())


def test_matches_the_reference_on_a_larger_random_case():
    rnd = random.Random(7)
    given_contributions = [
        (
            f"person{rnd.randrange(300)}",
            f"project{rnd.randrange(12)}",
            D(rnd.randrange(100, 20000)) / 100,
        )
        for _ in range(2000)
    ]
    for cap in (None, D("0.1")):
        assert quadratic_funding(given_contributions, pool=D("25000"), cap=cap) == reference(
            given_contributions, pool=D("25000"), cap=cap
        )
