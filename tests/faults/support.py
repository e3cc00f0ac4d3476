"""What the fault tests share: a pool whose members pledge by saved card through the Stripe
stand-in, a Celery worker process on the test database, and a look at what Stripe holds."""

import json
import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from commons_fund.celery import app as celery_app
from commons_fund.ledger.selectors import ledger_totals
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from commons_fund.payments import stripe_client
from commons_fund.payments.models import Charge, ChargeStatus, Payout
from commons_fund.payments.services import charges_submit_pending
from commons_fund.payments.tests.factories import saved_card
from pledges import ballots, collecting, rounds, services
from pledges.models import Instalment, InstalmentStatus, Round, RoundState
from pledges.tests.factories import voting_round
from projects.tests.factories import ProjectFactory
from tests.helpers import ROOT, database_url

CELERY = [sys.executable, "-m", "celery", "-A", "commons_fund"]


def process_environment(queue: str, stripe_url: str, **variables: str) -> dict[str, str]:
    """The environment of a process of the site started by a test: the test database, queue
    and Stripe stand-in, the cache and broker of the run (Redis in CI)."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "STRIPE_API_BASE": stripe_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": "dummymail://",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "commons_fund.settings",
        **variables,
    }


def _started(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """A process in its own process group (see kill_group), logging to `log`."""
    with log.open("ab") as output:
        return subprocess.Popen(
            command, cwd=ROOT, env=env, start_new_session=True, stdout=output, stderr=output
        )


def celery_worker_process(
    queue: str, stripe_url: str, log: Path, visibility_timeout: int = 3600
) -> subprocess.Popen:
    """A Celery worker process (2 children) on the test database and queue."""
    env = process_environment(queue, stripe_url, CELERY_VISIBILITY_TIMEOUT=str(visibility_timeout))
    return _started(
        [
            *CELERY,
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
        env,
        log,
    )


def beat_process(queue: str, stripe_url: str, log: Path) -> subprocess.Popen:
    """A Celery beat (the project's scheduler), telling what it sends."""
    return _started(
        [
            *CELERY,
            "beat",
            "--loglevel",
            "INFO",
            "--pidfile",
            str(log.with_suffix(".pid")),
        ],
        process_environment(queue, stripe_url, LOG_LEVEL="INFO"),
        log,
    )


def kill_group(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


def charge_on_its_way(instalments, done: int):
    """At least `done` promises collected and a charge on its way (written, its answer not
    saved): on a busy machine the moment after a collection is often between two charges."""
    return lambda: (
        instalments.filter(status=InstalmentStatus.SUCCEEDED).count() >= done
        and Charge.objects.filter(status=ChargeStatus.PENDING).exists()
    )


def all_charged(instalments):
    return lambda: not instalments.exclude(status=InstalmentStatus.SUCCEEDED).exists()


def broker_messages_drop(queue: str) -> int:
    """Lose every message Redis holds for `queue`, waiting or taken by a (dead) worker, as a
    Redis restarted without its data would; returns how many were lost."""
    with celery_app.connection_for_write() as connection:
        channel = connection.default_channel
        lost = channel.queue_purge(queue) or 0
        client = channel.client
        for tag, raw in client.hgetall(channel.unacked_key).items():
            if json.loads(raw)[2] == queue:
                client.pipeline().hdel(channel.unacked_key, tag).zrem(
                    channel.unacked_index_key, tag
                ).execute()
                lost += 1
    return lost


def beat_sweeps_run() -> dict[str, int]:
    """What Celery beat runs within the hour after a worker's loss: charges left on their way
    sent again (same idempotency keys), charges whose answer no collection followed
    followed, collections never tried queued again (last: a worker takes them up at once).
    Returns what each sweep took up."""
    an_hour_later = timezone.now() + timedelta(hours=1)
    return {
        "charges_sent_again": charges_submit_pending(older_than_seconds=0),
        "charges_followed": collecting.collections_follow_charges(),
        "collections_queued_again": collecting.collections_retry_due(now=an_hour_later),
    }


def stripe_list(kind: str, round_: Round) -> list:
    """The objects of a kind on the Stripe account of the round's pool host (its own,
    connected: the collections are direct charges on it)."""
    options = {"stripe_account": round_.pool.host.stripe_account.stripe_id}
    listing = getattr(stripe_client.client().v1, kind).list(params={"limit": 100}, options=options)
    return list(listing.auto_paging_iter())


def card_pledging_round(pledges: int, **dates) -> Round:
    """A pool of `pledges` members who each promise 10 € by saved card, and its round with
    two commons, whose vote is open (one ballot cast); `dates` as voting_round takes them."""
    host = OrganisationFactory(name="Normandie Libre")
    treasurer = MembershipFactory(organisation=host, role=Role.ADMIN).user
    pool = services.pool_create(creator=treasurer, host=host, name="Fonds tenace", quorum_percent=0)
    members = []
    for _number in range(pledges):
        person = UserFactory()
        card = saved_card(person, host)
        membership = services.pool_join(pool=pool, actor=person)
        services.pledge_create(
            membership=membership, actor=person, amount="10", method="card", saved_method=card
        )
        members.append(membership)
    round_, candidacies = voting_round(
        pool, treasurer, [ProjectFactory(), ProjectFactory()], **dates
    )
    ballots.ballot_cast(
        round_=round_,
        membership=members[0],
        actor=members[0].user,
        marks={candidacies[0].pk: 5, candidacies[1].pk: 2},
    )
    return round_


def assert_every_promise_charged_once(round_: Round, pledges: int) -> None:
    """Each promise charged once at Stripe and in the books, which balance; the round then
    pays its pot out."""
    intents, stripe_charges = (
        stripe_list("payment_intents", round_),
        stripe_list("charges", round_),
    )
    assert len(intents) == len(stripe_charges) == pledges
    assert {intent.status for intent in intents} == {"succeeded"}
    charges = Charge.objects.filter(books=round_.pool.host)
    assert charges.count() == pledges
    assert set(charges.values_list("stripe_payment_intent", flat=True)) == {
        intent.id for intent in intents
    }
    assert set(Instalment.objects.filter(round=round_).values_list("attempts", flat=True)) == {1}
    assert all(total == 0 for total in ledger_totals().values()), ledger_totals()
    rounds.rounds_advance()
    round_.refresh_from_db()
    assert round_.state == RoundState.PAID_OUT
    assert round_.results["collected"] == pledges * 1000
    assert Payout.objects.get().amount == pledges * 1000
