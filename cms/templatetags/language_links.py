from django import template
from django.urls import translate_url
from wagtail.models import Locale, Page

register = template.Library()


@register.simple_tag(takes_context=True)
def page_in_language(context, language_code: str) -> str:
    """Where switching to `language_code` leads from this page: for a site page, its
    translation, or the home page in that language when it has none (instead of a 404);
    for any other page, the same address in that language. Plain links (the address carries
    the language), so pages need no form and no CSRF cookie, and can be cached."""
    request = context["request"]
    page = context.get("page")
    if not isinstance(page, Page):
        return translate_url(request.get_full_path(), language_code)
    locale = Locale.objects.filter(language_code=language_code).first()
    translation = page.get_translation_or_none(locale) if locale else None
    if translation is None or not translation.live:
        site = page.get_site()
        home = site.root_page.get_translation_or_none(locale) if site and locale else None
        return home.url if home is not None and home.live else f"/{language_code}/"
    return translation.url
