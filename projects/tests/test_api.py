import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from commons_fund.members.tests.factories import UserFactory
from projects.models import BudgetLine, Contribution, FundingSource, Project, Step

from .factories import BudgetLineFactory, ProjectFactory, StepFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/projects/"


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def project(admin):
    project = ProjectFactory(
        host=admin.organisation,
        slug="movilab",
        name="Movilab",
        kind="documentation",
        licence="CC-BY-SA-4.0",
    )
    BudgetLineFactory(step=StepFactory(project=project, position=1), lump_sum="22000")
    return project


def test_list_filters_and_rejects_unknown_values(api, project):
    ProjectFactory(name="Bouquet normand", kind="bundle", regions=["28"])
    names = lambda **query: [p["name"] for p in api.get(URL, query).json()["results"]]  # noqa: E731
    assert names() == ["Bouquet normand", "Movilab"]
    assert names(kind="bundle") == ["Bouquet normand"]
    assert names(licence="CC-BY-SA-4.0") == ["Movilab"]
    assert names(territory="region:28") == ["Bouquet normand"]
    assert names(territory="national") == ["Movilab"]
    assert names(status="idea") == ["Bouquet normand", "Movilab"]
    response = api.get(URL, {"kind": "pirate", "territory": "mars", "licence": "Proprietary"})
    assert response.status_code == 400
    assert set(response.json()) == {"kind", "territory", "licence"}
    assert "pirate" in response.json()["kind"][0]


def test_list_queries_do_not_grow(api, project, django_assert_max_num_queries):
    for _number in range(10):
        ProjectFactory()
    with django_assert_max_num_queries(3):
        assert api.get(URL).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plan")
def test_list_reads_a_page_in_index_order_without_sorting_every_commons(api, project):
    """5 000 commons took 1.5× the time of 50 (#21): every row was read and sorted by name
    for each page. The list's query, planned as if the table were big, reads the page from
    an index on (name, id) — the id, a tie-break, so that no commons shows on two pages."""
    twin = ProjectFactory(name="Movilab")
    with CaptureQueriesContext(connection) as queries:
        listed = api.get(URL).json()["results"]
    assert [p["slug"] for p in listed if p["name"] == "Movilab"] == [project.slug, twin.slug]
    sql = next(q["sql"] for q in queries if q["sql"].startswith('SELECT "projects_project"'))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Sort" not in plan, plan


def test_detail_has_the_co_financing_plan(api, project, admin, django_assert_max_num_queries):
    api.force_authenticate(admin.user)
    api.post(
        f"{URL}movilab/sources/",
        {"kind": "cofinancing", "funder_name": "Collectif", "amount": "10 000", "step": 1},
        format="json",
    )
    response = api.post(
        f"{URL}movilab/sources/",
        {"kind": "subsidy", "funder_name": "ADEME", "amount": "12000", "step": 1},
        format="json",
    )
    assert response.status_code == 201
    for source in FundingSource.objects.all():
        assert (
            api.post(
                f"{URL}movilab/sources/{source.pk}/decision/",
                {"granted": True, "decided_on": "2026-04-01"},
                format="json",
            ).status_code
            == 201
        )
    api.force_authenticate(None)
    with django_assert_max_num_queries(10):
        detail = api.get(f"{URL}movilab/").json()
    plan = detail["plan"]
    assert (plan["minimum"], plan["granted"], plan["gap_to_minimum"]) == (
        "22000.00",
        "22000.00",
        "0.00",
    )
    assert [s["funder_name"] for s in plan["sources"]] == ["Collectif", "ADEME"]
    assert plan["steps"][0]["lines"][0]["lump_sum"] == "22000.00"
    assert detail["page"].endswith("/commons/movilab/")


