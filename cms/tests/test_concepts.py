"""One public page per concept: the Django pages that repeat a site page answer 301 to it,
and every page names its canonical address and its versions in other languages."""

import re

import pytest

from cms.models import CommonsPage, ReciprocityWallPage

pytestmark = pytest.mark.usefixtures("demo_data")


def _links(html: str) -> tuple[str, dict[str, str]]:
    canonical = re.findall(r'<link rel="canonical" href="([^"]+)">', html)
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">', html))
    assert len(canonical) == 1, canonical
    return canonical[0], alternates


def test_the_walls_and_the_finances_old_addresses_answer_301_to_their_page(client):
    wall = client.get("/fr/reciprocity/?year=2026")
    assert wall.status_code == 301
    assert wall["Location"] == "/fr/mur-de-la-reciprocite/?year=2026"
    finances = client.get("/fr/organisations/ouvaton/finances/")
    assert (finances.status_code, finances["Location"]) == (301, "/fr/comptes-ouvaton/")
    assert client.get(finances["Location"]).status_code == 200


def test_without_a_live_page_the_django_page_stays(client):
    assert client.get("/fr/organisations/normandie-libre/finances/").status_code == 200
    ReciprocityWallPage.objects.get(locale__language_code="fr").unpublish()
    assert client.get("/fr/reciprocity/").status_code == 200
    assert client.get("/en/reciprocity/")["Location"] == "/en/mur-de-la-reciprocite/"


def test_a_commons_old_address_answers_301_and_its_workspace_names_the_page(client):
    """#18: a commons had two public pages (Django and Wagtail) with no link between them.
    The Django one is now the maintainers' and treasurers' workspace, at its own address."""
    page = CommonsPage.objects.select_related("project").first()
    slug = page.project.slug
    old = client.get(f"/fr/commons/{slug}/?tab=plan")
    assert (old.status_code, old["Location"]) == (301, f"{page.url}?tab=plan")
    workspace = client.get(f"/fr/commons/{slug}/manage/")
    assert workspace.status_code == 200
    canonical, alternates = _links(workspace.text)
    assert canonical == f"http://testserver{page.url}"
    assert alternates == {
        "fr": f"http://testserver/fr/commons/{slug}/manage/",
        "en": f"http://testserver/en/commons/{slug}/manage/",
        "x-default": f"http://testserver/fr/commons/{slug}/manage/",
    }
    assert f'href="/fr/commons/{slug}/manage/"' in client.get(page.url).text  # linked
    canonical, alternates = _links(client.get(page.url).text)
    assert canonical == f"http://testserver{page.url}"
    # The demo's commons have their English page (#22): the English link leads to it.
    english_page = CommonsPage.objects.get(project=page.project, locale__language_code="en")
    english = f"http://testserver{english_page.url}"
    assert alternates == {"fr": canonical, "en": english, "x-default": canonical}
    # Without an English version, it leads to the commons' live data in English (its Django
    # address, which stays while no English page is live).
    english_page.delete()
    canonical, alternates = _links(client.get(page.url).text)
    english = f"http://testserver/en/commons/{slug}/"
    assert alternates == {"fr": canonical, "en": english, "x-default": canonical}
    assert client.get(english).status_code == 200


def test_other_pages_are_their_own_canonical_without_their_query(client):
    canonical, alternates = _links(client.get("/fr/pools/?page=1").text)
    assert canonical == "http://testserver/fr/pools/"
    assert alternates["en"] == "http://testserver/en/pools/?page=1"


def test_a_commons_made_by_its_maintainers_gets_a_draft_page_for_the_editors():
    from commons_fund.members.models import Organisation, Role
    from commons_fund.members.tests.factories import MembershipFactory
    from projects import services

    host = Organisation.objects.get(slug="normandie-libre")
    admin = MembershipFactory(organisation=host, role=Role.ADMIN).user
    project = services.project_create(
        creator=admin,
        host=host,
        name="Cartes libres du bocage",
        kind="software",
        licence="AGPL-3.0-or-later",
        summary="Des cartes.",
    )
    page = CommonsPage.objects.get(project=project)
    assert (page.title, page.live, page.locale.language_code) == (project.name, False, "fr")
    assert page.get_parent().specific_class.__name__ == "CommonsIndexPage"
    assert page.get_latest_revision() is not None  # a draft the editors open and publish


def test_the_finances_are_in_the_menu_in_both_languages(client):
    """#22: a structure's finances were in no menu; the demo links its open accounts."""
    french = client.get("/fr/pools/").text
    assert '<a href="/fr/comptes-ouvaton/">Comptes ouverts</a>' in french
    english = client.get("/en/pools/").text
    assert ">Open accounts</a>" in english
