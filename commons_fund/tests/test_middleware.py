import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.contrib.redirects.models import Redirect

pytestmark = pytest.mark.django_db


def test_a_page_redirect_still_applies_to_pages(client):
    Redirect.objects.create(old_path="/fr/ancienne-page", redirect_link="/fr/communs/")
    response = client.get("/fr/ancienne-page/")
    assert response.status_code == 301 and response["Location"] == "/fr/communs/"


@pytest.mark.parametrize("path", ["/api/v1/pools/nothing-here/", "/static/missing.css"])
def test_paths_outside_the_pages_are_never_looked_up_as_redirects(client, path):
    """A 404 of the API (fuzzers, scripts with a wrong id) costs no query of Wagtail's
    redirects, which only ever point from old page addresses."""
    Redirect.objects.create(old_path=path.rstrip("/"), redirect_link="/fr/")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 404
    assert not [q for q in queries.captured_queries if "wagtailredirects" in q["sql"]]
