from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.utils import translation
from wagtail.contrib.redirects.middleware import RedirectMiddleware

UNPREFIXED_PATHS = (
    "/api/",
    "/healthz",
    "/metrics",
    "/cms/",
    "/django-admin/",
    "/static/",
    "/media/",
    "/payments/stripe/",
    "/reciprocity/contracts/",
)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's LocaleMiddleware, minus the redirect of a 404 to /fr/... for paths that live
    outside the language prefixes (the Wagtail catch-all would accept any such redirect);
    a logged-in person arriving at an address without a language (`/`) is sent to their own
    language rather than their browser's."""

    def process_response(self, request, response):
        if request.path_info.startswith(UNPREFIXED_PATHS):
            return response
        user = getattr(request, "user", None)
        if (
            response.status_code == 404
            and user is not None
            and user.is_authenticated
            and not translation.get_language_from_path(request.path_info)
        ):
            translation.activate(user.language)
        return super().process_response(request, response)


class PageRedirectMiddleware(RedirectMiddleware):
    """Wagtail's redirects, for the addresses of pages only: a 404 of the API, of a static
    file or of the webhook costs no query of the redirects table."""

    def process_response(self, request, response):
        if request.path_info.startswith(UNPREFIXED_PATHS):
            return response
        return super().process_response(request, response)


NUL_MESSAGE = "NUL characters (U+0000) are not accepted in requests."
_NUL_IN_BODIES = (b"\x00", b"%00", b"\\u0000")
_CHECKED_BODIES = ("application/x-www-form-urlencoded", "application/json")


class RejectNulMiddleware:
    """A NUL character has no place in any text people send, and PostgreSQL refuses to store
    or compare it (a 500 where it reached a query): such a request is a 400 before any view
    runs. Query strings and form and JSON bodies are checked; multipart bodies are left to
    the forms, whose text fields refuse NUL characters (Django's own validator), so that
    uploaded files are never read here."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._carries_nul(request):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _carries_nul(request: HttpRequest) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "%00" in query or "\x00" in query:
            return True
        if request.content_type in _CHECKED_BODIES:
            return any(nul in request.body for nul in _NUL_IN_BODIES)
        return False
