"""A CDN or caching proxy in front of the site (#23): the pages kept for visitors say
`Cache-Control: public, s-maxage=FRONTEND_CACHE_SECONDS`, and when a write changes a table a
kept page read, the page's address is purged from the front cache through Wagtail's
frontend-cache backends (`WAGTAILFRONTENDCACHE`: an HTTP PURGE to a proxy such as Varnish,
or Cloudflare, CloudFront…), by a Celery task, off the writer's path.

Which addresses read which table is kept in the shared cache, a list per table (at most
`URLS_PER_TABLE`, the oldest dropped): an address missing from it, or a purge that fails, is
stale in the front cache for `FRONTEND_CACHE_SECONDS` at most. Wagtail purges its own pages
when they are published.
"""

from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache

from commons_fund import jobs

KEY_PREFIX = "pages:urls:"
URLS_PER_TABLE = 500


def purging() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def urls_record(*, url: str, tables: Iterable[str]) -> None:
    """Note that the page at `url`, kept for visitors, read these tables."""
    keys = [KEY_PREFIX + table for table in tables]
    found = cache.get_many(keys)
    changed = {}
    for key in keys:
        urls = found.get(key, ())
        if url not in urls:
            changed[key] = (*urls[-(URLS_PER_TABLE - 1) :], url)
    if changed:
        cache.set_many(changed, None)


def urls_purge(*, tables: Iterable[str]) -> None:
    """Queue the purge of the addresses that read these tables."""
    keys = [KEY_PREFIX + table for table in tables]
    found = cache.get_many(keys)
    if not found:
        return
    cache.delete_many(list(found))
    jobs.queue(
        "commons_fund.tasks.pages_purge", sorted({url for urls in found.values() for url in urls})
    )
