from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from commons_fund.finances.models import FinancialYear
from commons_fund.models import save_validated

from .factories import OUVATON_2023, FinancialYearFactory

pytestmark = pytest.mark.django_db


def _errors(**changes) -> dict:
    accounts = FinancialYearFactory.build(
        organisation=FinancialYearFactory().organisation, **{"year": 2022, **changes}
    )
    with pytest.raises(ValidationError) as raised:
        accounts.full_clean()
    return raised.value.message_dict


def test_signs_must_be_consistent():
    assert "operating_revenue" in _errors(operating_revenue=Decimal(-1))
    assert "operating_expenses" in _errors(operating_expenses=Decimal(-1))
    assert "share_capital" in _errors(share_capital=Decimal(-10))
    assert "donations_made" in _errors(donations_made=Decimal(-10))
    assert "nominal_share_value" in _errors(nominal_share_value=Decimal(0))
    # Revenue above expenses with a negative operating result: a sign typed wrong.
    message = _errors(operating_result=Decimal(-5_000))["operating_result"][0]
    assert "signe contraire" in message
    assert "operating_result" in _errors(
        operating_revenue=Decimal(50_000),
        operating_expenses=Decimal(55_000),
        operating_result=Decimal(5_000),
    )


def test_non_members_revenue_is_part_of_the_revenue():
    assert "non_member_revenue" in _errors(non_member_revenue=Decimal(60_001))
    assert "non_member_cap" in _errors(non_member_cap=Decimal(0))


def test_shares_and_nominal_go_together():
    assert "nominal_share_value" in _errors(nominal_share_value=None)
    assert "shares_count" in _errors(shares_count=None)
    FinancialYearFactory.build(
        organisation=FinancialYearFactory().organisation,
        year=2022,
        shares_count=None,
        nominal_share_value=None,
        share_capital=None,
    ).full_clean()


def test_a_year_that_has_not_started_has_no_accounts():
    assert "year" in _errors(year=2100)


def test_a_year_is_entered_once_per_organisation():
    accounts = FinancialYearFactory()
    again = FinancialYearFactory.build(organisation=accounts.organisation, year=accounts.year)
    with pytest.raises(ValidationError, match="déjà saisis"):
        save_validated(again)
    FinancialYearFactory(year=accounts.year)  # another organisation, same year: fine


def test_the_database_refuses_what_validation_refuses():
    accounts = FinancialYearFactory()
    for field, value in [
        ("operating_revenue", -1),
        ("operating_expenses", -1),
        ("share_capital", -1),
        ("non_member_revenue", 70_000),
        ("nominal_share_value", 0),
        ("non_member_cap", 101),
    ]:
        with pytest.raises(IntegrityError), transaction.atomic():
            FinancialYear.objects.filter(pk=accounts.pk).update(**{field: value})


def test_shares_times_nominal_off_the_capital_by_more_than_a_euro_is_a_warning():
    ouvaton = FinancialYearFactory.build(**OUVATON_2023)
    assert ouvaton.warnings() == []  # 9 237 × 16 € = 147 792 €
    close = FinancialYearFactory.build(**{**OUVATON_2023, "share_capital": Decimal("147792.90")})
    assert close.warnings() == []
    off = FinancialYearFactory.build(**{**OUVATON_2023, "share_capital": Decimal(150_000)})
    with translation.override("fr"):
        (warning,) = off.warnings()
    assert "9237" in warning and "147\u202f792,00\u00a0€" in warning


def test_an_operating_result_other_than_revenue_minus_expenses_is_a_warning():
    accounts = FinancialYearFactory.build(**{**OUVATON_2023, "operating_result": Decimal(14_000)})
    accounts.full_clean(exclude=["organisation"])
    assert len(accounts.warnings()) == 1


def test_indicators_read_the_net_result_when_known():
    accounts = FinancialYearFactory.build(**OUVATON_2023)
    assert accounts.result == Decimal(15_144)
    accounts.net_result = Decimal(-2_000)
    assert accounts.result == Decimal(-2_000)