def test_maintainers_write_through_the_api(api, project, admin):
    maintainer = UserFactory()
    project.maintainers.add(maintainer)
    api.force_authenticate(maintainer)
    response = api.patch(f"{URL}movilab/", {"summary": "Le wiki des tiers-lieux"}, format="json")
    assert response.status_code == 200
    assert response.json()["summary"] == "Le wiki des tiers-lieux"
    response = api.post(f"{URL}movilab/steps/", {"title": "Traduction"}, format="json")
    assert response.status_code == 201
    assert [s["title"] for s in response.json()["plan"]["steps"]][-1] == "Traduction"
    response = api.post(
        f"{URL}movilab/steps/2/lines/",
        {"kind": "development", "label": "Traduction", "hours": "100", "hourly_rate": "40"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["plan"]["steps"][1]["minimum"] == "4000.00"
    response = api.post(
        f"{URL}movilab/contributions/",
        {
            "contributor": maintainer.email,
            "step": 2,
            "day": "2026-10-01",
            "hours": "3",
            "rate": "40",
            "description": "Relecture",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["plan"]["debt"] == "120.00"


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "steps/",
            {"title": "X", "planned_start": "2026-05-01", "planned_end": "2026-04-01"},
            "planned_end",
        ),
        (
            "steps/1/lines/",
            {"kind": "development", "label": "X", "hours": "-2", "hourly_rate": "40"},
            "hours",
        ),
        (
            "steps/1/lines/",
            {"kind": "development", "label": "X", "hours": "2", "hourly_rate": "0"},
            "hourly_rate",
        ),
        (
            "steps/1/lines/",
            {"kind": "development", "label": "X", "lump_sum": "1000000000000"},
            "lump_sum",
        ),
        (
            "sources/",
            {"kind": "subsidy", "funder_name": "ADEME", "amount": "12000", "step": 9},
            "step",
        ),
        ("sources/", {"kind": "subsidy", "funder_name": "ADEME", "amount": "-5"}, "amount"),
        (
            "contributions/",
            {
                "contributor": "nobody@example.org",
                "day": "2026-10-01",
                "hours": "2",
                "rate": "40",
                "description": "x",
            },
            "contributor",
        ),
        (
            "contributions/",
            {
                "contributor": "SELF",
                "day": "2026-10-01",
                "hours": "2",
                "rate": "0",
                "description": "x",
            },
            "rate",
        ),
    ],
)
def test_bad_input_answers_400_naming_the_field_and_changes_nothing(
    api, project, admin, path, body, field
):
    api.force_authenticate(admin.user)
    if body.get("contributor") == "SELF":
        body = {**body, "contributor": admin.user.email}
    counts = (
        Step.objects.count(),
        BudgetLine.objects.count(),
        FundingSource.objects.count(),
        Contribution.objects.count(),
    )
    response = api.post(f"{URL}movilab/{path}", body, format="json")
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert (
        Step.objects.count(),
        BudgetLine.objects.count(),
        FundingSource.objects.count(),
        Contribution.objects.count(),
    ) == counts


def test_non_free_licence_is_refused_naming_the_accepted_ones(api, admin):
    api.force_authenticate(admin.user)
    response = api.post(
        URL,
        {
            "host": admin.organisation.slug,
            "name": "Logiciel fermé",
            "summary": "x",
            "kind": "software",
            "licence": "Proprietary",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "AGPL-3.0-or-later" in response.json()["licence"][0]
    assert not Project.objects.exists()
    response = api.post(
        URL,
        {
            "host": admin.organisation.slug,
            "name": "Logiciel libre",
            "summary": "x",
            "kind": "software",
            "licence": "EUPL-1.2",
        },
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["slug"] == "logiciel-libre"


def test_outsiders_cannot_write(api, project):
    assert api.patch(f"{URL}movilab/", {"summary": "x"}, format="json").status_code in (401, 403)
    outsider = UserFactory()
    api.force_authenticate(outsider)
    for method, path, body in (
        ("patch", "", {"summary": "x"}),
        ("post", "steps/", {"title": "x"}),
        ("post", "sources/", {"kind": "donation", "funder_name": "x", "amount": "5"}),
    ):
        response = getattr(api, method)(f"{URL}movilab/{path}", body, format="json")
        assert response.status_code == 403
        assert "detail" in response.json()
    response = api.post(
        URL,
        {
            "host": project.host.slug,
            "name": "Autre",
            "summary": "x",
            "kind": "software",
            "licence": "MIT",
        },
        format="json",
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.summary != "x"
    assert Project.objects.count() == 1 and Step.objects.count() == 1
