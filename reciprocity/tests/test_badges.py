from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from reciprocity import services
from reciprocity.tests.factories import declare_and_pay, signed_contract

pytestmark = pytest.mark.django_db


def _badge(client, organisation, name="reciprocity"):
    return client.get(f"/fr/organisations/{organisation.slug}/badges/{name}.svg")


def test_a_partner_up_to_date_shows_it_and_a_late_one_too(client):
    contract = signed_contract()
    # Every quarter ended is declared and paid: up to date.
    today = timezone.localdate()
    start = date(2026, 1, 1)
    while (end := _quarter_end(start)) < today:
        declare_and_pay(contract, start, "1 000")
        start = end + timedelta(days=1)
    response = _badge(client, contract.partner)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "public" in response["Cache-Control"]
    svg = response.content.decode()
    assert svg.startswith("<svg xmlns=")
    assert 'aria-label="Partenaire réciprocité\u202f: à jour"' in svg
    assert "#17623f" in svg

    late = signed_contract()  # a year of quarters never declared
    svg = _badge(client, late.partner).content.decode()
    assert "<title>Partenaire réciprocité\u202f: en retard</title>" in svg
    assert "#9a3412" in svg


def _quarter_end(start: date) -> date:
    month = start.month + 3
    following = date(start.year + (month > 12), (month - 1) % 12 + 1, 1)
    return following - timedelta(days=1)


def test_no_badge_without_a_contract_or_a_policy_and_none_for_unknown_organisations(client):
    organisation = OrganisationFactory()
    assert _badge(client, organisation).status_code == 404
    assert _badge(client, organisation, "one-percent").status_code == 404
    assert client.get("/fr/organisations/nobody/badges/reciprocity.svg").status_code == 404
    assert (
        client.post(f"/fr/organisations/{organisation.slug}/badges/reciprocity.svg").status_code
        == 405
    )


@pytest.mark.parametrize(
    ("years_ago", "percent", "shown"),
    [(0, "1", True), (1, "1.5", True), (2, "1", False), (0, "0.5", False)],
)
def test_the_one_percent_badge_for_this_year_or_the_last(client, years_ago, percent, shown):
    giver = MembershipFactory(role=Role.TREASURER)
    year = timezone.localdate().year - years_ago
    services.policy_set(
        organisation=giver.organisation,
        actor=giver.user,
        year=year,
        percent=percent,
        base_revenue=Decimal("10000"),
        beneficiaries=[(OrganisationFactory(), 1)],
    )
    response = _badge(client, giver.organisation, "one-percent")
    assert response.status_code == (200 if shown else 404)
    if shown:
        assert f"<title>1\u202f% pour le libre\u202f: {year}</title>" in response.content.decode()


def test_the_organisation_page_offers_its_badges_with_the_code_to_copy(client):
    contract = signed_contract()
    page = client.get(contract.partner.get_absolute_url()).content.decode()
    badge = f"http://testserver/fr/organisations/{contract.partner.slug}/badges/reciprocity.svg"
    assert f'<img src="{badge}"' in page
    assert f'&lt;a href="http://testserver/fr/reciprocity/"&gt;&lt;img src="{badge}"' in page
    assert "badges/one-percent.svg" not in page  # not earned

    bare = client.get(OrganisationFactory().get_absolute_url()).content.decode()
    assert 'id="badges-title"' not in bare
