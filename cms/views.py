"""The site's own pages that are not Wagtail's."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .selectors import site_search


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """One search for the site: commons, their steps, organisations."""
    return render(request, "cms/search.html", site_search(query=request.GET.get("q", "")))
