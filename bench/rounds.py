"""Rounds at scale on PostgreSQL.

1. The tally of a round with 100 000 voters × 20 candidates, read straight from the
   database (one aggregate query, then `pledges.voting`), against the 2 s the issue aims at.
2. Collecting 2 000 card pledges through the local Stripe stand-in with 2 Celery worker
   processes: pledges per second, and a check that nobody was charged twice. (5 000 ran
   past `make bench`'s old 30-minute limit: saving each card through the stand-in alone
   took 1 099 s for 4 394 of them; 2 000 finish in about a quarter of an hour here.)

Run by hand (not in CI), with the local PostgreSQL and Redis:

    .venv/bin/python bench/rounds.py [--voters 100000] [--candidates 20]
                                     [--pledges 2000] [--workers 2] [--skip-collection]

It uses a scratch database (commons_fund_bench_rounds) on BENCH_PG (default
postgres://postgres@127.0.0.1:5432) and Redis database 13 of BENCH_REDIS.
"""

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The project instead of bench/, whose http.py would shadow the standard library's `http`.
sys.path[0] = str(ROOT)

from bench.data import BENCH_PG, recreate  # noqa: E402

BENCH_REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
DATABASE = "commons_fund_bench_rounds"
TALLY_AIM = 2.0
STANDIN_PORT = 8491


def _setup() -> None:
    recreate(DATABASE)
    os.environ.update(
        {
            "DATABASE_URL": f"{BENCH_PG}/{DATABASE}",
            "CELERY_BROKER_URL": BENCH_REDIS,
            "DJANGO_SETTINGS_MODULE": "commons_fund.settings",
            "LOG_LEVEL": "WARNING",
            "STRIPE_API_BASE": f"http://127.0.0.1:{STANDIN_PORT}",
            "EMAIL_URL": "dummymail://",
            "CELERY_TASK_DEFAULT_QUEUE": "bench-rounds",
        }
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _pool(name: str, **rules):
    from commons_fund.members.models import Membership, Organisation, Role, User
    from pledges import services

    host = Organisation.objects.create(
        name=f"Hôte {name}", slug=f"host-{name}", legal_form="association"
    )
    admin = User.objects.create_user(email=f"admin-{name}@bench.test")
    Membership.objects.create(organisation=host, user=admin, role=Role.ADMIN)
    return services.pool_create(creator=admin, host=host, name=name, slug=name, **rules), admin


def _round(pool, admin, projects):
    from django.utils import timezone

    from pledges import rounds

    now = timezone.now()
    round_ = rounds.round_schedule(
        pool=pool,
        actor=admin,
        nominations_open_at=now - timedelta(days=2),
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=1),
    )
    for project in projects:
        rounds.candidacy_nominate(round_=round_, actor=admin, project=project)
    return rounds.round_open_voting(round_=round_)


def _projects(host, count: int, prefix: str):
    from projects.models import Project

    return [
        Project.objects.create(
            name=f"{prefix} {n}",
            slug=f"{prefix}-{n}",
            summary="x",
            kind="software",
            licence="MIT",
            host=host,
        )
        for n in range(count)
    ]


def bench_tally(voters: int, candidates: int) -> float:
    """Seconds to tally a majority-judgment round of `voters` ballots from the database."""
    from django.db import connection

    from pledges import tally
    from pledges.models import Candidacy

    pool, admin = _pool("tally", quorum_percent=0)
    # The round needs a member to open its vote; the ballots are then written in bulk.
    from commons_fund.members.models import User
    from pledges.models import Pledge, PoolMembership

    member = PoolMembership.objects.create(
        pool=pool, user=User.objects.create_user(email="voter@bench.test")
    )
    Pledge.objects.create(membership=member, amount="10.00", method="transfer")
    round_ = _round(pool, admin, _projects(pool.host, candidates, "tally"))
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            # Ballots have random keys (secrecy, pledges.models.random_key), not a sequence.
            "INSERT INTO pledges_ballot (id, round_id, receipt) "
            "SELECT 1 + (random() * 4.6e18)::bigint, %s, 'B' || g "
            "FROM generate_series(1, %s) g",
            [round_.pk, voters],
        )
        # Grades skewed by candidate, deterministic: candidate k is graded around k % 7.
        cursor.execute(
            "INSERT INTO pledges_ballotline (ballot_id, candidacy_id, value) "
            "SELECT b.id, c.id, least(6, greatest(0, (c.id %% 7) "
            "+ (abs(hashtext(b.id::text || ':' || c.id::text)) %% 5) - 2)) "
            "FROM pledges_ballot b CROSS JOIN pledges_candidacy c "
            "WHERE b.round_id = %s AND c.round_id = %s",
            [round_.pk, round_.pk],
        )
        cursor.execute("ANALYZE pledges_ballot; ANALYZE pledges_ballotline")
    print(
        f"  wrote {voters:,} ballots × {candidates} candidates "
        f"in {time.perf_counter() - started:.1f} s"
    )
    timings = []
    for _attempt in range(3):
        started = time.perf_counter()
        results = tally.round_results(round_=round_, voters=voters, pot=0)
        timings.append(time.perf_counter() - started)
    winner = Candidacy.objects.get(pk=results["winner"]).project.name
    print(
        f"  winner {winner}, {len(results['ranking'])} ranked, "
        f"{sum(results['ranking'][0]['counts']):,} judgments each"
    )
    return min(timings)


