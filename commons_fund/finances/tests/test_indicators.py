from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commons_fund.finances import indicators

D = Decimal


def test_share_value_is_the_equity_per_share_below_the_nominal():
    # Ouvaton 2023: 88 029 € of equity for 9 237 shares of 16 € → 9,53 €.
    assert indicators.share_value(nominal=D(16), equity=D(88_029), shares=9_237) == D("9.53")
    # Ouvaton 2022: 7,54 € published (67 400 € for 8 939 shares).
    assert indicators.share_value(nominal=D(16), equity=D(67_400), shares=8_939) == D("7.54")


def test_share_value_never_above_the_nominal_nor_below_zero():
    assert indicators.share_value(nominal=D(16), equity=D(1_000_000), shares=10) == D("16.00")
    assert indicators.share_value(nominal=D(16), equity=D(-5_000), shares=10) == D("0.00")
    assert indicators.share_value(nominal=None, equity=D(100), shares=None) is None
    assert indicators.share_value(nominal=D(16), equity=D(100), shares=0) is None


def test_runway_is_the_equity_over_the_loss():
    assert indicators.runway_years(equity=D(88_029), result=D(-20_000)) == D("4.4")
    assert indicators.runway_years(equity=D(-3_000), result=D(-20_000)) == D("0.0")
    assert indicators.runway_years(equity=D(88_029), result=D(15_144)) is None
    assert indicators.runway_years(equity=D(88_029), result=D(0)) is None


def test_half_capital_gap_and_years_to_close_it():
    # The example: capital 147 792 €, retained −97 991 €, result +15 144 €.
    half = indicators.half_capital(
        share_capital=D(147_792), retained_earnings=D(-97_991), result=D(15_144)
    )
    assert half.threshold == D("73896.00")
    assert half.losses == D(97_991)
    assert half.gap == D("24095.00")
    assert half.years_to_close == D("1.6")
    assert half.crossed


def test_half_capital_under_the_threshold_or_with_a_loss():
    under = indicators.half_capital(
        share_capital=D(147_792), retained_earnings=D(-50_000), result=D(15_144)
    )
    assert under.gap == 0 and under.years_to_close is None and not under.crossed
    losing = indicators.half_capital(
        share_capital=D(147_792), retained_earnings=D(-97_991), result=D(-1_000)
    )
    assert losing.gap == D("24095.00") and losing.years_to_close is None
    profits = indicators.half_capital(
        share_capital=D(1_000), retained_earnings=D(5_000), result=D(10)
    )
    assert profits.losses == 0 and profits.gap == 0
    assert indicators.half_capital(share_capital=None, retained_earnings=D(0), result=D(1)) is None


def test_revenue_from_non_members_against_the_cap():
    share = indicators.non_member_share(
        non_member_revenue=D("12931.31"), revenue=D(91_194), cap=D(20)
    )
    assert share.percent == D("14.18") and share.within_cap
    above = indicators.non_member_share(non_member_revenue=D(25_000), revenue=D(100_000), cap=D(20))
    assert above.percent == D("25.00") and not above.within_cap
    at_cap = indicators.non_member_share(
        non_member_revenue=D(20_000), revenue=D(100_000), cap=D(20)
    )
    assert at_cap.within_cap
    assert indicators.non_member_share(non_member_revenue=None, revenue=D(1), cap=D(20)) is None
    assert indicators.non_member_share(non_member_revenue=D(0), revenue=D(0), cap=D(20)) is None


def test_accounts_needed_to_break_even():
    # 1 827 accounts bring 60 900 €; expenses of 100 000 € need 3 000 of them.
    even = indicators.break_even_accounts(expenses=D(100_000), revenue=D(60_900), accounts=1_827)
    assert (even.needed, even.current, even.gap) == (3_000, 1_827, 1_173)
    covered = indicators.break_even_accounts(expenses=D(76_050), revenue=D(91_194), accounts=1_827)
    assert (covered.needed, covered.gap) == (1_524, 0)  # 1 523,6 rounds up to a whole account
    assert indicators.break_even_accounts(expenses=D(1), revenue=D(1), accounts=None) is None
    assert indicators.break_even_accounts(expenses=D(1), revenue=D(0), accounts=5) is None


def test_yearly_donation_is_the_share_of_the_previous_revenue():
    assert indicators.donation_due(previous_revenue=D(87_550)) == D("875.50")
    assert indicators.donation_due(previous_revenue=D(87_555), percent=D("0.5")) == D("437.78")
    assert indicators.donation_due(previous_revenue=None) is None


def test_rebate_split_by_services_billed_to_the_cent():
    rebate = indicators.rebate_split(
        surplus=D(1_000), part_percent=D(10), billed=[("A", D(1)), ("B", D(1)), ("C", D(1))]
    )
    assert rebate.total == D("100.00")
    assert [share for _name, _billed, share in rebate.lines] == [D("33.34"), D("33.33"), D("33.33")]
    weighted = indicators.rebate_split(
        surplus=D("15144"),
        part_percent=D(50),
        billed=[("Atelier", D(1_200)), ("Librairie", D(3_600)), ("Mairie", D(0))],
    )
    assert [line[2] for line in weighted.lines] == [D("1893.00"), D("5679.00"), D("0.00")]
    assert weighted.per_hundred() == D("157.75")


def test_no_rebate_without_a_surplus_or_without_services():
    assert (
        indicators.rebate_split(surplus=D(-500), part_percent=D(50), billed=[("A", D(10))]).total
        == 0
    )
    nothing_billed = indicators.rebate_split(
        surplus=D(500), part_percent=D(50), billed=[("A", D(0))]
    )
    assert nothing_billed.total == 0 and nothing_billed.per_hundred() is None
    with pytest.raises(ValueError):
        indicators.rebate_split(surplus=D(1), part_percent=D(101), billed=[])


amounts = st.decimals(min_value=0, max_value=10**7, places=2)


@given(
    surplus=st.decimals(min_value=-(10**6), max_value=10**7, places=2),
    part=st.decimals(min_value=0, max_value=100, places=2),
    billed=st.lists(amounts, min_size=1, max_size=30),
)
def test_rebate_shares_add_up_exactly_and_stay_within_a_cent(surplus, part, billed):
    rebate = indicators.rebate_split(
        surplus=surplus,
        part_percent=part,
        billed=[(str(i), amount) for i, amount in enumerate(billed)],
    )
    shares = [line[2] for line in rebate.lines]
    assert sum(shares) == rebate.total
    assert all(share >= 0 and share == share.quantize(D("0.01")) for share in shares)
    if sum(billed) > 0:
        for amount, share in zip(billed, shares, strict=True):
            assert abs(share - rebate.total * amount / sum(billed)) < D("0.01")


@given(
    nominal=st.decimals(min_value=D("0.01"), max_value=10_000, places=2),
    equity=st.decimals(min_value=-(10**8), max_value=10**8, places=2),
    shares=st.integers(min_value=1, max_value=10**6),
)
def test_share_value_lies_between_zero_and_the_nominal(nominal, equity, shares):
    value = indicators.share_value(nominal=nominal, equity=equity, shares=shares)
    assert 0 <= value <= nominal
