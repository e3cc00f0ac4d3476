from django import template
from wagtail.models import Locale, Page

register = template.Library()


@register.simple_tag(takes_context=True)
def page_in_language(context, language_code: str) -> str:
    """Where switching to `language_code` leads from this page: for a site page, its
    translation, or the home page in that language when it has none (instead of a 404);
    for any other page, the same address (Django translates its language prefix)."""
    request = context["request"]
    page = context.get("page")
    if not isinstance(page, Page):
        return request.get_full_path()
    locale = Locale.objects.filter(language_code=language_code).first()
    translation = page.get_translation_or_none(locale) if locale else None
    if translation is None or not translation.live:
        site = page.get_site()
        home = site.root_page.get_translation_or_none(locale) if site and locale else None
        return home.url if home is not None and home.live else f"/{language_code}/"
    return translation.url
