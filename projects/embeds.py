"""A commons on other sites: its funding progress as an SVG card and as a small HTML page
for a frame, both public and cacheable, with the code to copy on the commons' pages."""

from csp.decorators import csp_replace
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from .models import Project
from .selectors import project_plan

BAR = 360  # the card's progress bar, in pixels


def _figures(slug: str) -> dict:
    project = get_object_or_404(
        Project.objects.only("pk", "name", "slug", "summary", "translations"), slug=slug
    )
    plan = project_plan(project=project)
    received = round(BAR * plan.received_share / 100)
    return {
        "project": project,
        "plan": plan,
        "received_px": received,
        "granted_px": round(BAR * plan.granted_extra_share / 100),
        "granted_x": 20 + received,
    }


@require_safe
def project_card(request: HttpRequest, slug: str) -> HttpResponse:
    """The funding-progress card of a commons, as an SVG image."""
    response = render(
        request,
        "projects/card_svg.html",
        _figures(slug),
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def project_embed(request: HttpRequest, slug: str) -> HttpResponse:
    """The same card as a page for other sites' frames: links open on this site."""
    response = render(request, "projects/embed.html", _figures(slug))
    response["Cache-Control"] = "public, max-age=3600"
    return response
