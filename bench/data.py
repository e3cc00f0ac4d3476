"""The demo's data at a larger scale, on PostgreSQL, for the benches that check pages stay
flat as the data grows (#21, #24).

    .venv/bin/python bench/data.py --scale 100 [--database commons_fund_scale_100]

A scale of N means, in round figures, 50·N commons, 5·N pools (50 at least: a page),
500·N members (all in the demo's pool, each with one live pledge and three finished ones:
2 000·N pledges), a ballot from each member in both of the pool's closed rounds (1 000·N
ballots) and about 9 700·N ledger entries over the last year, a tenth of them in the books
of the pool's host (Normandie Libre). ×100 is the size the issue measured: 5 000 commons,
500 pools, 50 000 members, 200 000 pledges, 970 000 entries.

It starts from the demo (`migrate`, `seed_demo`), then copies demo rows with SQL
(`INSERT … SELECT … FROM generate_series`), so ×100 is built in a few minutes: the copies
obey every constraint and the ledger's triggers (transactions inserted unsealed, then
sealed, each checked balanced). People created here share the demo's password.
"""

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BENCH_PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
MARK = "scale"  # every row made here carries it in a key (e-mail, slug, receipt, …)
POOL = "fonds-commun-normand"
HOST = "normandie-libre"
API_PAGE = 50  # REST_FRAMEWORK["PAGE_SIZE"]


def database_url(database: str) -> str:
    url = urlparse(BENCH_PG)
    return f"postgres://{url.username or 'postgres'}@{url.hostname}:{url.port or 5432}/{database}"


def pg_args() -> list[str]:
    """Where the benches' PostgreSQL is, for its command-line tools."""
    url = urlparse(BENCH_PG)
    return [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]


def exists(database: str) -> bool:
    listed = subprocess.run(
        ["psql", *pg_args(), "-Atc", "SELECT datname FROM pg_database"],
        capture_output=True,
        text=True,
        check=True,
    )
    return database in listed.stdout.split()


def recreate(database: str) -> None:
    """An empty database of this name, whatever was there."""
    subprocess.run(["dropdb", "--if-exists", "--force", *pg_args(), database], check=True)
    subprocess.run(["createdb", *pg_args(), database], check=True)


def seed(database: str, env: dict) -> None:
    """A new database with the demo in it."""
    recreate(database)
    env = {**env, "DATABASE_URL": database_url(database)}
    for command in (["migrate", "--noinput", "-v", "0"], ["seed_demo"]):
        done = subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,  # the demo's log, shown only if it fails
            text=True,
            check=False,
        )
        if done.returncode:
            sys.exit(f"{' '.join(command)} failed:\n{done.stderr[-3000:]}")


def _columns(cursor: psycopg.Cursor, table: str) -> list[str]:
    cursor.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s"
        " ORDER BY ordinal_position",
        [table],
    )
    return [name for (name,) in cursor.fetchall()]


def copy_rows(
    cursor: psycopg.Cursor, table: str, *, template: str, source: str, values: dict[str, str]
) -> int:
    """Insert one row per row of `source` (SQL naming its rows `s`), each a copy of the
    `template` row (SQL for one row of `table`, named `t`) but for `values` (SQL
    expressions over `t` and `s`). The primary key is left to its default unless given."""
    columns = [name for name in _columns(cursor, table) if name != "id" or "id" in values]
    selected = ", ".join(values.get(name, f"t.{name}") for name in columns)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {selected} FROM ({template}) t, {source}"
    )
    return cursor.rowcount


def _missing(cursor: psycopg.Cursor, sql: str, target: int) -> int:
    cursor.execute(sql)
    return max(0, target - cursor.fetchone()[0])


