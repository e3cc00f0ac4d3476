import socket
import uuid

import pytest

from commons_fund.redis_cache import RedisCache


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


pytestmark = pytest.mark.skipif(not _redis_up(), reason="needs the local Redis")


def test_one_client_per_pool_and_the_cache_still_works():
    cache = RedisCache("redis://127.0.0.1:6379/13", {"KEY_PREFIX": uuid.uuid4().hex})
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.set("page", ("generation", 200, (("Content-Type", "text/html"),), b"<p>"), 30)
    assert cache.get_many(["page", "missing"]) == {
        "page": ("generation", 200, (("Content-Type", "text/html"),), b"<p>")
    }
    assert cache.add("page", "other", 30) is False
    cache.delete("page")
    assert cache.get("page") is None
