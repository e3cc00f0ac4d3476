from io import StringIO

import pytest
from django.core.management import call_command
from wagtail.models import Page

pytestmark = pytest.mark.django_db


def test_root_redirects_to_the_french_site(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/fr/"


def test_home_page_in_french(client):
    response = client.get("/fr/")
    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert "Commons Fund" in response.text
    assert "Coopératives, associations" in response.text
    assert "Inscription" in response.text or "S’inscrire" in response.text


def test_language_switcher_is_on_every_page_and_switches_to_english(client, user):
    call_command("seed_demo", stdout=StringIO())
    pages = ("/fr/", "/fr/organisations/", "/fr/accounts/login/", "/fr/organisations/framasoft/")
    for url in pages:
        page = client.get(url)
        assert 'action="/i18n/setlang/"' in page.text, url
        assert 'name="language" value="en"' in page.text, url
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/fr/organisations/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/organisations/"
    english = client.get("/en/")
    assert '<html lang="en">' in english.text
    assert "Cooperatives, associations, local authorities and citizens" in english.text
    assert "Sign up" in english.text
    back = client.post("/i18n/setlang/", {"language": "fr", "next": "/en/"})
    assert back["Location"] == "/fr/"


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/fr/no-such-page/")
    assert response.status_code == 404
    assert 'lang="fr"' in response.text


def test_the_demo_site_tree_renders_in_both_languages(client):
    from wagtail.models import Page

    call_command("seed_demo", stdout=StringIO())
    pages = list(Page.objects.live().filter(depth__gte=2).specific())
    assert {page.locale.language_code for page in pages} == {"fr", "en"}
    assert len([p for p in pages if type(p).__name__ == "CommonsPage"]) == 7
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert f'<html lang="{page.locale.language_code}">' in response.text
    home = client.get("/fr/")
    assert "Collecté par les fonds communs" in home.text
    assert "Fonds commun normand" in home.text  # its round open for voting
    bundle = client.get("/fr/communs/bouquet-normand/")
    assert "9,90" in bundle.text.replace("\u202f", " ") and "CalDAV" in bundle.text


def test_switching_language_on_a_page_without_translation_leads_home(client):
    call_command("seed_demo", stdout=StringIO())
    page = client.get("/fr/communs/bouquet-normand/")
    assert 'formaction="/i18n/setlang/?next=/en/"' in page.text  # no English page: home
    index = client.get("/fr/communs/")
    english = Page.objects.get(slug="communs", locale__language_code="en")
    assert f'formaction="/i18n/setlang/?next={english.url}"' in index.text
    response = client.post("/i18n/setlang/?next=/en/", {"language": "en"})
    assert response["Location"] == "/en/"
    django_page = client.get("/fr/organisations/?region=28")
    assert 'formaction="/i18n/setlang/?next=/fr/organisations/%3Fregion%3D28"' in django_page.text
