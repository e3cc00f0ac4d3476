"""Queuing Celery tasks after a commit without letting a broker outage fail the person.

The rows the task works on are committed first; if the broker cannot be reached, the task is
not queued, a WARNING names it, and a Celery beat sweep of those rows queues it again once the
broker is back (collections left due without a charge, for instance). Nothing is lost, only
delayed; the person who caused it gets their page, not a 500.

Services name the tasks they queue ("pledges.tasks.collection_attempt"): the tasks modules
import the services they call, so the services cannot import them back. A name that no task
answers to is an error at once, not a message no worker takes."""

import logging
from typing import Any

from celery import Task
from django.db import transaction
from kombu.exceptions import OperationalError

from commons_fund.celery import app
from commons_fund.logs import log_event

logger = logging.getLogger(__name__)


def _task(name: str) -> Task:
    if name not in app.tasks:
        # A web process imports the apps' tasks modules when it first queues a task (a
        # worker does it when it starts).
        app.loader.import_default_modules()
    return app.tasks[name]


def queue(task_name: str, *args: Any) -> bool:
    """Queue the task now; False (logged) when the broker cannot take it."""
    task = _task(task_name)
    try:
        task.delay(*args)
    except (OperationalError, OSError) as error:
        log_event(
            logger,
            "task.not_queued",
            level=logging.WARNING,
            task=task_name,
            arguments=list(args),
            error=type(error).__name__,
        )
        return False
    return True


def queue_after_commit(task_name: str, *args: Any) -> None:
    """Queue the task once the current transaction commits (never for a rolled-back one)."""
    transaction.on_commit(lambda: queue(task_name, *args))
