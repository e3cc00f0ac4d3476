from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from commons_fund.finances import services
from commons_fund.finances.models import FinancialYear
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory

from .factories import FinancialYearFactory

pytestmark = pytest.mark.django_db

FRENCH_FILE = """Année;Capital social;Nombre de parts;Valeur nominale;Capitaux propres;\
Report à nouveau;Produits d'exploitation;Charges d'exploitation;Résultat d'exploitation;\
CA non membres;Dons versés;Illustratif
2022;143 024;8939;16;67 400;-109 968;87 550;75 573;11 977;;;non
2023;147 792;9237;16;88 029,00 €;-97 991;91 194;76 050;15 144;12 931,31;875,50;non
"""


@pytest.fixture
def treasurer():
    return MembershipFactory(role=Role.TREASURER)


def _import(treasurer, text: str, *, replace=False, encoding="utf-8"):
    with translation.override("en"):
        return services.financial_years_import(
            organisation=treasurer.organisation,
            actor=treasurer.user,
            data=text.encode(encoding),
            replace=replace,
        )


def test_a_french_spreadsheet_export_is_imported(treasurer):
    report = _import(treasurer, FRENCH_FILE)
    assert (report.created, report.updated, report.rejected) == ([2022, 2023], [], [])
    accounts = FinancialYear.objects.get(organisation=treasurer.organisation, year=2023)
    assert accounts.equity.amount == Decimal("88029.00")
    assert accounts.retained_earnings.amount == Decimal(-97_991)
    assert accounts.non_member_revenue.amount == Decimal("12931.31")
    assert accounts.donations_made.amount == Decimal("875.50")
    assert accounts.net_result is None and accounts.shares_count == 9_237


def test_english_headers_commas_and_windows_encoding(treasurer):
    text = (
        "year,equity,retained_earnings,operating_revenue,operating_expenses,"
        "operating_result,notes\n2021,1000,-50,2000,1500,500,Comptes approuvés en AG\n"
    )
    assert _import(treasurer, text, encoding="cp1252").created == [2021]
    notes = FinancialYear.objects.get(organisation=treasurer.organisation).notes
    assert notes == "Comptes approuvés en AG"


def test_bad_rows_are_reported_and_nothing_is_imported(treasurer):
    text = FRENCH_FILE + (
        "2024;1000;;;x;0;-5;10;0;;;peut-être\n"  # amount, negative revenue, flag, shares
        "2023;1;1;1;1;0;10;5;5;;;non\n"  # the same year twice
        "2020;1000;10;100;1;0;10;20;10;;;non\n"  # result sign against revenue − expenses
        "2019;1000;10\n"
    )  # cells missing
    report = _import(treasurer, text)
    assert report.created == [] and not FinancialYear.objects.exists()
    lines = {line: (year, problems) for line, year, problems in report.rejected}
    assert set(lines) == {4, 5, 6, 7}
    year, problems = lines[4]
    assert year == 2024
    assert any(p.startswith("Equity (capitaux propres): “x” is not an amount") for p in problems)
    assert "Illustrative figures: Write “yes” or “no”." in problems
    assert "Operating revenue: The revenue cannot be negative." in problems
    assert "The file gives 2023 twice." in lines[5][1]
    assert any("opposite sign" in p for p in lines[6][1])
    assert lines[7] == (2019, ["3 cells where the header has 12."])


def test_a_year_already_entered_is_replaced_only_when_asked(treasurer):
    FinancialYearFactory(organisation=treasurer.organisation, year=2023)
    report = _import(treasurer, FRENCH_FILE)
    assert report.rejected == [(3, 2023, ["2023 is already entered; tick “replace” to update it."])]
    assert FinancialYear.objects.count() == 1
    report = _import(treasurer, FRENCH_FILE, replace=True)
    assert (report.created, report.updated) == ([2022], [2023])
    assert FinancialYear.objects.get(year=2023).equity.amount == Decimal(88_029)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The file is empty."),
        ("year;equity\n", "Missing columns: retained_earnings, operating_revenue"),
        ("year;equity;chiffre;retained_earnings\n", "Unknown columns: “chiffre”"),
        (
            "year;annee;equity;retained_earnings;operating_revenue;operating_expenses;"
            "operating_result\n",
            "Columns given twice: year",
        ),
        (
            "year;equity;retained_earnings;operating_revenue;operating_expenses;operating_result\n",
            "The file has no row of accounts.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(treasurer, text, message):
    with pytest.raises(ValidationError) as raised:
        _import(treasurer, text)
    assert message in raised.value.message_dict["file"][0]


def test_only_administrators_and_treasurers_enter_accounts(treasurer):
    member = MembershipFactory(organisation=treasurer.organisation, role=Role.MEMBER)
    with pytest.raises(PermissionDenied):
        services.financial_years_import(
            organisation=member.organisation, actor=member.user, data=FRENCH_FILE.encode()
        )
    with pytest.raises(PermissionDenied):
        services.financial_year_create(
            organisation=member.organisation, actor=member.user, year=2023, equity=Decimal(1)
        )
    accounts = FinancialYearFactory(organisation=treasurer.organisation)
    with pytest.raises(PermissionDenied):
        services.financial_year_delete(accounts=accounts, actor=member.user)
    with pytest.raises(PermissionDenied):
        services.finances_publish(
            organisation=member.organisation, actor=member.user, publish=False
        )


def test_create_update_delete_and_publish(treasurer):
    organisation, user = treasurer.organisation, treasurer.user
    accounts = services.financial_year_create(
        organisation=organisation,
        actor=user,
        year=2023,
        equity=Decimal(5_000),
        retained_earnings=Decimal(0),
        operating_revenue=Decimal(10_000),
        operating_expenses=Decimal(12_000),
        operating_result=Decimal(-2_000),
    )
    with pytest.raises(ValidationError) as raised:
        services.financial_year_update(
            accounts=accounts, actor=user, operating_result=Decimal(2_000)
        )
    assert "operating_result" in raised.value.message_dict
    accounts.refresh_from_db()
    assert accounts.operating_result.amount == Decimal(-2_000)
    services.financial_year_update(accounts=accounts, actor=user, net_result=Decimal(-1_500))
    assert FinancialYear.objects.get().result == Decimal(-1_500)
    services.finances_publish(organisation=organisation, actor=user, publish=False)
    organisation.refresh_from_db()
    assert not organisation.publish_finances
    services.financial_year_delete(accounts=accounts, actor=user)
    assert not FinancialYear.objects.exists()
