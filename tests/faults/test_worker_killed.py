"""The collection worker killed (SIGKILL, the whole process group) in the middle of a round,
twice, then started again: every promise is charged exactly once — counted at the Stripe
stand-in — and the ledger balances.

The stand-in holds back each PaymentIntent's answer for a moment after making it, so the
kills land where it hurts most: Stripe has charged, the worker has not heard. The tasks the
dead worker had taken (acks_late) come back from Redis once their visibility timeout has
passed, and the collection sends its pending charge again with the same idempotency key."""

import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection

from commons_fund.ledger.selectors import ledger_totals
from commons_fund.payments.models import Charge, ChargeStatus, Payout
from pledges import rounds
from pledges.models import Instalment, InstalmentStatus, RoundState
from tests.helpers import standin_running, wait_for

from .support import card_pledging_round, celery_worker_process, kill_group, stripe_list

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


@pytest.fixture
def slow_stripe(settings):
    with standin_running("--latency", LATENCY) as url:
        settings.STRIPE_API_BASE = url
        yield url


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
            # Kill while a charge is on its way (written, its answer not saved): on a busy
            # machine the moment after a collection is often between two charges.
            assert wait_for(
                lambda done=done: (
                    instalments.filter(status=InstalmentStatus.SUCCEEDED).count() >= done
                    and Charge.objects.filter(status=ChargeStatus.PENDING).exists()
                ),
                timeout=120,
            )
            kill_group(worker)
            charged = instalments.filter(status=InstalmentStatus.SUCCEEDED).count()
            assert charged < PLEDGES, "the worker finished before it could be killed"
            # Charges written whose answer the dead worker never saved.
            caught_in_flight += Charge.objects.filter(status=ChargeStatus.PENDING).count()
            time.sleep(VISIBILITY_TIMEOUT + 1)
            worker = celery_worker_process(celery_queue, slow_stripe, log, VISIBILITY_TIMEOUT)
        # The restored tasks come back within the workers' restore scans (kombu: on start,
        # then every 100 s).
        assert wait_for(
            lambda: not instalments.exclude(status=InstalmentStatus.SUCCEEDED).exists(), timeout=240
        ), (list(instalments.values_list("status", flat=True)), log.read_text()[-3000:])
    finally:
        kill_group(worker)

    assert caught_in_flight >= 1, "no kill landed while a charge was on its way"
    intents, stripe_charges = (
        stripe_list("payment_intents", round_),
        stripe_list("charges", round_),
    )
    assert len(intents) == len(stripe_charges) == PLEDGES
    assert {intent.status for intent in intents} == {"succeeded"}
    charges = Charge.objects.filter(books=round_.pool.host)
    assert charges.count() == PLEDGES
    assert set(charges.values_list("stripe_payment_intent", flat=True)) == {
        intent.id for intent in intents
    }
    assert set(instalments.values_list("attempts", flat=True)) == {1}
    assert all(total == 0 for total in ledger_totals().values()), ledger_totals()

    rounds.rounds_advance()
    round_.refresh_from_db()
    assert round_.state == RoundState.PAID_OUT
    assert round_.results["collected"] == PLEDGES * 1000
    assert Payout.objects.get().amount == PLEDGES * 1000
