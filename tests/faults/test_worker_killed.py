"""The collection worker killed (SIGKILL, the whole process group) in the middle of a round,
twice, then started again: every promise is charged exactly once — counted at the Stripe
stand-in — and the ledger balances.

The stand-in holds back each PaymentIntent's answer for a moment after making it, so the
kills land where it hurts most: Stripe has charged, the worker has not heard. The tasks the
dead worker had taken (acks_late) come back from Redis once their visibility timeout has
passed, and the collection sends its pending charge again with the same idempotency key.

Redis does not always give them back: Kombu loses a message popped from the queue and not yet
written among the unacknowledged ones when the kill lands, and one handed out again while
still running is no longer tracked once its first copy is acknowledged (a CI run kept one
promise due for four minutes). What Celery beat runs within the hour takes those up, as it
does when the broker loses every message (the second test)."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection

from commons_fund.payments.models import Charge, ChargeStatus
from pledges import rounds
from pledges.models import Instalment, InstalmentStatus, RoundState
from tests.helpers import wait_for

from .support import (
    all_charged,
    assert_every_promise_charged_once,
    beat_sweeps_run,
    broker_messages_drop,
    card_pledging_round,
    celery_worker_process,
    charge_on_its_way,
    kill_group,
)

PLEDGES = 40
KILL_AT = (8, 22)  # collections done when the worker is killed
# Seconds before a dead worker's tasks are handed out again: longer than a collection takes
# on a busy machine, else a task still running is handed out twice and, sharing its delivery
# tag, the copy is no longer tracked once the first acknowledges (a CI run lost one at 2 s).
VISIBILITY_TIMEOUT = 8
LATENCY = "0.4"  # seconds each PaymentIntent's answer is held back

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a worker process needs a database server"
    ),
    pytest.mark.skipif(
        not settings.CELERY_BROKER_URL.startswith("redis"),
        reason="the tasks of a dead worker come back from Redis",
    ),
]


def test_a_worker_killed_twice_mid_collection_charges_every_promise_once(
    slow_stripe, celery_queue, tmp_path
):
    round_ = card_pledging_round(PLEDGES)
    instalments = Instalment.objects.filter(round=round_)
    log = tmp_path / "worker.log"
    worker = celery_worker_process(celery_queue, slow_stripe, log, VISIBILITY_TIMEOUT)
    caught_in_flight = 0
    try:
        rounds.rounds_advance(now=round_.voting_closes_at + timedelta(seconds=1))
        round_.refresh_from_db()
        assert round_.state == RoundState.COLLECTING and instalments.count() == PLEDGES
        for done in KILL_AT:
            assert wait_for(charge_on_its_way(instalments, done), timeout=120)
            kill_group(worker)
            charged = instalments.filter(status=InstalmentStatus.SUCCEEDED).count()
            assert charged < PLEDGES, "the worker finished before it could be killed"
            # Charges written whose answer the dead worker never saved.
            caught_in_flight += Charge.objects.filter(status=ChargeStatus.PENDING).count()
            time.sleep(VISIBILITY_TIMEOUT + 1)
            worker = celery_worker_process(celery_queue, slow_stripe, log, VISIBILITY_TIMEOUT)
        # The restored tasks come back within the workers' restore scans (kombu: on start,
        # then every 100 s); the beat's sweeps take up what Redis lost.
        if not wait_for(all_charged(instalments), timeout=150):
            beat_sweeps_run()
        assert wait_for(all_charged(instalments), timeout=120), (
            list(instalments.values_list("status", flat=True)),
            log.read_text()[-3000:],
        )
    finally:
        kill_group(worker)

    assert caught_in_flight >= 1, "no kill landed while a charge was on its way"
    assert_every_promise_charged_once(round_, PLEDGES)


def test_promises_whose_tasks_the_broker_lost_are_charged_once_by_the_beat(
    slow_stripe, celery_queue, tmp_path
):
    round_ = card_pledging_round(PLEDGES)
    instalments = Instalment.objects.filter(round=round_)
    log = tmp_path / "worker.log"
    worker = celery_worker_process(celery_queue, slow_stripe, log, VISIBILITY_TIMEOUT)
    try:
        rounds.rounds_advance(now=round_.voting_closes_at + timedelta(seconds=1))
        assert wait_for(charge_on_its_way(instalments, KILL_AT[0]), timeout=120)
        kill_group(worker)
        on_its_way = Charge.objects.filter(status=ChargeStatus.PENDING).count()
        charged = instalments.filter(status=InstalmentStatus.SUCCEEDED).count()
        assert on_its_way >= 1 and charged < PLEDGES
        assert broker_messages_drop(celery_queue) >= PLEDGES - charged  # and notifications
        time.sleep(VISIBILITY_TIMEOUT + 1)
        worker = celery_worker_process(celery_queue, slow_stripe, log, VISIBILITY_TIMEOUT)
        # Nothing left to restore: the promises wait for the beat.
        assert not wait_for(all_charged(instalments), timeout=VISIBILITY_TIMEOUT * 2)
        assert instalments.filter(status=InstalmentStatus.SUCCEEDED).count() == charged
        swept = beat_sweeps_run()
        # Each promise left is taken up once: its charge sent again, its collection queued
        # again, or (a worker killed between saving a charge's answer and following it) its
        # charge followed.
        assert swept["charges_sent_again"] == on_its_way
        assert sum(swept.values()) == PLEDGES - charged, swept
        assert wait_for(all_charged(instalments), timeout=120), (
            list(instalments.values_list("status", flat=True)),
            log.read_text()[-3000:],
        )
        assert beat_sweeps_run() == dict.fromkeys(swept, 0)
    finally:
        kill_group(worker)

    assert_every_promise_charged_once(round_, PLEDGES)
