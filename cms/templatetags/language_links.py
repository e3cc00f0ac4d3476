from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.translation import get_language
from wagtail.models import Page

from cms.concepts import request_concept_page

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool
    # The page has no version in this language: the link leads to that language's home.
    fallback: bool = False


def _site_page_urls(page: Page, request) -> tuple[dict[str, str], set[str]]:
    """A site page's live translations (itself included), else — for a page standing for a
    concept (a commons, the wall, a structure's finances) — that concept's Django page in the
    other language, else the home page in each other language; by language code, with the
    languages led home: one query, two when a translation is missing."""
    pages = page.get_translations(inclusive=True).live().select_related("locale")
    urls = {p.locale.language_code: url for p in pages if (url := p.get_url(request))}
    missing = {code for code, _name in settings.LANGUAGES} - set(urls)
    if missing and hasattr(page, "data_path"):
        for code in missing:
            with translation.override(code):
                urls[code] = page.data_path()
        return urls, set()
    site = page.get_site() if missing else None
    if site is not None:
        homes = (
            site.root_page.get_translations(inclusive=True)
            .live()
            .filter(locale__language_code__in=missing)
            .select_related("locale")
        )
        urls.update(
            {home.locale.language_code: url for home in homes if (url := home.get_url(request))}
        )
    return urls, missing


@register.simple_tag(takes_context=True)
def language_links(context) -> list[LanguageLink]:
    """Where switching language leads from this page: for a site page, its translation, or
    the home page in that language when it has none (instead of a 404); for any other page,
    the same address in that language. Plain links (the address carries the language), so
    pages need no form and no CSRF cookie, and can be cached."""
    request = context["request"]
    page = context.get("page")
    current = get_language()
    known = getattr(request, "_language_links", None)
    if known is not None and known[0] == (page, current):
        return known[1]  # the switcher and the head's links ask once per request
    site_urls, led_home = (
        _site_page_urls(page, request) if isinstance(page, Page) else (None, set())
    )
    links = []
    for code, name in settings.LANGUAGES:
        if site_urls is None:
            url, fallback = translate_url(request.get_full_path(), code), False
        else:
            url, fallback = site_urls.get(code, f"/{code}/"), code in led_home
        links.append(
            LanguageLink(code=code, name=name, url=url, current=code == current, fallback=fallback)
        )
    request._language_links = ((page, current), links)
    return links


@register.inclusion_tag("includes/page_links.html", takes_context=True)
def page_links(context) -> dict:
    """The `<link>`s of the page's head: its canonical address — the site page standing for
    this concept when there is one (cms.concepts), else this address without its query — and
    its versions in the other languages (`hreflang`, with French as `x-default`)."""
    request = context["request"]
    page = context.get("page")
    if not isinstance(page, Page):
        page = request_concept_page(request)
    canonical = page.get_url(request) if isinstance(page, Page) else None
    alternates = [
        (link.code, request.build_absolute_uri(link.url))
        for link in language_links(context)
        if not link.fallback
    ]
    return {
        "canonical": request.build_absolute_uri(canonical or request.path),
        "alternates": alternates,
        "default": dict(alternates).get(settings.LANGUAGE_CODE),
    }