def grow(connection: psycopg.Connection, scale: int) -> dict[str, int]:
    """Add rows to the demo until it has the sizes of `scale`; returns what was added."""
    added: dict[str, int] = {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, host_id FROM pledges_pool WHERE slug = %s", [POOL])
        pool_id, host_id = cursor.fetchone()

        people = _missing(cursor, "SELECT count(*) FROM members_user", 500 * scale)
        added["people"] = copy_rows(
            cursor,
            "members_user",
            template="SELECT * FROM members_user WHERE email = 'sacha@demo.test'",
            source=f"generate_series(1, {people}) s(i)",
            values={
                "email": f"'member-' || s.i || '@{MARK}.test'",
                "first_name": "'Membre'",
                "last_name": "s.i::text",
                "calendar_key": "''",
                "date_joined": "now()",
                "last_login": "NULL",
            },
        )
        commons = _missing(cursor, "SELECT count(*) FROM projects_project", 50 * scale)
        added["commons"] = copy_rows(
            cursor,
            "projects_project",
            template="SELECT * FROM projects_project WHERE slug = 'bouquet-normand'",
            source=f"generate_series(1, {commons}) s(i)",
            values={
                "slug": f"'{MARK}-commons-' || s.i",
                "name": "'Commun ' || to_char(s.i, 'FM00000')",
                "status": "'active'",
                "created_at": "now()",
                "updated_at": "now()",
            },
        )
        # A full page of the API's list at every scale: growth then measures the data, not
        # a page filling up (5 pools at ×1 against 50 at ×100 read as 1.8×).
        pools = _missing(cursor, "SELECT count(*) FROM pledges_pool", max(5 * scale, API_PAGE))
        added["pools"] = copy_rows(
            cursor,
            "pledges_pool",
            template=f"SELECT * FROM pledges_pool WHERE id = {pool_id}",
            source=f"generate_series(1, {pools}) s(i)",
            values={
                "slug": f"'{MARK}-pool-' || s.i",
                "name": "'Pot commun ' || s.i",
                "created_at": "now()",
            },
        )
        new_people = f"SELECT id FROM members_user WHERE email LIKE '%@{MARK}.test'"
        added["members"] = copy_rows(
            cursor,
            "pledges_poolmembership",
            template=f"SELECT * FROM pledges_poolmembership WHERE pool_id = {pool_id}"
            " AND user_id IS NOT NULL LIMIT 1",
            source=f"({new_people}) s",
            values={"user_id": "s.id", "joined_at": "now()", "status": "'active'"},
        )
        new_members = (
            f"SELECT m.id, g FROM pledges_poolmembership m, generate_series(1, 4) g"
            f" WHERE m.user_id IN ({new_people})"
        )
        added["pledges"] = copy_rows(
            cursor,
            "pledges_pledge",
            template="SELECT * FROM pledges_pledge LIMIT 1",
            source=f"({new_members}) s",
            values={
                "membership_id": "s.id",
                "status": "CASE WHEN s.g = 1 THEN 'active' ELSE 'finished' END",
                "amount": "(5 + s.id % 46)::numeric",
                "method": "'transfer'",
                "saved_method_id": "NULL",
                "rounds_committed": "0",
                "created_at": "now()",
                "updated_at": "now()",
            },
        )
        added["ballots"] = _ballots(cursor, pool_id, new_people)
        added["entries"] = _entries(cursor, host_id, 9_700 * scale)
    return added


def _ballots(cursor: psycopg.Cursor, pool_id: int, new_people: str) -> int:
    """A ballot from each new member in each closed round, marked like one of the round's
    ballots with the grades shifted, and the member on the round's roll."""
    cursor.execute(
        "SELECT id FROM pledges_round WHERE pool_id = %s AND state = 'closed'", [pool_id]
    )
    ballots = 0
    for (round_id,) in cursor.fetchall():
        copy_rows(
            cursor,
            "pledges_voterroll",
            template=f"SELECT * FROM pledges_voterroll WHERE round_id = {round_id} LIMIT 1",
            source=f"(SELECT id FROM pledges_poolmembership WHERE user_id IN ({new_people})) s",
            values={"membership_id": "s.id", "receipt_digest": f"'{MARK}-' || s.id"},
        )
        ballots += copy_rows(
            cursor,
            "pledges_ballot",
            template=f"SELECT * FROM pledges_ballot WHERE round_id = {round_id} LIMIT 1",
            source=f"(SELECT v.id FROM pledges_voterroll v WHERE v.round_id = {round_id}"
            f" AND v.receipt_digest LIKE '{MARK}-%') s",
            # Far above the keys random_key draws (62 bits): no collision with the demo's.
            values={
                "id": f"{2**62 + round_id * 10**9} + s.id",
                "receipt": f"'{MARK}-{round_id}-' || s.id",
            },
        )
        cursor.execute(
            f"SELECT min(b.id), max(l.value) FROM pledges_ballot b"
            f" JOIN pledges_ballotline l ON l.ballot_id = b.id"
            f" WHERE b.round_id = {round_id} AND b.receipt NOT LIKE '{MARK}-%'"
        )
        model, highest = cursor.fetchone()
        cursor.execute(
            f"""
            INSERT INTO pledges_ballotline (ballot_id, candidacy_id, value)
            SELECT b.id, l.candidacy_id, (l.value + b.id) % {highest + 1}
            FROM pledges_ballot b JOIN pledges_ballotline l ON l.ballot_id = {model}
            WHERE b.round_id = {round_id} AND b.receipt LIKE '{MARK}-%'
            """
        )
        recount(cursor, round_id)
    return ballots


def recount(cursor: psycopg.Cursor, round_id: int) -> None:
    """The counted round's numbers of voters (in all and per college) as its ballots now
    are; the rest of its results (the grades' counts) stays the demo's."""
    cursor.execute(
        """
        UPDATE pledges_round SET results = results || jsonb_build_object(
            'voters', (SELECT count(*) FROM pledges_ballot WHERE round_id = %(round)s),
            'college_voters', (
                SELECT jsonb_object_agg(coalesce(college_id::text, ''), n) FROM (
                    SELECT college_id, count(*) AS n FROM pledges_ballot
                    WHERE round_id = %(round)s GROUP BY college_id
                ) AS colleges
            )
        ) WHERE id = %(round)s
        """,
        {"round": round_id},
    )


def _balances_trigger(cursor: psycopg.Cursor, action: str) -> None:
    """Turn the balances' trigger on or off. A table cannot be altered while checks deferred
    to the commit wait on it: they are run first (they hold on what is there), then deferred
    again for what follows."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"ALTER TABLE ledger_transaction {action} TRIGGER ledger_balance_on_seal")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def _entries(cursor: psycopg.Cursor, host_id: int, target: int) -> int:
    """Copies of the demo's two-entry transactions over the last 365 days, a tenth in the
    host's books and the rest in the other organisations'. Each copy's key names its
    model (`scale-<n>-<model id>`) so that its entries can be copied from the model's."""
    missing = _missing(cursor, "SELECT count(*) FROM ledger_entry", target) // 2
    models = f"""
        SELECT t.id, min(a.organisation_id) = {host_id} AS in_host,
               row_number() OVER (PARTITION BY min(a.organisation_id) = {host_id} ORDER BY t.id) - 1
               AS k
        FROM ledger_transaction t
        JOIN ledger_entry e ON e.transaction_id = t.id
        JOIN ledger_account a ON a.id = e.account_id
        WHERE t.resolves_id IS NULL AND t.reverses_id IS NULL AND t.is_sealed
        GROUP BY t.id HAVING count(*) = 2
    """
    cursor.execute(f"CREATE TEMPORARY TABLE models AS {models}")
    _balances_trigger(cursor, "DISABLE")
    cursor.execute("SELECT in_host, count(*) FROM models GROUP BY in_host")
    sizes = dict(cursor.fetchall())
    cursor.execute(
        f"""
        INSERT INTO ledger_transaction (kind, idempotency_key, memo, occurred_at, created_at,
                                        cause_id, cause_type_id, is_sealed)
        SELECT t.kind, '{MARK}-' || s.i || '-' || t.id, t.memo,
               date_trunc('day', now()) - make_interval(days => s.i % 365, secs => s.i % 86400),
               now(), t.cause_id, t.cause_type_id, false
        FROM generate_series(1, {missing}) s(i)
        JOIN models m ON m.in_host = (s.i % 10 = 0)
            AND m.k = (s.i / 10) % CASE WHEN s.i % 10 = 0 THEN {sizes[True]}
                                        ELSE {sizes[False]} END
        JOIN ledger_transaction t ON t.id = m.id
        """
    )
    cursor.execute(
        f"""
        INSERT INTO ledger_entry (amount, currency, phase, occurred_at, account_id,
                                  transaction_id)
        SELECT e.amount, e.currency, e.phase, n.occurred_at, e.account_id, n.id
        FROM ledger_transaction n
        JOIN ledger_entry e ON e.transaction_id = split_part(n.idempotency_key, '-', 3)::bigint
        WHERE n.idempotency_key LIKE '{MARK}-%' AND NOT n.is_sealed
        """
    )
    entries = cursor.rowcount
    # Sealing runs the balances' trigger once per transaction, each adding to the same few
    # accounts' rows: in one database transaction every update of a row keeps its old
    # versions until the commit and the next one walks them (hours at ×100). So the new
    # entries are added to the balances in one statement, then sealed with that trigger off
    # (the ledger's checks still run on each).
    cursor.execute(
        f"""
        INSERT INTO ledger_accountbalance AS balance (account_id, pending, posted)
        SELECT e.account_id, SUM(CASE WHEN e.phase = 'pending' THEN e.amount ELSE 0 END),
               SUM(CASE WHEN e.phase = 'posted' THEN e.amount ELSE 0 END)
        FROM ledger_entry e JOIN ledger_transaction n ON n.id = e.transaction_id
        WHERE n.idempotency_key LIKE '{MARK}-%' AND NOT n.is_sealed
        GROUP BY e.account_id
        ON CONFLICT (account_id) DO UPDATE SET
            pending = balance.pending + EXCLUDED.pending,
            posted = balance.posted + EXCLUDED.posted
        """
    )
    cursor.execute(
        f"UPDATE ledger_transaction SET is_sealed = true"
        f" WHERE idempotency_key LIKE '{MARK}-%' AND NOT is_sealed"
    )
    _balances_trigger(cursor, "ENABLE")
    cursor.execute(
        """
        SELECT count(*) FROM ledger_accountbalance AS balance FULL JOIN (
            SELECT e.account_id, SUM(CASE WHEN e.phase = 'pending' THEN e.amount END) AS pending,
                   SUM(CASE WHEN e.phase = 'posted' THEN e.amount END) AS posted
            FROM ledger_entry e JOIN ledger_transaction t ON t.id = e.transaction_id
            WHERE t.is_sealed GROUP BY e.account_id
        ) AS summed USING (account_id)
        WHERE coalesce(balance.pending, 0) <> coalesce(summed.pending, 0)
           OR coalesce(balance.posted, 0) <> coalesce(summed.posted, 0)
        """
    )
    wrong = cursor.fetchone()[0]
    assert not wrong, f"{wrong} accounts' kept balances differ from their entries' sums"
    return entries


def build(database: str, scale: int, env: dict | None = None) -> dict[str, int]:
    """The demo grown to `scale` in a new `database`, analysed; returns the rows added."""
    seed(database, env or dict(os.environ))
    with psycopg.connect(database_url(database), autocommit=False) as connection:
        added = grow(connection, scale)
        connection.commit()
    with psycopg.connect(database_url(database), autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    return added


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=100)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    database = args.database or f"commons_fund_scale_{args.scale}"
    started = time.monotonic()
    added = build(database, args.scale)
    figures = ", ".join(f"{count} {name}" for name, count in added.items())
    print(f"{database}: ×{args.scale}, added {figures} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
