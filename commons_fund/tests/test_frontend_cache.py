"""A CDN in front (#23): visitors' kept pages say how long a shared cache may keep them, and a
write purges the addresses of the kept pages that read what it changed, through Wagtail's
frontend-cache backend, here a local server answering PURGE as Varnish would."""

import http.server
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from commons_fund.members.tests.factories import UserFactory
from projects.models import Project
from projects.tests.factories import ProjectFactory
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    settings.FRONTEND_CACHE_SECONDS = 120


@pytest.fixture
def commons_page():
    project = ProjectFactory(name="Bouquet normand", slug="bouquet-normand")
    with translation.override("fr"):
        url = project.get_absolute_url()
    response = Client().get(url)
    return response["Location"] if response.status_code in (301, 302) else url


def test_a_kept_page_may_be_kept_by_a_shared_cache(client, commons_page):
    for _visit in range(2):
        response = client.get(commons_page)
        assert response["Cache-Control"] == "public, max-age=0, s-maxage=120"
        assert {"Cookie", "Authorization"} <= {word.strip() for word in response["Vary"].split(",")}
    assert response["X-Page-Cache"] == "hit"  # the header is kept with the page


def test_members_pages_and_pages_with_a_form_are_never_public(commons_page):
    member = Client()
    member.force_login(UserFactory())
    assert "public" not in member.get(commons_page)["Cache-Control"]
    form = Client().get("/fr/accounts/login/")
    assert "public" not in form.get("Cache-Control", "")


class _Proxy(http.server.BaseHTTPRequestHandler):
    purged: list[tuple[str, str]]

    def do_PURGE(self):
        self.purged.append((self.headers["Host"], self.path))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def proxy(settings):
    handler = type("Handler", (_Proxy,), {"purged": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WAGTAILFRONTENDCACHE = {
        "default": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{server.server_address[1]}",
        }
    }
    try:
        yield handler.purged
    finally:
        server.shutdown()


def test_a_write_purges_the_pages_that_read_what_it_changed(
    client, proxy, commons_page, celery_worker
):
    with connection.cursor() as cursor:  # ballots: not read by this page, nothing to purge
        cursor.execute('UPDATE "pledges_ballot" SET id = id WHERE 1 = 0')
    assert proxy == []
    Project.objects.filter(slug="bouquet-normand").update(summary="Revu.")
    assert wait_for(lambda: ("testserver", commons_page) in proxy)
    assert proxy.count(("testserver", commons_page)) == 1
    # Purged once: the next write to the same table has nothing recorded to purge again.
    Project.objects.filter(slug="bouquet-normand").update(summary="Revu encore.")
    client.get(commons_page)  # kept anew, and recorded again
    Project.objects.filter(slug="bouquet-normand").update(summary="Et encore.")
    assert wait_for(lambda: proxy.count(("testserver", commons_page)) == 2)
