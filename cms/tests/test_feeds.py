"""#22, findable: Atom feeds of results, new commons and the wall (announced in every page's
head), sitemap.xml, robots.txt and OpenGraph tags."""

import pytest
from defusedxml import ElementTree as ET
from django.utils.html import escape

from cms.models import CommonsPage
from pledges.models import Round
from projects.models import Project
from reciprocity.models import ReciprocityContract

pytestmark = pytest.mark.usefixtures("demo_data")

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    return feed.find(f"{ATOM}title").text, [e.find(f"{ATOM}title").text for e in entries]


def test_the_three_feeds_list_what_the_site_shows_in_its_language(client):
    title, results = _entries(client, "/fr/feeds/results/")
    assert "résultats" in title.lower()
    winners = Round.objects.filter(winner__isnull=False).select_related("winner__project")
    assert results and all(
        any(r.winner.project.name in entry for r in winners) for entry in results
    )
    _title, commons = _entries(client, "/fr/feeds/commons/")
    assert commons[0] == Project.objects.order_by("-created_at", "-pk").first().name
    assert len(commons) == min(Project.objects.count(), 20)
    title, wall = _entries(client, "/en/feeds/wall/")
    assert "wall" in title.lower()
    signed = ReciprocityContract.objects.filter(signed_at__isnull=False).exclude(state="terminated")
    assert len(wall) == signed.count() and all("gives back to" in entry for entry in wall)


def test_pages_announce_the_feeds_and_carry_opengraph_tags(client):
    page = CommonsPage.objects.live().first()
    html = client.get(page.url).text
    for feed in ("results", "commons", "wall"):
        assert f'type="application/atom+xml" href="/fr/feeds/{feed}/"' in html
    assert f'<meta property="og:title" content="{escape(page.title)}">' in html
    assert f'<meta property="og:url" content="http://testserver{page.url}">' in html
    assert '<meta property="og:locale" content="fr_FR">' in html


def test_the_sitemap_lists_the_site_pages_and_robots_points_to_it(client):
    sitemap = client.get("/sitemap.xml")
    assert sitemap.status_code == 200
    page = CommonsPage.objects.live().first()
    assert f"{page.url}</loc>" in sitemap.text  # on the site's own address
    robots = client.get("/robots.txt").text
    assert "Disallow: /cms/" in robots and "Disallow: /api/" in robots
    assert "Sitemap: http://testserver/sitemap.xml" in robots
