"""What a browser or a proxy may keep (probe of issue #17, point 11): pages of people logged
in, their money and their API answers are `private, no-store`; a query string with unknown
parameters is not a new entry of the page cache (400 `?utm=N` made 400 entries)."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, money_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def treasurer(client):
    membership = MembershipFactory(role=Role.TREASURER)
    money_login(client, membership.user)
    return membership


def test_the_pages_and_downloads_of_someone_logged_in_are_private(client, treasurer):
    slug = treasurer.organisation.slug
    for url in (
        "/fr/my/",
        "/fr/my/pledges/",
        f"/fr/organisations/{slug}/treasury/",
        f"/fr/organisations/{slug}/books/",
        f"/fr/organisations/{slug}/books/2026/csv/",
        f"/fr/organisations/{slug}/books/2026/fec/",
        "/fr/commons/",  # a public page, seen by a member
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        control = response["Cache-Control"]
        assert "private" in control and "no-store" in control, (url, control)


def test_api_answers_to_a_token_are_private(treasurer):
    token = Token.objects.create(user=treasurer.user)
    api = Client(HTTP_AUTHORIZATION=f"Token {token.key}")
    response = api.get("/api/v1/pledges/")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_unknown_query_parameters_are_not_cached(client, settings):
    settings.PAGE_CACHE_SECONDS = 60
    assert client.get("/fr/commons/", {"page": "1"})["X-Page-Cache"] == "miss"
    assert client.get("/fr/commons/", {"page": "1"})["X-Page-Cache"] == "hit"
    for n in range(3):
        response = client.get("/fr/commons/", {"utm_source": f"campaign-{n}"})
        assert response.status_code == 200 and "X-Page-Cache" not in response
    assert "X-Page-Cache" not in client.get("/fr/commons/", {"page": ["1", "2"]})


@pytest.mark.django_db(transaction=True)  # the cache is expired when the write commits
def test_hidden_finances_leave_the_page_cache_at_once(client, settings):
    from commons_fund.finances import services as finances

    settings.PAGE_CACHE_SECONDS = 60
    admin = MembershipFactory(role=Role.ADMIN)
    url = f"/fr/organisations/{admin.organisation.slug}/finances/"
    assert client.get(url).status_code == 200
    assert client.get(url)["X-Page-Cache"] == "hit"
    finances.finances_publish(organisation=admin.organisation, actor=admin.user, publish=False)
    assert client.get(url).status_code == 404
