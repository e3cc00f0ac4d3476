"""The site's search (#22): commons, their steps and organisations in one page, French
stemming on PostgreSQL, bad input answered with a page, never an error."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commons_fund.members.tests.factories import OrganisationFactory
from projects.tests.factories import ProjectFactory, StepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle():
    host = OrganisationFactory(name="Coopérative des réparateurs", description="Atelier.")
    project = ProjectFactory(
        name="Bouquet smartphone",
        slug="bouquet-smartphone",
        summary="Réparer et reconditionner les téléphones.",
        host=host,
    )
    StepFactory(project=project, title="Banc de réparation des écrans")
    return project


def test_one_search_finds_commons_steps_and_organisations(client, bundle):
    response = client.get("/fr/search/", {"q": "réparation"})
    assert response.status_code == 200
    page = response.text
    assert "Banc de réparation des écrans" in page  # a step, linked to its commons
    assert bundle.get_absolute_url().replace("/en/", "/fr/") in page
    found = client.get("/fr/search/", {"q": "bouquet"})
    assert [project.name for project in found.context["commons"]] == ["Bouquet smartphone"]
    organisations = client.get("/fr/search/", {"q": "réparateurs"}).context["organisations"]
    assert [organisation.name for organisation in organisations] == [bundle.host.name]


def test_the_menu_leads_to_it_and_an_empty_query_shows_the_form(client):
    home = client.get("/fr/search/")
    assert home.status_code == 200
    assert 'role="search"' in home.text and 'href="/fr/search/"' in home.text
    assert home.context["commons"] == []
    assert "Nothing found" not in home.text and "Rien trouvé" not in home.text


@pytest.mark.parametrize(
    "query",
    ["zzzzzz", "%", '"', "' OR 1=1 --", "a" * 5000, "  ", "&&", "réparation:*", "()"],
)
def test_any_query_gets_a_page(client, bundle, query):
    response = client.get("/fr/search/", {"q": query})
    assert response.status_code == 200
    assert len(response.context["query"]) <= 100


def test_the_number_of_queries_does_not_grow_with_the_results(client, bundle):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/fr/search/", {"q": "réparation"})
        return len(captured)

    few = queries()
    for number in range(8):
        StepFactory(project=ProjectFactory(), title=f"Réparation {number}")
    assert queries() == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="French stemming: PostgreSQL")
def test_french_stemming_finds_the_singular_from_the_plural(client, bundle):
    found = client.get("/fr/search/", {"q": "smartphones"}).context["commons"]
    assert [project.name for project in found] == ["Bouquet smartphone"]
    steps = client.get("/fr/search/", {"q": "écran"}).context["steps"]
    assert [step.title for step in steps] == ["Banc de réparation des écrans"]
