"""One public page per concept: the site page (Wagtail) that stands for a commons, the
reciprocity wall or a structure's finances, in a language.

The Django pages of these concepts remain where no site page was made yet, and for what is
not a page (a commons' workspace at `…/manage/`, maintainers' forms, treasurers' tools);
search engines are told the site page is the canonical one, and the commons', the wall's and
the finances' old addresses answer 301 to it."""

from django.http import HttpRequest
from django.utils.translation import get_language
from wagtail.models import Page

from .models import CommonsPage, FinancesPage, ReciprocityWallPage

# Django pages that only repeat their site page: their address answers 301 to it.
REDIRECTED = frozenset({"reciprocity:wall", "finances:public", "projects:project_detail"})


def concept_page(*, view_name: str, kwargs: dict, language: str) -> Page | None:
    """The live site page in `language` standing for the Django page `view_name`, if any."""
    pages = Page.objects.none()
    if view_name == "reciprocity:wall":
        pages = ReciprocityWallPage.objects.all()
    elif view_name == "finances:public":
        pages = FinancesPage.objects.filter(organisation__slug=kwargs.get("slug"))
    elif view_name in ("projects:project_detail", "projects:project_manage"):
        pages = CommonsPage.objects.filter(project__slug=kwargs.get("slug"))
    return pages.live().filter(locale__language_code=language).order_by("pk").first()


def request_concept_page(request: HttpRequest) -> Page | None:
    """The site page standing for the Django page `request` asks for: looked up once per
    request (the redirect and the head's canonical link both ask)."""
    if not hasattr(request, "_concept_page"):
        match = request.resolver_match
        request._concept_page = (  # type: ignore[attr-defined]
            concept_page(view_name=match.view_name, kwargs=match.kwargs, language=get_language())
            if match is not None
            else None
        )
    return request._concept_page  # type: ignore[attr-defined]
