import pytest

from commons_fund.members.tests.factories import OrganisationFactory

from .factories import OUVATON_2023, FinancialYearFactory

pytestmark = pytest.mark.django_db


def test_the_years_and_their_indicators(client):
    accounts = FinancialYearFactory(**OUVATON_2023)
    FinancialYearFactory(
        organisation=accounts.organisation,
        year=2022,
        operating_revenue=87_550,
        operating_expenses=75_573,
    )
    response = client.get(
        f"/api/v1/organisations/{accounts.organisation.slug}/finances/", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    data = response.json()
    assert [year["year"] for year in data["years"]] == [2022, 2023]
    latest = data["years"][1]
    assert latest["accounts"]["retained_earnings"] == "-97991.00"
    assert latest["accounts"]["currency"] == "EUR"
    assert latest["accounts"]["net_result"] is None
    indicators = latest["indicators"]
    assert indicators["share_value"] == "9.53"
    assert indicators["runway_years"] is None
    assert indicators["half_capital"] == {
        "threshold": "73896.00",
        "losses": "97991.00",
        "gap": "24095.00",
        "years_to_close": "1.6",
        "crossed": True,
    }
    assert indicators["non_members"] == {"percent": "14.18", "cap": "20.00", "within_cap": True}
    assert indicators["donation_due"] == "875.50"
    assert indicators["break_even"] is None
    assert data["summary"][0].startswith("Result positive for 2 years in a row")


def test_no_accounts_and_unknown_organisation(client):
    organisation = OrganisationFactory()
    response = client.get(f"/api/v1/organisations/{organisation.slug}/finances/")
    assert response.json() == {"organisation": organisation.slug, "summary": [], "years": []}
    response = client.get("/api/v1/organisations/nobody/finances/")
    assert response.status_code == 404 and "detail" in response.json()


def test_the_schema_documents_the_endpoint(client):
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/organisations/{slug}/finances/" in schema["paths"]
