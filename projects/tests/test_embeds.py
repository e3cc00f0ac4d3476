import pytest
from djmoney.money import Money

from projects.models import FundingSource, SourceKind, SourceStatus
from projects.tests.factories import BudgetLineFactory, ProjectFactory, StepFactory

pytestmark = pytest.mark.django_db


def _commons():
    project = ProjectFactory(name="Bouquet normand", slug="bouquet-normand", summary="Un bouquet")
    BudgetLineFactory(step=StepFactory(project=project))
    FundingSource.objects.create(
        project=project,
        kind=SourceKind.COFINANCING,
        funder_name="Région",
        amount=Money("100", "EUR"),
        status=SourceStatus.GRANTED,
    )
    return project


def test_the_card_is_an_svg_image_of_the_funding_progress(client):
    project = _commons()
    response = client.get("/fr/commons/bouquet-normand/card.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert "public" in response["Cache-Control"]
    svg = response.content.decode()
    assert svg.startswith('<svg xmlns="http://www.w3.org/2000/svg"')
    assert '<title id="card-title">Bouquet normand – Commons Fund</title>' in svg
    assert "100,00\xa0€ accordés" in svg
    assert project.name in svg


def test_the_frame_may_be_shown_by_any_site_and_opens_links_here(client):
    _commons()
    response = client.get("/fr/commons/bouquet-normand/embed/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert '<a href="http://testserver/fr/commons/bouquet-normand/" target="_blank"' in page
    assert 'href="http://testserver/fr/commons/bouquet-normand/give/"' in page
    assert 'class="progress"' in page
    # Every other page still refuses frames.
    other = client.get("/fr/commons/")
    assert other["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'self'" in other["Content-Security-Policy"]


def test_unknown_commons_answer_404_and_only_get_is_served(client):
    _commons()
    assert client.get("/fr/commons/nothing/card.svg").status_code == 404
    assert client.get("/fr/commons/nothing/embed/").status_code == 404
    assert client.post("/fr/commons/bouquet-normand/embed/").status_code == 405
    assert client.head("/fr/commons/bouquet-normand/card.svg").status_code == 200


def test_the_commons_page_gives_the_code_to_copy(client):
    _commons()
    page = client.get("/fr/commons/bouquet-normand/", follow=True).content.decode()
    card = "http://testserver/fr/commons/bouquet-normand/card.svg"
    assert f'&lt;img src="{card}" alt="Financement de Bouquet normand"' in page
    assert '&lt;iframe src="http://testserver/fr/commons/bouquet-normand/embed/"' in page
