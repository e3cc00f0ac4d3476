"""`check --deploy` refuses a per-process cache in production (#23)."""

from django.core.checks import run_checks


def _errors() -> set[str]:
    return {message.id for message in run_checks(include_deployment_checks=True)}


def test_a_per_process_cache_fails_the_deployment_check_with_debug_off(settings):
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "commons_fund.E001" in _errors()


def test_a_shared_cache_or_debug_passes_it(settings):
    settings.DEBUG = False
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/12",
        }
    }
    assert "commons_fund.E001" not in _errors()
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert "commons_fund.E001" not in _errors()
