"""System checks of the deployment (`manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Caches that live inside one process: with several processes (gunicorn workers, machines)
# each has its own, so the page cache's freshness and the rate limits differ per process.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs, **kwargs) -> list[Error]:
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.DEBUG or backend not in PER_PROCESS_CACHES:
        return []
    return [
        Error(
            "The default cache is kept in each process, with DEBUG off.",
            hint="Set CACHE_URL to a shared cache (rediscache://host:6379/1): the page "
            "cache's freshness and the rate limits must be the same in every process.",
            obj=backend,
            id="commons_fund.E001",
        )
    ]
