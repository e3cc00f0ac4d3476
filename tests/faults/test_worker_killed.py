"""The collection worker killed (SIGKILL, the whole process group) in the middle of a round,
twice, then started again: every promise is charged exactly once — counted at the Stripe
stand-in — and the ledger balances.

The stand-in holds back each PaymentIntent's answer for a moment after making it, so the
kills land where it hurts most: Stripe has charged, the worker has not heard. The tasks the
dead worker had taken (acks_late) come back from Redis once their visibility timeout has
passed, and the collection sends its pending charge again with the same idempotency key."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from commons_fund.ledger.selectors import ledger_totals
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from commons_fund.payments import services as payments
from commons_fund.payments import stripe_client
from commons_fund.payments.models import Charge, ChargeStatus, Payout
from pledges import ballots, rounds, services
from pledges.models import Collection, CollectionStatus, RoundState
from pledges.tests.factories import voting_round
from projects.tests.factories import ProjectFactory
from tests.helpers import ROOT, database_url, standin_running, wait_for

PLEDGES = 40
KILL_AT = (8, 22)  # collections done when the worker is killed
VISIBILITY_TIMEOUT = 2  # seconds before a dead worker's tasks are handed out again
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


def _worker(queue: str, stripe_url: str, log: Path) -> subprocess.Popen:
    """A Celery worker process (2 children) on the test database and queue, logging to
    `log`."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "STRIPE_API_BASE": stripe_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": "dummymail://",
        "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "commons_fund.settings",
    }
    with log.open("ab") as output:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "commons_fund",
                "worker",
                "-Q",
                queue,
                "-c",
                "2",
                "--loglevel",
                "WARNING",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdout=output,
            stderr=output,
        )


def _kill(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def _stripe_list(kind: str) -> list:
    listing = getattr(stripe_client.client().v1, kind).list(params={"limit": 100})
    return list(listing.auto_paging_iter())


def _pledging_round():
    host = OrganisationFactory(name="Normandie Libre")
    treasurer = MembershipFactory(organisation=host, role=Role.ADMIN).user
    pool = services.pool_create(creator=treasurer, host=host, name="Fonds tenace", quorum_percent=0)
    members = []
    for _number in range(PLEDGES):
        person = UserFactory()
        method = stripe_client.client().v1.payment_methods.create(
            params={
                "type": "card",
                "card": {
                    "number": "4242424242424242",
                    "exp_month": 12,
                    "exp_year": 2034,
                    "cvc": "123",
                },
            }
        )
        card = payments.payment_method_save_card(payer=person, stripe_payment_method=method.id)
        membership = services.pool_join(pool=pool, actor=person)
        services.pledge_create(
            membership=membership, actor=person, amount="10", method="card", saved_method=card
        )
        members.append(membership)
    round_, candidacies = voting_round(pool, treasurer, [ProjectFactory(), ProjectFactory()])
    ballots.ballot_cast(
        round_=round_,
        membership=members[0],
        actor=members[0].user,
        marks={candidacies[0].pk: 5, candidacies[1].pk: 2},
    )
    return round_


def test_a_worker_killed_twice_mid_collection_charges_every_promise_once(
    slow_stripe, celery_queue, tmp_path
):
    round_ = _pledging_round()
    collections = Collection.objects.filter(round=round_)
    log = tmp_path / "worker.log"
    worker = _worker(celery_queue, slow_stripe, log)
    caught_in_flight = 0
    try:
        rounds.rounds_advance(now=round_.voting_closes_at + timedelta(seconds=1))
        round_.refresh_from_db()
        assert round_.state == RoundState.COLLECTING and collections.count() == PLEDGES
        for done in KILL_AT:
            assert wait_for(
                lambda done=done: (
                    collections.filter(status=CollectionStatus.SUCCEEDED).count() >= done
                ),
                timeout=120,
            )
            _kill(worker)
            charged = collections.filter(status=CollectionStatus.SUCCEEDED).count()
            assert charged < PLEDGES, "the worker finished before it could be killed"
            # Charges written whose answer the dead worker never saved.
            caught_in_flight += Charge.objects.filter(status=ChargeStatus.PENDING).count()
            time.sleep(VISIBILITY_TIMEOUT + 1)
            worker = _worker(celery_queue, slow_stripe, log)
        assert wait_for(
            lambda: not collections.exclude(status=CollectionStatus.SUCCEEDED).exists(), timeout=120
        ), (list(collections.values_list("status", flat=True)), log.read_text()[-3000:])
    finally:
        _kill(worker)

    assert caught_in_flight >= 1, "no kill landed while a charge was on its way"
    intents, stripe_charges = _stripe_list("payment_intents"), _stripe_list("charges")
    assert len(intents) == len(stripe_charges) == PLEDGES
    assert {intent.status for intent in intents} == {"succeeded"}
    charges = Charge.objects.filter(books=round_.pool.host)
    assert charges.count() == PLEDGES
    assert set(charges.values_list("stripe_payment_intent", flat=True)) == {
        intent.id for intent in intents
    }
    assert set(collections.values_list("attempts", flat=True)) == {1}
    assert all(total == 0 for total in ledger_totals().values()), ledger_totals()

    rounds.rounds_advance()
    round_.refresh_from_db()
    assert round_.state == RoundState.PAID_OUT
    assert round_.results["collected"] == PLEDGES * 1000
    assert Payout.objects.get().amount == PLEDGES * 1000
