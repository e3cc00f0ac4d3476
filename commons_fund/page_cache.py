"""Whole pages from the cache: for anonymous visitors, and each member's own.

A request with no cookie and no credentials (so no session and no CSRF token) gets the same
page as any other such request: the first response is kept for `PAGE_CACHE_SECONDS` and
served to the next ones before the rest of the middleware stack runs. A response that sets
a cookie, is not a plain 200, or says `Cache-Control: private/no-cache/no-store` is never
kept, so pages with a form (which need a CSRF cookie) are always fresh.

Freshness: every page is stored with the cache's current *generation*, a random token that
any write to the database replaces once its transaction commits (`post_save`, `post_delete`
and `m2m_changed` of every model but the noisy ones below). A page stored under another
generation is a miss, so a visitor never reads a page older than the last change. Bulk
`QuerySet.update()` sends no signal: the lifetime bounds how stale such a change can look.
The generation is read before the page is rendered, and replaced after the writer commits,
so a page rendered from data older than a write is always stored under an old generation.

Members (a session) get their pages from the cache too, each session its own
(`MemberPageCacheMiddleware`, below the session, authentication and messages middleware): a
page is a function of the person, their session, their cookies, the address and the data, so
the key holds all of them but the data, which the generation stands for. A request that may
write (POST…) starts a new generation once answered, so whoever acted, or a webhook that
changed a row with `update()`, sees the change at once. API clients with a token get
their lists the same way, each token its own entry."""

import hashlib
import json
import uuid
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control

GENERATION_KEY = "pages:generation"
FORMAT = 3  # of what is stored under a page's key; a new format starts new keys
T = TypeVar("T")
# Writes that change no page: sessions, the admin's log, Celery beat's bookkeeping.
IGNORED_APPS = {"sessions", "admin", "django_celery_beat", "django_celery_results"}
UNCACHEABLE = ("private", "no-cache", "no-store")


def pages_expire() -> None:
    """Start a new generation: every cached page becomes a miss."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def _on_write(sender, update_fields=None, using=None, **_signal) -> None:
    if sender._meta.app_label in IGNORED_APPS or update_fields == frozenset({"last_login"}):
        return
    connection = transaction.get_connection(using)
    # Once per transaction, however many rows it writes.
    if not any(func is pages_expire for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(pages_expire, using=using)


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_write, dispatch_uid=f"page-cache-{signal}")


def _new_generation() -> str:
    """The generation, started when the cache has none (emptied, or a first start)."""
    cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
    return cache.get(GENERATION_KEY)


def cached_until_next_write(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept until the next committed database write (or PAGE_CACHE_SECONDS),
    in the active language: for public figures shown to everyone on pages that are rendered
    for each person (the page cache serves only people without a cookie)."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return compute()
    generation = cache.get(GENERATION_KEY) or _new_generation()
    return cache.get_or_set(
        f"fragments:{generation}:{translation.get_language()}:{key}", compute, seconds
    )


# The query parameters that change what a public page or API list shows; a request with any
# other (a campaign's utm_*, junk) is answered fresh and not kept, so that it cannot fill the
# cache with copies of one page.
PAGE_PARAMETERS = frozenset(
    {
        "page",
        "q",
        "search",
        "kind",
        "status",
        "licence",
        "territory",
        "pool",
        "state",
        "legal_form",
        "region",
        "department",
    }
)


def _cacheable_parameters(request) -> bool:
    return (
        request.method in ("GET", "HEAD")
        and len(request.META.get("QUERY_STRING", "")) <= 512
        and all(
            name in PAGE_PARAMETERS and len(values) == 1 for name, values in request.GET.lists()
        )
    )


def _cacheable_request(request) -> bool:
    return (
        not request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
        and _cacheable_parameters(request)
    )


def _cacheable_response(response) -> bool:
    control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not any(word in control for word in UNCACHEABLE)
    )


def _page_key(request) -> str:
    language = translation.get_language_from_request(request, check_path=True)
    address = "\n".join(
        (
            request.method,
            request.get_host(),
            request.get_full_path(),
            language,
            request.META.get("HTTP_ACCEPT", ""),
        )
    )
    return f"pages:v{FORMAT}:" + hashlib.sha256(address.encode()).hexdigest()


def _from_cache(
    request, key: str, seconds: int, get_response: Callable[[object], HttpResponse]
) -> HttpResponse:
    """The page stored under `key` in the current generation, else the page answered now,
    stored when it may be."""
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY) or _new_generation()
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        _generation, status, headers, content = stored
        response = HttpResponse(content, status=status, headers=headers)
        response["X-Page-Cache"] = "hit"
        return response
    response = get_response(request)
    if _cacheable_response(response):
        response["X-Page-Cache"] = "miss"
        # Plain values, not the response object: about half the time to read back.
        cache.set(
            key,
            (generation, response.status_code, tuple(response.items()), response.content),
            seconds,
        )
    return response


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not _cacheable_request(request):
            return self.get_response(request)
        return _from_cache(request, _page_key(request), seconds, self.get_response)


class PrivateResponsesMiddleware:
    """What is answered to someone logged in (a session or an API token) is theirs alone:
    `Cache-Control: private, no-store`, unless the view said otherwise, so that no shared
    proxy or browser cache keeps a treasurer's books or a member's pledges."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" in response:  # the view's, or a member's page from the cache
            return response
        user = getattr(request, "user", None)
        personal = (user is not None and user.is_authenticated) or (
            "HTTP_AUTHORIZATION" in request.META
        )
        if personal:
            patch_cache_control(response, private=True, no_store=True)
        return response


def _member_cacheable_request(request) -> bool:
    """A session someone logged in with, with no message waiting to be shown (a cached page
    would hide it). The person is not loaded: their session names them (and holds the hash
    that a new password changes); any write to a person — an account closed, a password
    changed — starts a new generation, so a kept page is served only to a session that was
    valid since the last write, and a miss checks the person again."""
    return (
        _cacheable_parameters(request)
        and (_api_token(request) or _logged_in_session(request))
        and CookieStorage.cookie_name not in request.COOKIES
        and SessionStorage.session_key not in request.session
    )


def _logged_in_session(request) -> bool:
    return "HTTP_AUTHORIZATION" not in request.META and SESSION_KEY in request.session


def _api_token(request) -> bool:
    """An API request with a token (Django REST framework's). The token is not looked up on
    a hit: revoking it or closing its person's account is a write (a new generation), and a
    token that does not exist is refused (403), which is never kept."""
    return request.path.startswith("/api/") and request.META.get(
        "HTTP_AUTHORIZATION", ""
    ).startswith("Token ")


def _member_page_key(request) -> str:
    session = json.dumps(dict(request.session.items()), sort_keys=True, default=str)
    address = "\n".join(
        (
            request.method,
            request.get_host(),
            request.get_full_path(),
            translation.get_language(),
            request.META.get("HTTP_ACCEPT", ""),
            request.META.get("HTTP_COOKIE", ""),
            request.META.get("HTTP_AUTHORIZATION", ""),
            session,  # with the person's key and password hash
        )
    )
    return f"member-pages:v{FORMAT}:" + hashlib.sha256(address.encode()).hexdigest()


class MemberPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            response = self.get_response(request)
            pages_expire()  # whatever it wrote, and however (update() sends no signal)
            return response
        if not _member_cacheable_request(request):
            return self.get_response(request)
        response = _from_cache(request, _member_page_key(request), seconds, self.get_response)
        if "Cache-Control" not in response:  # stored without it: a member's page is theirs
            patch_cache_control(response, private=True, no_store=True)
        return response
