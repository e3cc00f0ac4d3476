import hmac
from urllib.parse import urlencode

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from .health import VITAL, health_report
from .metrics import registry


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database, the broker and the cache answer, 503 (naming the failing
    part) otherwise; the beat's heartbeat is reported either way."""
    report = health_report()
    healthy = all(report[part] == "ok" for part in VITAL)
    return JsonResponse(
        {"status": "ok" if healthy else "error", **report}, status=200 if healthy else 503
    )


@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    """The metrics in Prometheus' text format, for whoever sends the token (404 otherwise,
    and always when no token is set)."""
    expected = f"Bearer {settings.METRICS_TOKEN}".encode()
    given = request.headers.get("Authorization", "").encode()
    if not settings.METRICS_TOKEN or not hmac.compare_digest(given, expected):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)


def wagtail_admin_login(request: HttpRequest) -> HttpResponse:
    """/cms/login/ takes no password (GET or POST): people log in through allauth (second
    factor, rate limits) and come back to the Wagtail admin, which decides what they see."""
    next_url = request.GET.get("next") or "/cms/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/cms/"
    if request.user.is_authenticated:
        return redirect(next_url)
    return redirect(f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': next_url})}")


# What crawlers may read: the public pages, not the admin, the API, forms or members' pages.
ROBOTS_DISALLOWED = (
    "/cms/",
    "/django-admin/",
    "/api/",
    "/accounts/",
    "/payments/",
    "/fr/accounts/",
    "/en/accounts/",
    "/fr/my/",
    "/en/my/",
)


@require_GET
def robots_txt(request: HttpRequest) -> HttpResponse:
    """robots.txt: the private parts kept out, and where the sitemap is."""
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in ROBOTS_DISALLOWED)]
    lines.append(f"Sitemap: {request.build_absolute_uri('/sitemap.xml')}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
