"""Health of what the site depends on: the database and the Celery broker."""

from django.conf import settings
from django.db import DatabaseError, connections
from kombu import Connection

BROKER_TIMEOUT_SECONDS = 2


def database_status() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def broker_status() -> str:
    try:
        with Connection(
            settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT_SECONDS
        ) as connection:
            connection.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT_SECONDS)
    except Exception as error:
        return f"error: {error.__class__.__name__}"
    return "ok"


def health_report() -> dict[str, str]:
    return {"database": database_status(), "broker": broker_status()}
