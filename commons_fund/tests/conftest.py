import pytest
from django.core.cache import caches


@pytest.fixture
def unreachable_cache(settings):
    """The default cache pointed at the discard port, where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1},
        }
    }
    caches.close_all()
    yield
    caches.close_all()
