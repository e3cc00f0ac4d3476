import pytest
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


def test_language_switcher_is_on_every_page_and_switches_to_english(client, user, demo_data):
    pages = {
        "/fr/": "/en/",
        "/fr/organisations/": "/en/organisations/",
        "/fr/accounts/login/": "/en/accounts/login/",
        "/fr/organisations/framasoft/": "/en/organisations/framasoft/",
    }
    for url, english_url in pages.items():
        page = client.get(url)
        assert f'<a href="{english_url}" hreflang="en" lang="en">' in page.text, url
        assert 'hreflang="fr" lang="fr" aria-current="page"' in page.text, url
    english = client.get("/en/")
    assert '<html lang="en">' in english.text
    assert "Cooperatives, associations, local authorities and citizens" in english.text
    assert "Sign up" in english.text
    assert '<a href="/fr/" hreflang="fr" lang="fr">' in english.text


def test_the_language_switcher_needs_no_cookie(client, demo_data):
    """Plain links, no form: an anonymous page sets no CSRF cookie, so it can be cached."""
    for url in ("/fr/", "/fr/communs/", "/fr/organisations/", "/en/"):
        response = client.get(url)
        assert response.status_code == 200 and not response.cookies, url
        assert "csrfmiddlewaretoken" not in response.text, url


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/fr/no-such-page/")
    assert response.status_code == 404
    assert 'lang="fr"' in response.text


def test_the_demo_site_tree_renders_in_both_languages(client, demo_data):
    from wagtail.models import Page

    pages = list(Page.objects.live().filter(depth__gte=2).specific())
    assert {page.locale.language_code for page in pages} == {"fr", "en"}
    commons = [p for p in pages if type(p).__name__ == "CommonsPage"]
    assert sorted(p.locale.language_code for p in commons) == ["en"] * 7 + ["fr"] * 7
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        assert f'<html lang="{page.locale.language_code}">' in response.text
    home = client.get("/fr/")
    assert "Collecté par les fonds communs" in home.text
    assert "Fonds commun normand" in home.text  # its round open for voting
    bundle = client.get("/fr/communs/bouquet-normand/")
    assert "9,90" in bundle.text.replace("\u202f", " ") and "CalDAV" in bundle.text


def test_switching_language_on_a_page_without_translation(client, demo_data):
    """A commons' page with no English version leads to the commons' data in English (its
    Django address) — it led home, losing the visitor; other pages lead home."""
    Page.objects.get(slug="bouquet-normand", locale__language_code="en").delete()
    page = client.get("/fr/communs/bouquet-normand/")
    assert '<a href="/en/commons/bouquet-normand/" hreflang="en"' in page.text
    index = client.get("/fr/communs/")
    english = Page.objects.get(slug="communs", locale__language_code="en")
    assert f'<a href="{english.url}" hreflang="en"' in index.text
    django_page = client.get("/fr/organisations/?region=28")
    assert '<a href="/en/organisations/?region=28" hreflang="en"' in django_page.text


def test_the_english_commons_pages_of_the_demo_are_english(client, demo_data):
    """#22: the English commons index listed no page, and the commons' texts (summaries,
    step titles, budget lines) stayed French on English pages."""
    index = client.get("/en/communs/").text
    assert "Normandy bundle" in index and "The commons the members co-finance." in index
    assert "Les communs que les membres cofinancent" not in index
    bundle = client.get("/en/communs/bouquet-normand/").text
    for english in ("A refurbished, freed smartphone", "Step 1: Freed phone", "Server (1 year)"):
        assert english in bundle, english
    for french in ("Un smartphone reconditionné", "Téléphone libéré", "Serveur (1 an)"):
        assert french not in bundle, french
    french = client.get("/fr/communs/bouquet-normand/").text
    assert "Téléphone libéré" in french and "Freed phone" not in french
    questions = client.get(Page.objects.get(slug="questions", locale__language_code="en").url)
    assert "What is majority judgment?" in questions.text
    # Pools' and organisations' descriptions too.
    assert "Each month, members promise a sum" in client.get("/en/pools/").text
    ouvaton = client.get("/en/organisations/ouvaton/").text
    assert "Hosting cooperative: its customers are its members." in ouvaton
    assert "Coopérative d’hébergement" in client.get("/fr/organisations/ouvaton/").text
