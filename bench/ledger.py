"""Postings per second through `ledger_post` on PostgreSQL, against pgbench on the same server.

Run by hand (not in CI), with the local PostgreSQL:

    .venv/bin/python bench/ledger.py [--seconds 15] [--clients 1]

It uses two scratch databases (commons_fund_bench, commons_fund_pgbench) on
BENCH_PG (default postgres://postgres@127.0.0.1:5432), prints both rates and their ratio.
Each posting is a complete `ledger_post`: idempotency look-up, transaction, two entries and
the sealing checked by the database triggers, committed on its own — and, after the
commit, the page cache's new generation written to Redis (database 14 of BENCH_REDIS), as
in production; that write is also timed alone and printed as a share of a posting (#24).
"""

import argparse
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
# The project instead of bench/, whose http.py would shadow the standard library's `http`.
sys.path[0] = str(ROOT)

from bench.data import BENCH_PG, pg_args, recreate  # noqa: E402

BENCH_REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379")

LEDGER_DB = "commons_fund_bench"
PGBENCH_DB = "commons_fund_pgbench"
AIM = 0.25


def bench_ledger(seconds: float, clients: int) -> tuple[float, int]:
    recreate(LEDGER_DB)
    os.environ["DATABASE_URL"] = f"{BENCH_PG}/{LEDGER_DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "commons_fund.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["CACHE_URL"] = f"rediscache://{urlparse(BENCH_REDIS).netloc}/14"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from commons_fund.ledger.models import TransactionKind
    from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post
    from commons_fund.members.models import Organisation

    organisation = Organisation.objects.create(name="Bench", slug="bench", legal_form="scic")
    bank = account_get_or_create(purpose="bank", organisation=organisation)
    income = account_get_or_create(purpose="donations", organisation=organisation)
    connection.close()

    counts = [0] * clients
    deadline = time.perf_counter() + seconds

    def worker(index: int) -> None:
        from django.db import connection as thread_connection

        number = 0
        while time.perf_counter() < deadline:
            ledger_post(
                kind=TransactionKind.DONATION,
                idempotency_key=f"bench-{index}-{number}",
                entries=[debit(bank, 100 + number % 7), credit(income, 100 + number % 7)],
            )
            number += 1
        counts[index] = number
        thread_connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return sum(counts) / elapsed, sum(counts)


def bench_generation_write(times: int = 2000) -> float:
    """Seconds per write of a table's page-cache generation (once per table a committed
    transaction wrote)."""
    from commons_fund.table_generations import tables_expire

    started = time.perf_counter()
    for _ in range(times):
        tables_expire(["ledger_entry"])
    return (time.perf_counter() - started) / times


def bench_pgbench(seconds: float, clients: int) -> float:
    recreate(PGBENCH_DB)
    subprocess.run(
        ["pgbench", *pg_args(), "-i", "-q", "-s", "1", PGBENCH_DB], check=True, capture_output=True
    )
    result = subprocess.run(
        [
            "pgbench",
            *pg_args(),
            "-b",
            "tpcb-like",
            "-c",
            str(clients),
            "-j",
            str(clients),
            "-T",
            str(int(seconds)),
            PGBENCH_DB,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    match = re.search(r"tps = ([\d.]+)", result.stdout)
    if not match:
        raise SystemExit(f"Could not read pgbench's output:\n{result.stdout}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--clients", type=int, default=1)
    args = parser.parse_args()
    ledger_rate, postings = bench_ledger(args.seconds, args.clients)
    generation = bench_generation_write()
    pgbench_rate = bench_pgbench(args.seconds, args.clients)
    ratio = ledger_rate / pgbench_rate
    print(f"clients:                   {args.clients}")
    print(f"ledger_post:               {ledger_rate:10.1f} postings/s ({postings} postings)")
    print(f"pgbench -b tpcb-like:      {pgbench_rate:10.1f} transactions/s")
    print(f"ratio ledger / pgbench:    {ratio:10.2f}   (aim >= {AIM})")
    print("verdict:                  ", "meets the aim" if ratio >= AIM else "BELOW the aim")
    print(
        f"page-cache generation:     {generation * 1000:10.3f} ms per write to Redis, "
        f"{generation * ledger_rate:.0%} of a posting's time"
    )
    for database in (LEDGER_DB, PGBENCH_DB):
        subprocess.run(["dropdb", "--if-exists", *pg_args(), database], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
