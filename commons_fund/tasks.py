"""Tasks of the shared core."""

from celery import shared_task
from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache


@shared_task
def pages_purge(urls: list[str]) -> None:
    """Purge these addresses from the front cache (a CDN, a caching proxy)."""
    purge_urls_from_cache(urls)
