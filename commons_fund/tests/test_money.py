from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from commons_fund import money

D = Decimal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 234,50", "1234.50"),
        ("1234.5", "1234.50"),
        ("12,3 €", "12.30"),
        ("1\u202f234,50\u00a0€", "1234.50"),
        ("1.234,50", "1234.50"),
        ("1,234.50", "1234.50"),
        ("20 euros", "20.00"),
        ("EUR 7", "7.00"),
        (" 0,01 ", "0.01"),
        ("1000000000", "1000000000.00"),
    ],
)
def test_parse_amount_reads_what_people_type(text, expected):
    assert money.parse_amount(text) == D(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("NaN", "invalid"),
        ("inf", "invalid"),
        ("-Infinity", "invalid"),
        ("", "invalid"),
        ("douze", "invalid"),
        ("1,2,3", "invalid"),
        ("1.2.3", "invalid"),
        ("1e5", "invalid"),
        ("-5", "negative"),
        ("0", "zero"),
        ("0,00", "zero"),
        ("1,234", "ambiguous"),
        ("1.500", "ambiguous"),  # #20: read as 1,50 €
        ("2.000", "ambiguous"),  # #20: read as 2,00 €
        ("1,500", "ambiguous"),
        ("-12.000 €", "ambiguous"),
        ("1234,567", "decimals"),  # four figures before: not a group of thousands
        ("0,001", "decimals"),
        ("1000000000,01", "too_large"),
        ("9" * 40, "too_large"),
    ],
)
def test_parse_amount_refuses_with_a_clear_code(text, code):
    with pytest.raises(ValidationError) as raised:
        money.parse_amount(text)
    assert raised.value.code == code
    assert raised.value.messages[0]


def test_an_ambiguous_amount_is_explained_with_both_readings():
    with pytest.raises(ValidationError) as raised:
        money.parse_amount("1.500")
    message = raised.value.messages[0].replace("\u202f", " ").replace("\xa0", " ")
    assert "1 500" in message and "1500,00" in message and "1,50" in message
    with pytest.raises(ValidationError) as raised:
        money.parse_amount("1,234")
    assert "1 234" in raised.value.messages[0].replace("\u202f", " ")


def test_parse_amount_options():
    assert money.parse_amount("0", allow_zero=True) == D("0.00")
    assert money.parse_amount("-5", allow_negative=True) == D("-5.00")
    with pytest.raises(ValidationError):
        money.parse_amount(D("NaN"))


def test_rounding_is_half_up_to_the_cent():
    assert money.round_cents(D("0.005")) == D("0.01")
    assert money.round_cents(D("0.0049")) == D("0.00")
    assert money.round_cents(D("2.675")) == D("2.68")
    assert money.round_cents(D("-0.005")) == D("-0.01")


def test_minor_units_are_exact():
    assert money.minor_units(D("1234.50")) == 123450
    assert money.from_minor_units(123450) == D("1234.50")
    assert money.minor_units(D("500"), "JPY") == 500
    with pytest.raises(ValueError):
        money.minor_units(D("0.001"))


def test_the_issue_examples():
    assert money.split_evenly(D("875.50"), 2) == [D("437.75"), D("437.75")]
    assert money.split_evenly(D("100"), 3) == [D("33.34"), D("33.33"), D("33.33")]
    assert money.split_by_weights(D("10"), [1, 0, 1]) == [D("5.00"), D("0.00"), D("5.00")]
    assert money.split_by_weights(D("100"), [D("0.3"), D("0.4"), D("0.3")]) == [
        D("30.00"),
        D("40.00"),
        D("30.00"),
    ]


def test_french_formatting():
    assert money.format_amount(D("1234.5"), language="fr") == "1\u202f234,50\u00a0€"
    assert money.format_amount(D("1234.5"), language="en") == "€1,234.50"


def test_mixed_currencies_raise():
    assert money.ensure_same_currency("EUR", "EUR") == "EUR"
    with pytest.raises(money.CurrencyMismatch):
        money.ensure_same_currency("EUR", "CHF")


amounts = st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False)


@given(amounts, st.integers(min_value=1, max_value=200))
def test_even_splits_add_up_and_differ_by_at_most_a_cent(amount, parts):
    shares = money.split_evenly(amount, parts)
    assert len(shares) == parts
    assert sum(shares) == amount
    assert min(shares) >= 0
    assert max(shares) - min(shares) <= D("0.01")


@given(amounts, st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=50))
def test_weighted_splits_add_up_and_stay_within_a_cent_of_the_exact_share(amount, weights):
    if sum(weights) == 0:
        with pytest.raises(ValueError):
            money.split_by_weights(amount, weights)
        return
    shares = money.split_by_weights(amount, weights)
    assert sum(shares) == amount
    assert all(share >= 0 for share in shares)
    for share, weight in zip(shares, weights, strict=True):
        exact = amount * weight / sum(weights)
        assert abs(share - exact) < D("0.01")


@given(st.decimals(min_value=D("0.01"), max_value=10**9, places=2))
def test_formatting_then_parsing_gives_the_amount_back(amount):
    for language in ("fr", "en"):
        assert money.parse_amount(money.format_amount(amount, language=language)) == amount
