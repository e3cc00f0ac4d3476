"""PostgreSQL restarted while `advance_rounds` is moving the rounds on: the command dies, and
the next `rounds_advance` resumes where it stopped — every round tallied and sent to
collection exactly once, nothing half-written, the ledger balanced.

To restart at a known point, another connection holds a lock on one round: the command
tallies the rounds before it, then waits on that lock, and the server is restarted then."""

import os
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from commons_fund.ledger.selectors import ledger_totals
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from pledges import ballots, rounds, services
from pledges.models import Instalment, InstalmentStatus, Round, RoundState
from pledges.tests.factories import voting_round
from projects.tests.factories import ProjectFactory
from tests.helpers import ROOT, database_url, wait_for

ROUNDS = 6
LOCKED = 3  # the command stops on the fourth round (index 3)
CLUSTER = Path("/etc/postgresql")
PG_CTLCLUSTER = shutil.which("pg_ctlcluster")


def _can_restart() -> bool:
    return (
        connection.vendor == "postgresql"
        and PG_CTLCLUSTER is not None
        and CLUSTER.is_dir()
        and os.geteuid() == 0
        and connection.settings_dict["HOST"] in ("", "127.0.0.1", "localhost")
    )


pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not _can_restart(),
        reason="needs the local PostgreSQL server, restarted with pg_ctlcluster (as root)",
    ),
]


def _accepting() -> bool:
    try:
        psycopg.connect(database_url(), connect_timeout=2).close()
    except psycopg.OperationalError:
        return False
    return True


def _restart_postgresql() -> None:
    version = sorted(
        CLUSTER.iterdir(), key=lambda path: [int(part) for part in path.name.split(".")]
    )[-1].name
    subprocess.run(
        [
            PG_CTLCLUSTER,
            "--skip-systemctl-redirect",
            version,
            "main",
            "restart",
            "--",
            "-m",
            "fast",
        ],
        check=True,
        timeout=120,
    )
    assert wait_for(_accepting, timeout=60), "PostgreSQL did not come back"
    connection.close()  # this test's own connection died with the server


def _closed_rounds() -> list[Round]:
    """ROUNDS pools whose vote has just closed, two promises by transfer and one voter each."""
    past = timezone.now() - timedelta(days=3)
    closed = []
    for number in range(ROUNDS):
        treasurer = MembershipFactory(role=Role.ADMIN)
        pool = services.pool_create(
            creator=treasurer.user,
            host=treasurer.organisation,
            name=f"Fonds {number}",
            quorum_percent=0,
        )
        members = []
        for _person in range(2):
            person = UserFactory()
            member = services.pool_join(pool=pool, actor=person)
            services.pledge_create(membership=member, actor=person, amount="15", method="transfer")
            members.append(member)
        round_, candidacies = voting_round(
            pool,
            treasurer.user,
            [ProjectFactory(), ProjectFactory()],
            nominations_open_at=past,
            voting_opens_at=past + timedelta(days=1),
            voting_closes_at=timezone.now() + timedelta(seconds=2),
        )
        ballots.ballot_cast(
            round_=round_,
            membership=members[0],
            actor=members[0].user,
            marks={candidacies[0].pk: 4, candidacies[1].pk: 1},
        )
        closed.append(round_)
    time.sleep(2)  # the votes close
    return closed


def _waiting_on_a_lock(conninfo: str) -> bool:
    with psycopg.connect(conninfo) as watcher:
        return (
            watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'"
            ).fetchone()[0]
            > 0
        )


def test_the_next_advance_resumes_after_a_database_restart(celery_queue):
    closed = _closed_rounds()
    conninfo = database_url()
    holder = psycopg.connect(conninfo)
    holder.execute("SELECT id FROM pledges_round WHERE id = %s FOR UPDATE", [closed[LOCKED].pk])
    command = subprocess.Popen(
        [sys.executable, "manage.py", "advance_rounds"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": conninfo,
            "CELERY_TASK_DEFAULT_QUEUE": celery_queue,
            "EMAIL_URL": "dummymail://",
            "LOG_LEVEL": "WARNING",
        },
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_for(lambda: _waiting_on_a_lock(conninfo), timeout=60), (
            "advance_rounds never reached the locked round"
        )
        _restart_postgresql()
        output = command.communicate(timeout=60)[0].decode()
    finally:
        command.kill()
        holder.close()
    assert command.returncode != 0, output
    assert "OperationalError" in output or "terminating connection" in output, output

    states = dict(Round.objects.filter(pk__in=[r.pk for r in closed]).values_list("pk", "state"))
    assert [states[r.pk] for r in closed] == (
        [RoundState.COLLECTING] * LOCKED + [RoundState.VOTING] * (ROUNDS - LOCKED)
    )
    stopped = Round.objects.get(pk=closed[LOCKED].pk)
    assert (stopped.results, stopped.winner_id) == ({}, None)  # nothing half-written
    assert set(Instalment.objects.filter(round=stopped).values_list("status", flat=True)) == {
        InstalmentStatus.PROMISED
    }
    assert all(total == 0 for total in ledger_totals().values()), ledger_totals()

    assert rounds.rounds_advance() == ROUNDS - LOCKED
    assert rounds.rounds_advance() == 0  # nothing moves twice
    for round_ in Round.objects.filter(pk__in=[r.pk for r in closed]):
        assert round_.state == RoundState.COLLECTING
        assert round_.results["voters"] == 1 and round_.results["pot"] == 3000
        assert round_.winner_id is not None
        assert (
            list(round_.pot_instalments.values_list("status", flat=True))
            == [InstalmentStatus.DUE] * 2
        )
    assert all(total == 0 for total in ledger_totals().values()), ledger_totals()
