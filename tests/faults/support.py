"""What the fault tests share: a pool whose members pledge by saved card through the Stripe
stand-in, a Celery worker process on the test database, and a look at what Stripe holds."""

import os
import signal
import subprocess
import sys
from pathlib import Path

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from commons_fund.payments import stripe_client
from commons_fund.payments.tests.factories import saved_card
from pledges import ballots, services
from pledges.models import Round
from pledges.tests.factories import voting_round
from projects.tests.factories import ProjectFactory
from tests.helpers import ROOT, database_url


def celery_worker_process(
    queue: str, stripe_url: str, log: Path, visibility_timeout: int = 3600
) -> subprocess.Popen:
    """A Celery worker process (2 children) on the test database and queue, logging to
    `log`, in its own process group (see kill_group)."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "STRIPE_API_BASE": stripe_url,
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_URL": "dummymail://",
        "CELERY_VISIBILITY_TIMEOUT": str(visibility_timeout),
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


def kill_group(worker: subprocess.Popen) -> None:
    os.killpg(worker.pid, signal.SIGKILL)
    worker.wait(timeout=10)


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
