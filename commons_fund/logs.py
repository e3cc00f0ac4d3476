"""Log lines that operators can follow: one event name and the ids it concerns.

`log_event(logger, "charge.succeeded", charge=12, amount=2000)` writes
"charge.succeeded charge=12 amount=2000" as plain text, and with `LOG_FORMAT=json` one JSON
object per line whose fields are `event`, `charge` and `amount` (python-json-logger).
Levels: INFO for every money movement and state change, WARNING for what will be retried,
ERROR for what needs a person.
"""

import logging
from typing import Any


def log_event(
    logger: logging.Logger, event: str, /, *, level: int = logging.INFO, **fields: Any
) -> None:
    text = " ".join([event, *(f"{key}={value}" for key, value in fields.items())])
    logger.log(level, text, extra={"event": event, **fields})


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """The LOGGING setting: plain lines, or JSON lines when `log_format` is "json"."""
    formatters = {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    }
    if log_format not in formatters:
        raise ValueError(f"LOG_FORMAT must be 'plain' or 'json', not {log_format!r}.")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {log_format: formatters[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            "django_tasks": {"level": "WARNING"},
            "wagtail": {"level": "WARNING"},
            "stripe": {"level": "WARNING"},
        },
    }