def _standin():
    import urllib.request  # after sys.path is fixed: it imports `http`

    with socket.socket() as probe:  # a stand-in left running would answer in its place
        if probe.connect_ex(("127.0.0.1", STANDIN_PORT)) == 0:
            raise RuntimeError(f"Port {STANDIN_PORT} is taken: a stand-in of an earlier run?")
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.stripe_standin", "--port", str(STANDIN_PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            request = urllib.request.Request(
                f"http://127.0.0.1:{STANDIN_PORT}/v1/balance",
                headers={"Authorization": "Bearer sk_test_commons_fund_local"},
            )
            with urllib.request.urlopen(request, timeout=1):  # noqa: S310 - loopback
                return process
        except OSError:
            if time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("The Stripe stand-in did not start.") from None
            time.sleep(0.2)


def _members_with_cards(pool, count: int, threads: int = 8) -> None:
    """People with a saved Visa card each (what Stripe.js and the pledge form do)."""
    from django.db import connection

    from commons_fund.members.models import User
    from commons_fund.payments.tests.factories import connected_host, saved_card
    from pledges import services

    connected_host(pool.host)  # its own Stripe account takes the cards
    users = User.objects.bulk_create([User(email=f"p{n}@bench.test") for n in range(count)])

    def work(chunk):
        for user in chunk:
            saved = saved_card(user, pool.host)
            membership = services.pool_join(pool=pool, actor=user)
            services.pledge_create(
                membership=membership, actor=user, amount="10", method="card", saved_method=saved
            )
        connection.close()

    workers = [threading.Thread(target=work, args=(users[i::threads],)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def bench_collection(pledges: int, workers: int) -> tuple[float, dict]:
    from django.db.models import Count

    from commons_fund.ledger.selectors import ledger_totals
    from commons_fund.payments.models import Charge, ChargeStatus
    from pledges import ballots, rounds
    from pledges.models import Instalment, InstalmentStatus, PoolMembership

    standin = _standin()
    worker = None
    try:
        pool, admin = _pool("collection", quorum_percent=0)
        started = time.perf_counter()
        _members_with_cards(pool, pledges)
        print(
            f"  {pledges:,} members with a saved card and a pledge "
            f"in {time.perf_counter() - started:.0f} s"
        )
        round_ = _round(pool, admin, _projects(pool.host, 3, "collection"))
        voter = PoolMembership.objects.select_related("user").filter(pool=pool).first()
        ballots.ballot_cast(
            round_=round_,
            membership=voter,
            actor=voter.user,
            marks={c.pk: 6 - n for n, c in enumerate(round_.candidacies.all())},
        )
        worker = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/celery"),
                "-A",
                "commons_fund",
                "worker",
                "-Q",
                "bench-rounds",
                "-c",
                str(workers),
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=os.environ.copy(),
        )
        time.sleep(3)
        started = time.perf_counter()
        rounds.rounds_advance(now=round_.voting_closes_at + timedelta(seconds=1))
        instalments = Instalment.objects.filter(round=round_)
        while instalments.exclude(status=InstalmentStatus.SUCCEEDED).exists():
            if time.perf_counter() - started > 1800:
                raise RuntimeError("Collection did not finish in 30 minutes.")
            time.sleep(0.5)
        elapsed = time.perf_counter() - started
        charges = Charge.objects.filter(books=pool.host)
        checks = {
            "collections": instalments.count(),
            "charges": charges.count(),
            "succeeded": charges.filter(status=ChargeStatus.SUCCEEDED).count(),
            "charged twice": charges.values("cause_id")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .count(),
            "distinct payment intents": charges.values("stripe_payment_intent").distinct().count(),
            "ledger balanced": all(total == 0 for total in ledger_totals().values()),
        }
        return elapsed, checks
    finally:
        try:
            if worker is not None:
                _stop(worker, seconds=30)  # tasks the collection started may still be running
        finally:
            _stop(standin, seconds=10)


def _stop(process: subprocess.Popen, *, seconds: float) -> None:
    process.terminate()
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=100_000)
    parser.add_argument("--candidates", type=int, default=20)
    parser.add_argument("--pledges", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-collection", action="store_true")
    arguments = parser.parse_args()
    _setup()
    print(
        f"Tally of {arguments.voters:,} voters × {arguments.candidates} candidates "
        "(majority judgment, from PostgreSQL):"
    )
    seconds = bench_tally(arguments.voters, arguments.candidates)
    verdict = "within" if seconds <= TALLY_AIM else "OVER"
    print(
        f"  tally: {seconds:.3f} s (best of 3) — {verdict} the {TALLY_AIM:.0f} s aim "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    if arguments.skip_collection:
        return
    print(
        f"Collection of {arguments.pledges:,} card pledges through the Stripe stand-in "
        f"with {arguments.workers} worker processes:"
    )
    elapsed, checks = bench_collection(arguments.pledges, arguments.workers)
    print(
        f"  {arguments.pledges / elapsed:.1f} pledges per second "
        f"({elapsed:.1f} s for {arguments.pledges:,})"
    )
    for name, value in checks.items():
        print(f"  {name}: {value}")
    if checks["charges"] != arguments.pledges or checks["charged twice"]:
        raise SystemExit("A pledge was charged more than once, or not at all.")


if __name__ == "__main__":
    main()
