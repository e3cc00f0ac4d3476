"""Celery tasks' outcomes in /metrics, counted by a real worker (apart from test_metrics.py:
the worker's tests are transactional, which the demo data of that module's tests are not)."""

import pytest

from commons_fund import celery_app
from commons_fund.members.tasks import invitations_expire
from tests.helpers import wait_for

from .test_metrics import TOKEN, scrape

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def token(settings):
    settings.METRICS_TOKEN = TOKEN


def _tasks(client, outcome: str) -> float:
    key = (
        "commons_fund_celery_tasks_total",
        ("outcome", outcome),
        ("task", invitations_expire.name),
    )
    return scrape(client).get(key, 0)


def test_task_outcomes_are_counted_by_the_worker(client, celery_worker):
    succeeded, failed = _tasks(client, "succeeded"), _tasks(client, "failed")
    invitations_expire.delay()
    # Sent by name: delay() would refuse the argument before it reaches the worker.
    celery_app.send_task(invitations_expire.name, args=["an argument it does not take"])
    assert wait_for(lambda: _tasks(client, "succeeded") == succeeded + 1)
    assert wait_for(lambda: _tasks(client, "failed") == failed + 1)
