from decimal import Decimal

import pytest
from django.utils import translation

from commons_fund.finances.selectors import finances_overview, finances_summary
from commons_fund.members.models import User
from commons_fund.members.tests.factories import OrganisationFactory
from reciprocity import selectors as reciprocity_selectors
from reciprocity import services as reciprocity_services
from reciprocity.models import RevenueSharePolicy

from .factories import OUVATON_2023, FinancialYearFactory

pytestmark = pytest.mark.django_db


def _ouvaton():
    """2019 at a loss, then four positive years, the last being the published 2023."""
    organisation = OrganisationFactory(name="Ouvaton", slug="ouvaton")
    for year, revenue, expenses in [
        (2019, 76_400, 82_900),
        (2020, 80_100, 77_300),
        (2021, 83_900, 76_200),
        (2022, 87_550, 75_573),
    ]:
        FinancialYearFactory(
            organisation=organisation,
            year=year,
            operating_revenue=Decimal(revenue),
            operating_expenses=Decimal(expenses),
        )
    FinancialYearFactory(organisation=organisation, **OUVATON_2023)
    return organisation


def _plain(text: str) -> str:
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def test_the_summary_in_plain_words():
    overview = finances_overview(organisation=_ouvaton())
    assert [figures.year for figures in overview.years] == [2019, 2020, 2021, 2022, 2023]
    assert overview.positive_streak == 4
    with translation.override("en"):
        summary = finances_summary(overview=overview)
    assert summary == [
        "Result positive for 4 years in a row (€15,144.00 in 2023).",
        "The retained losses exceed half the share capital by €24,095.00; at this pace they "
        "fall under half the capital in about 1.6 years.",
        "A share of €16.00 is repaid €9.53 to a member who leaves.",
        "14.18% of the revenue comes from non-members, within the 20% cap.",
    ]
    with translation.override("fr"):
        french = [_plain(s) for s in finances_summary(overview=overview)]
    assert french[0] == "Résultat positif 4 années de suite (15 144,00 € en 2023)."
    assert "dans environ 1,6 ans" in french[1]


def test_a_loss_making_year_gives_the_runway():
    accounts = FinancialYearFactory(
        operating_revenue=Decimal(40_000),
        operating_expenses=Decimal(60_000),
        equity=Decimal(50_000),
        retained_earnings=Decimal(-8_000),
    )
    overview = finances_overview(organisation=accounts.organisation)
    latest = overview.latest
    assert latest.runway == Decimal("2.5") and overview.positive_streak == 0
    with translation.override("en"):
        summary = finances_summary(overview=overview)
    assert summary[0] == (
        "Loss of €20,000.00 in 2023: at this rate the equity would last about 2.5 years."
    )
    assert summary[1] == (
        "The retained losses exceed half the share capital by €3,000.00 and "
        "the result does not reduce them."
    )


def test_one_year_and_no_year():
    accounts = FinancialYearFactory(share_capital=None, shares_count=None, nominal_share_value=None)
    overview = finances_overview(organisation=accounts.organisation)
    latest = overview.latest
    assert latest.share_value is None and latest.half_capital is None
    assert latest.donation_due is None  # no previous year to take 1 % of
    with translation.override("en"):
        assert finances_summary(overview=overview) == ["Result positive in 2023 (€5,000.00)."]
    empty = finances_overview(organisation=OrganisationFactory())
    assert empty.latest is None and finances_summary(overview=empty) == []


def test_the_donation_follows_the_policy_or_one_percent():
    organisation = _ouvaton()
    latest = finances_overview(organisation=organisation).latest
    assert (latest.donation_percent, latest.donation_policy) == (Decimal(1), False)
    assert latest.donation_due == Decimal("875.50")  # 1 % of 87 550 € (2022)
    RevenueSharePolicy.objects.create(
        organisation=organisation, year=2023, percent=Decimal(2), created_by=User.objects.create()
    )
    latest = finances_overview(organisation=organisation).latest
    assert latest.donation_policy and latest.donation_due == Decimal("1751.00")


def test_a_policy_without_revenue_reads_the_previous_years_accounts():
    organisation = _ouvaton()
    beneficiary = OrganisationFactory(name="Debian France")
    treasurer = User.objects.create(email="t@example.org", is_staff=True)
    policy = reciprocity_services.policy_set(
        organisation=organisation,
        actor=treasurer,
        year=2023,
        percent="1",
        base_revenue=None,
        beneficiaries=[(beneficiary, 1), (OrganisationFactory(), 1)],
    )
    amounts = reciprocity_selectors.policy_amounts(policy=policy)
    assert (amounts.base, amounts.total) == (Decimal(87_550), Decimal("875.50"))
    assert [share for _b, share in amounts.shares] == [Decimal("437.75"), Decimal("437.75")]
    (listed,) = reciprocity_selectors.policies_with_amounts()
    assert listed.total == Decimal("875.50")
    later = reciprocity_services.policy_set(
        organisation=organisation,
        actor=treasurer,
        year=2026,
        percent="1",
        base_revenue=None,
        beneficiaries=[(beneficiary, 1)],
    )
    assert reciprocity_selectors.policy_amounts(policy=later).total is None  # no 2025 accounts


@pytest.mark.parametrize("years", [1, 12])
def test_the_overview_reads_two_queries_whatever_the_years(django_assert_num_queries, years):
    organisation = OrganisationFactory()
    for year in range(2024 - years, 2024):
        FinancialYearFactory(organisation=organisation, year=year)
    with django_assert_num_queries(2):
        overview = finances_overview(organisation=organisation)
        with translation.override("en"):
            finances_summary(overview=overview)
