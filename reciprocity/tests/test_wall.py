from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commons_fund.members.tests.factories import (
    UserFactory,
)
from projects.tests.factories import ProjectFactory
from reciprocity import selectors, services
from reciprocity.tests.factories import declare_and_pay, signed_contract

pytestmark = pytest.mark.django_db


def test_the_wall_shows_givers_their_status_and_respects_hidden_amounts(client):
    project = ProjectFactory(name="Dokos")
    good = signed_contract(project=project, partner_department="14")
    for quarter in (1, 4, 7):
        declare_and_pay(good, date(2026, quarter, 1), "1 000")
    late = signed_contract(project=project)
    declare_and_pay(late, date(2026, 1, 1), "5 000")  # Q2 and Q3 never declared
    quiet = signed_contract(show_amounts=False)
    for quarter in (1, 4, 7):
        declare_and_pay(quiet, date(2026, quarter, 1), "3 000")
    today = date(2026, 11, 20)
    rows = {row.partner: row for row in selectors.reciprocity_wall(today=today)}
    assert (rows[good.partner].late, rows[good.partner].total) == (False, 300)
    assert (rows[late.partner].late, rows[late.partner].given) == (True, {2026: 500})
    assert rows[quiet.partner].hides_amounts and rows[quiet.partner].given == {}

    api = APIClient().get("/api/v1/reciprocity/wall/").json()
    by_slug = {row["partner"]: row for row in api}
    assert by_slug[quiet.partner.slug]["given"] is None
    assert by_slug[late.partner.slug]["up_to_date"] is False
    page = client.get("/fr/reciprocity/")
    assert page.status_code == 200 and good.partner.name in page.text

    providers = selectors.certified_providers(project=project)
    assert [(department, [p.name for p in partners]) for department, partners in providers] == [
        ("14 – Calvados", [good.partner.name]),
        ("", [late.partner.name]),
    ]
    detail = client.get(project.get_absolute_url())
    assert "14 – Calvados" in detail.text


def test_the_wall_queries_do_not_grow(client):
    signed_contract()
    with CaptureQueriesContext(connection) as few:
        client.get("/fr/reciprocity/")
    for _ in range(5):
        contract = signed_contract()
        declare_and_pay(contract, date(2026, 1, 1), "100")
    with CaptureQueriesContext(connection) as many:
        client.get("/fr/reciprocity/")
    assert len(many) == len(few)


def test_contracts_api_lists_only_what_i_may_see():
    contract = signed_contract()
    other = signed_contract()
    api = APIClient()
    assert api.get("/api/v1/reciprocity/contracts/").status_code in (401, 403)
    api.force_authenticate(contract.partner_admin)
    listed = api.get("/api/v1/reciprocity/contracts/").json()["results"]
    assert [c["reference"] for c in listed] == [contract.reference]
    assert listed[0]["pdf"].endswith(f"/reciprocity/contracts/{contract.pk}/pdf/")
    assert api.get(f"/api/v1/reciprocity/contracts/{other.pk}/").status_code == 404
    api.force_authenticate(UserFactory(is_staff=True))
    assert api.get("/api/v1/reciprocity/contracts/").json()["count"] == 2


def test_a_period_declared_late_and_still_unpaid_is_late_on_the_wall():
    """Issue #22: Data Patch left periods undeclared for 154 and 62 days; once it declared
    them, with 253,52 € unpaid, the wall said "à jour": the unpaid clock started at the
    declaration, not when the period's money fell due."""
    contract = signed_contract()
    for quarter in (1, 4):  # Q1 and Q2 2026, declared on 1 September, not paid
        services.declaration_create(
            contract=contract,
            actor=contract.partner_admin,
            period_start=date(2026, quarter, 1),
            revenue="1 267,60",
        )
    rows = {row.partner: row for row in selectors.reciprocity_wall(today=date(2026, 9, 2))}
    assert rows[contract.partner].late is True
    # Still within the grace after its period: a declaration not yet paid is not late.
    fresh = signed_contract()
    for quarter in (1, 4):
        declare_and_pay(fresh, date(2026, quarter, 1), "100")
    services.declaration_create(
        contract=fresh, actor=fresh.partner_admin, period_start=date(2026, 7, 1), revenue="100"
    )
    rows = {row.partner: row for row in selectors.reciprocity_wall(today=date(2026, 10, 15))}
    assert rows[fresh.partner].late is False
