"""Whole pages from the cache: for anonymous visitors, and each member's own.

A request with no cookie and no credentials (so no session and no CSRF token) gets the same
page as any other such request: the first response is kept for `PAGE_CACHE_SECONDS` and
served to the next ones before the rest of the middleware stack runs. A response that sets
a cookie, is not a plain 200, or says `Cache-Control: private/no-cache/no-store` is never
kept, so pages with a form (which need a CSRF cookie) are always fresh.

Freshness: every page is stored with the generations of the database tables its rendering
read (`table_generations.py`): a committed write to any of them replaces that table's
generation, and the page is then a miss, so a visitor never reads a page older than the last
change to what it shows, while writes to other tables leave it in the cache. Every table's
generation is read before the page is rendered, so a page rendered from data older than a
write is always stored under an old generation.

Members (a session) get their pages from the cache too, each session its own
(`MemberPageCacheMiddleware`, below the session, authentication and messages middleware): a
page is a function of the person, their session, their cookies, the address and the data, so
the key holds all of them but the data, which the generations stand for. Whatever a request
writes, and however (`update()`, raw SQL), is seen in its SQL, so whoever acted sees the
change at once. API clients with a token get their lists the same way, each token its own
entry."""

import functools
import hashlib
import json
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.db.backends.signals import connection_created
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

from . import frontend_cache, table_generations
from .table_generations import table_key

FORMAT = 4  # of what is stored under a page's key; a new format starts new keys
T = TypeVar("T")
UNCACHEABLE = ("private", "no-cache", "no-store")
# A member's kept page is served without loading the person or their token: a write to
# either (an account closed, a password changed, a token revoked) must end it.
PERSONAL_TABLES = ("members_user", "authtoken_token")
# The tables each kept page was stored with, in this process: a hit then reads their
# generations along with the page, in one round trip.
_known_tables: dict[str, tuple[str, ...]] = {}
KNOWN_TABLES_LIMIT = 20_000


def pages_expire() -> None:
    """Every cached page and fragment becomes a miss."""
    table_generations.everything_expires()


def connect_signals() -> None:
    """Watch every database connection's SQL (what is read, what is written)."""
    connection_created.connect(table_generations.observe_connection, dispatch_uid="page-cache")


@functools.cache
def _all_tables() -> tuple[str, ...]:
    return tuple(table_generations.model_tables())


def _fresh(tables: dict[str, str], found: dict) -> bool:
    """Whether every table a kept value was made from still has the generation it had,
    reading those `found` (the cache's answer by key) has not."""
    missing = [key for key in map(table_key, tables) if key not in found]
    if missing:
        found = {**found, **cache.get_many(missing)}
    return all(found.get(table_key(table)) == generation for table, generation in tables.items())


def _render(compute: Callable[[], T], always: tuple[str, ...] = ()) -> tuple[T, dict[str, str]]:
    """`compute()`, and the generations — read before — of the tables it read."""
    before = table_generations.generations(_all_tables())
    with table_generations.reading() as tables:
        value = compute()
    tables.update((table_generations.EVERYTHING, *always))
    return value, {table: before[table] for table in tables if table in before}


def cached_until_next_write(key: str, compute: Callable[[], T]) -> T:
    """`compute()`, kept until the next committed write to a table it read (or
    PAGE_CACHE_SECONDS), in the active language: for public figures shown to everyone on
    pages that are rendered for each person (the page cache serves only people without a
    cookie)."""
    seconds = settings.PAGE_CACHE_SECONDS
    if not seconds:
        return compute()
    full_key = f"fragments:v{FORMAT}:{translation.get_language()}:{key}"
    stored = cache.get(full_key)
    if stored is not None and _fresh(stored[0], {}):
        table_generations.add_read(stored[0])  # the page showing it depends on them too
        return stored[1]
    value, tables = _render(compute)
    cache.set(full_key, (tables, value), seconds)
    return value


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


def _remember(key: str, tables: Iterable[str]) -> None:
    """The tables a kept page was made from, so that its next hit in this process reads
    their generations with the page."""
    if len(_known_tables) >= KNOWN_TABLES_LIMIT:
        _known_tables.clear()
    _known_tables[key] = tuple(tables)


def _from_cache(
    request,
    key: str,
    seconds: int,
    get_response: Callable[[object], HttpResponse],
    always: tuple[str, ...] = (),
) -> HttpResponse:
    """The page kept under `key` while the tables it read are unchanged, else the page
    answered now, kept when it may be (with the tables of `always`, whether read or not)."""
    found = cache.get_many([key, *map(table_key, _known_tables.get(key, ()))])
    stored = found.get(key)
    if stored is not None and _fresh(stored[0], found):
        tables, status, headers, content = stored
        if key not in _known_tables:  # kept by another process (worker)
            _remember(key, tables)
        response = HttpResponse(content, status=status, headers=headers)
        response["X-Page-Cache"] = "hit"
        return response
    response, tables = _render(lambda: get_response(request), always)
    if _cacheable_response(response):
        response["X-Page-Cache"] = "miss"
        # Plain values, not the response object: about half the time to read back.
        cache.set(
            key, (tables, response.status_code, tuple(response.items()), response.content), seconds
        )
        _remember(key, tables)
    return response


class AnonymousPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.PAGE_CACHE_SECONDS
        if not seconds or not _cacheable_request(request):
            return self.get_response(request)
        response = _from_cache(request, _page_key(request), seconds, self.get_response)
        if "X-Page-Cache" in response:  # kept: the same for every visitor without a cookie
            patch_cache_control(
                response, public=True, max_age=0, s_maxage=settings.FRONTEND_CACHE_SECONDS
            )
            patch_vary_headers(response, ("Cookie", "Authorization"))
            if response["X-Page-Cache"] == "miss" and frontend_cache.purging():
                frontend_cache.urls_record(
                    url=request.build_absolute_uri(), tables=_known_tables[_page_key(request)]
                )
        return response


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
        if not _member_cacheable_request(request):
            return self.get_response(request)
        response = _from_cache(
            request, _member_page_key(request), seconds, self.get_response, PERSONAL_TABLES
        )
        if "Cache-Control" not in response:  # stored without it: a member's page is theirs
            patch_cache_control(response, private=True, no_store=True)
        return response
