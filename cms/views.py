"""The site's own pages that are not Wagtail's."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .forms import ActorFilterForm
from .selectors import actors_page, site_search


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """One search for the site: commons, their steps, organisations."""
    return render(request, "cms/search.html", site_search(query=request.GET.get("q", "")))


@require_GET
def actors(request: HttpRequest) -> HttpResponse:
    """Who funds which commons, who gives back, and where they are: a network, a map, their
    tables. A filter the form refuses is shown with its error, and nothing is filtered."""
    form = ActorFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    context = actors_page(
        today=timezone.localdate(),
        territory=filters.get("territory"),
        kind=filters.get("kind", ""),
    )
    return render(request, "cms/actors.html", {"form": form, **context})
