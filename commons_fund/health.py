"""Health of what the site depends on: the database, the Celery broker and the cache (the
site cannot serve without them), and the beat's heartbeat (reported, not fatal: a web
process is not restarted because the scheduler stopped; watch the `beat` field)."""

import contextlib
import threading
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections, transaction
from django.db.models import Max
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 1
DATABASE_TIMEOUT_MS = 2000
# The scheduler writes when each task last ran every few minutes (django-celery-beat syncs
# every 3 minutes) and sends the shortest schedule (unseal-ballots) every minute: a beat
# silent for this long has stopped.
BEAT_SILENT_AFTER = timedelta(minutes=10)


def database_status() -> str:
    """One short query; on PostgreSQL cut at DATABASE_TIMEOUT_MS (a server that accepts and
    then hangs must not hold the probe). Connecting is bounded by the connect_timeout of the
    settings."""
    database = connections["default"]
    try:
        with transaction.atomic(), database.cursor() as cursor:
            if database.vendor == "postgresql":
                cursor.execute("SET LOCAL statement_timeout = %s", [DATABASE_TIMEOUT_MS])
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def _probe_options(url: str) -> dict[str, Any]:
    """One short attempt: a broker that accepts the connection and then says nothing must
    not hold the probe (Redis' client waits for ever by default). Only Redis knows these
    options (the SQLAlchemy transport would hand them to its engine)."""
    if urlsplit(url).scheme not in {"redis", "rediss"}:
        return {}
    return {
        "socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
        "socket_timeout": BROKER_TIMEOUT_SECONDS,
        "max_retries": 0,
    }


class _KeptBroker:
    """One broker connection per process, opened by the first probe and checked by each
    next one with a round trip (a PING on Redis), so that a load balancer probing every few
    seconds does not open a connection each time. A probe that fails drops it: the next one
    connects anew (a restarted broker, a changed URL)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._connection: Connection | None = None
        self._url = ""

    def status(self, url: str) -> str:
        with self._lock:
            try:
                if self._connection is None or self._url != url:
                    self._drop()
                    self._url = url
                    self._connection = Connection(
                        url,
                        connect_timeout=BROKER_TIMEOUT_SECONDS,
                        transport_options=_probe_options(url),
                    )
                self._connection.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
                channel = self._connection.default_channel
                if hasattr(channel, "client"):  # Redis: the kept socket must still answer
                    channel.client.ping()
            except Exception as error:
                self._drop()
                return f"error: {error.__class__.__name__}"
            return "ok"

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.release()
        self._connection = None


_broker = _KeptBroker()


def broker_status() -> str:
    return _broker.status(settings.CELERY_BROKER_URL)


def cache_status() -> str:
    """Write and read back a probe key (a Redis cache gives up after its socket timeout)."""
    key, value = "healthz:probe", uuid4().hex
    try:
        cache.set(key, value, timeout=10)
        answered = cache.get(key)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok" if answered == value else "error: the value read back differs"


def beat_status() -> str:
    """ "ok" while the scheduler has sent a task lately, else when it last did (or never)."""
    try:
        last = PeriodicTask.objects.filter(enabled=True).aggregate(last=Max("last_run_at"))["last"]
    except DatabaseError as error:
        return f"error: {error.__class__.__name__}"
    if last is None:
        return "never ran"
    if timezone.now() - last > BEAT_SILENT_AFTER:
        return f"silent since {last.isoformat(timespec='seconds')}"
    return "ok"


# What must answer for the site to serve; the other parts of the report are information.
VITAL = ("database", "broker", "cache")


def health_report() -> dict[str, str]:
    return {
        "database": database_status(),
        "broker": broker_status(),
        "cache": cache_status(),
        "beat": beat_status(),
    }
