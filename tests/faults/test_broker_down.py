"""The broker is down when a round starts collecting (#17.6): `advance_rounds`, a process of
its own whose broker address answers nothing, tallies the round and leaves every promise due
without a charge, the tasks it could not queue named in its log. Once the broker is back,
Celery beat's sweep queues them again, a real worker charges each promise exactly once
(counted at the Stripe stand-in), and a second sweep finds nothing left to do."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from commons_fund.ledger.selectors import ledger_totals
from commons_fund.payments.models import Charge
from pledges import collecting
from pledges.models import Instalment, InstalmentStatus, Round, RoundState
from tests.helpers import ROOT, database_url, free_port, standin_running, wait_for

from .support import card_pledging_round, celery_worker_process, kill_group, stripe_list

PLEDGES = 12

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker process needs a database server"
    ),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis"),
        reason="the worker process and the sweep share the Redis broker",
    ),
]


@pytest.fixture
def stripe_url(settings):
    with standin_running() as url:
        settings.STRIPE_API_BASE = url
        yield url


def _advance_with_the_broker_down(queue: str, stripe_url: str) -> str:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # a free port: nothing answers there
    command = subprocess.run(
        [sys.executable, "manage.py", "advance_rounds"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": nowhere,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
            "STRIPE_API_BASE": stripe_url,
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "WARNING",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = command.stdout + command.stderr
    assert command.returncode == 0, output
    return output


def test_collections_left_unqueued_by_a_broker_outage_are_charged_once_it_is_back(
    stripe_url, celery_queue, tmp_path
):
    round_ = card_pledging_round(PLEDGES)
    Round.objects.filter(pk=round_.pk).update(voting_closes_at=timezone.now())  # vote closed
    instalments = Instalment.objects.filter(round=round_)

    output = _advance_with_the_broker_down(celery_queue, stripe_url)
    round_.refresh_from_db()
    assert round_.state == RoundState.COLLECTING
    assert instalments.count() == PLEDGES
    assert set(instalments.values_list("status", flat=True)) == {InstalmentStatus.DUE}
    assert not Charge.objects.exists() and stripe_list("payment_intents", round_) == []
    assert output.count("task.not_queued") >= PLEDGES, output
    assert "pledges.tasks.collection_attempt" in output and "Traceback" not in output, output

    # Too early for the sweep: a collection just started may still be on its way.
    assert collecting.collections_retry_due() == 0
    log = tmp_path / "worker.log"
    worker = celery_worker_process(celery_queue, stripe_url, log)
    try:
        later = timezone.now() + collecting.UNQUEUED_AFTER + timedelta(seconds=1)
        assert collecting.collections_retry_due(now=later) == PLEDGES
        assert wait_for(
            lambda: not instalments.exclude(status=InstalmentStatus.SUCCEEDED).exists(),
            timeout=120,
        ), (list(instalments.values_list("status", flat=True)), log.read_text()[-3000:])
        assert collecting.collections_retry_due(now=later) == 0
    finally:
        kill_group(worker)

    intents = stripe_list("payment_intents", round_)
    assert len(intents) == PLEDGES and {intent.status for intent in intents} == {"succeeded"}
    assert Charge.objects.filter(books=round_.pool.host).count() == PLEDGES
    assert set(instalments.values_list("attempts", flat=True)) == {1}
    assert all(total == 0 for total in ledger_totals().values()), ledger_totals()
    assert "Traceback" not in log.read_text(), log.read_text()[-3000:]
