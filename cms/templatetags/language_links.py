from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language
from wagtail.models import Page

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


def _site_page_urls(page: Page, request) -> dict[str, str]:
    """A site page's live translations (itself included), else the home page in each other
    language, by language code: one query, two when a translation is missing."""
    pages = page.get_translations(inclusive=True).live().select_related("locale")
    urls = {p.locale.language_code: url for p in pages if (url := p.get_url(request))}
    missing = {code for code, _name in settings.LANGUAGES} - set(urls)
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
    return urls


@register.simple_tag(takes_context=True)
def language_links(context) -> list[LanguageLink]:
    """Where switching language leads from this page: for a site page, its translation, or
    the home page in that language when it has none (instead of a 404); for any other page,
    the same address in that language. Plain links (the address carries the language), so
    pages need no form and no CSRF cookie, and can be cached."""
    request = context["request"]
    page = context.get("page")
    current = get_language()
    site_urls = _site_page_urls(page, request) if isinstance(page, Page) else None
    links = []
    for code, name in settings.LANGUAGES:
        if site_urls is None:
            url = translate_url(request.get_full_path(), code)
        else:
            url = site_urls.get(code, f"/{code}/")
        links.append(LanguageLink(code=code, name=name, url=url, current=code == current))
    return links
