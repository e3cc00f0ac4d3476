"""Health of what the site depends on: the database and the Celery broker."""

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import DatabaseError, connections
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 1


def database_status() -> str:
    try:
        with connections["default"].cursor() as cursor:
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


def broker_status() -> str:
    url = settings.CELERY_BROKER_URL
    try:
        with Connection(
            url, connect_timeout=BROKER_TIMEOUT_SECONDS, transport_options=_probe_options(url)
        ) as connection:
            connection.ensure_connection(max_retries=0, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def health_report() -> dict[str, str]:
    return {"database": database_status(), "broker": broker_status()}
