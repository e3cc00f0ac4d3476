import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.utils import translation

from commons_fund import page_cache
from commons_fund.members.tests.factories import UserFactory
from commons_fund.table_generations import table_key
from projects.models import Project
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60


@pytest.fixture
def project():
    return ProjectFactory(name="Bouquet normand", slug="bouquet-normand")


@pytest.fixture
def url(project):
    with translation.override("fr"):
        return project.get_absolute_url()


def test_an_anonymous_page_is_served_from_the_cache_without_a_query(
    client, url, django_assert_num_queries
):
    first = client.get(url)
    assert (first.status_code, first["X-Page-Cache"]) == (200, "miss")
    with django_assert_num_queries(0):
        second = client.get(url)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]


def test_a_committed_write_is_seen_at_once(client, url, project):
    client.get(url)
    project.name = "Bouquet normand et libre"
    project.save()
    response = client.get(url)
    assert response["X-Page-Cache"] == "miss"
    assert "Bouquet normand et libre" in response.text


def test_a_write_rolled_back_keeps_the_cached_page(client, url, project):
    client.get(url)
    key = table_key("projects_project")
    generation = cache.get(key)
    with pytest.raises(RuntimeError), transaction.atomic():
        Project.objects.filter(pk=project.pk).first().save()
        raise RuntimeError("rolled back")
    assert cache.get(key) == generation
    assert client.get(url)["X-Page-Cache"] == "hit"


def test_people_with_a_cookie_or_a_token_are_never_served_the_anonymous_page(client, url):
    client.get(url)
    member = Client()
    member.force_login(UserFactory())
    response = member.get(url)
    assert response["X-Page-Cache"] == "miss"  # their own entry (test_member_page_cache.py)
    assert "Mon espace" in response.text  # their own page, logged in
    # … and what they saw is not kept for the anonymous.
    assert "Mon espace" not in client.get(url).text
    assert "X-Page-Cache" not in client.get("/api/v1/projects/", HTTP_AUTHORIZATION="Token abc")


def test_pages_with_a_form_set_a_cookie_and_are_not_kept(client):
    response = client.get("/fr/accounts/login/")
    assert response.cookies and "X-Page-Cache" not in response
    assert "X-Page-Cache" not in client.get("/fr/accounts/login/")


def test_each_language_and_each_query_has_its_own_entry(client, url):
    english = url.replace("/fr/", "/en/", 1)
    assert client.get(url)["Content-Language"] == "fr"
    assert client.get(english)["X-Page-Cache"] == "miss"
    assert client.get(english)["Content-Language"] == "en"
    assert client.get(url + "?page=2")["X-Page-Cache"] == "miss"
    client.get("/api/v1/projects/", HTTP_ACCEPT_LANGUAGE="en")
    assert client.get("/api/v1/projects/", HTTP_ACCEPT_LANGUAGE="fr")["X-Page-Cache"] == "miss"
    assert client.get("/api/v1/projects/", HTTP_ACCEPT_LANGUAGE="en")["X-Page-Cache"] == "hit"


def test_errors_are_not_kept(client):
    client.get("/fr/no-such-page/")
    assert "X-Page-Cache" not in client.get("/fr/no-such-page/")


def test_it_can_be_turned_off(settings, url):
    settings.PAGE_CACHE_SECONDS = 0
    client = Client()
    client.get(url)
    assert "X-Page-Cache" not in client.get(url)


def test_public_figures_are_kept_until_the_next_write(project):
    from commons_fund.page_cache import cached_until_next_write

    computed = []

    def figures():
        computed.append(1)
        return {"name": Project.objects.get(pk=project.pk).name}

    assert cached_until_next_write("figures", figures) == {"name": "Bouquet normand"}
    assert cached_until_next_write("figures", figures) == {"name": "Bouquet normand"}
    with translation.override("en"):
        cached_until_next_write("figures", figures)  # each language apart
    assert len(computed) == 2
    UserFactory()  # a write to a table the figures do not read: still kept
    assert cached_until_next_write("figures", figures) == {"name": "Bouquet normand"}
    assert len(computed) == 2
    Project.objects.filter(pk=project.pk).update(name="Bouquet")  # seen, though no signal
    assert cached_until_next_write("figures", figures) == {"name": "Bouquet"}
    assert len(computed) == 3


def test_a_commons_page_shows_a_new_funding_source_to_a_member_at_once():
    """Its live figures are cached for everyone, and dropped by the write."""
    from io import StringIO

    from django.core.management import call_command
    from djmoney.money import Money

    from commons_fund.templatetags.money import euros
    from projects.models import FundingSource
    from projects.selectors import project_plan

    call_command("seed_demo", stdout=StringIO())
    member = Client()
    member.force_login(UserFactory())
    url = "/fr/communs/bouquet-normand/"
    project = Project.objects.get(slug="bouquet-normand")
    with translation.override("fr"):
        granted = euros(project_plan(project=project).granted)
        assert granted in member.get(url).text
        source = FundingSource.objects.filter(project=project).first()
        FundingSource.objects.create(
            project=project,
            kind=source.kind,
            status="granted",
            funder_name="Région",
            amount=Money("1234.00", "EUR"),
        )
        now_granted = euros(project_plan(project=project).granted)
        assert now_granted != granted
        assert now_granted in member.get(url).text


def test_a_page_kept_by_another_worker_is_read_in_one_round_trip_from_its_second_hit(
    client, url, monkeypatch
):
    client.get(url)
    page_cache._known_tables.clear()  # as in a worker that did not render the page
    assert client.get(url)["X-Page-Cache"] == "hit"
    reads = []
    read = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or read(keys))
    assert client.get(url)["X-Page-Cache"] == "hit"
    assert len(reads) == 1  # the page and its tables' generations together
