from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect

from .concepts import REDIRECTED, request_concept_page


class ConceptPageRedirectMiddleware:
    """The wall's and a structure's finances' Django addresses answer 301 to their site
    page when one is live in the request's language (see cms.concepts)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method not in ("GET", "HEAD") or match is None:
            return None
        if match.view_name not in REDIRECTED:
            return None
        page = request_concept_page(request)
        url = page.get_url(request) if page is not None else None
        if not url:
            return None
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirect(f"{url}?{query}" if query else url)
