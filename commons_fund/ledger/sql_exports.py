"""The FEC and CSV exports formatted by PostgreSQL: each line is built by the query and
streamed in batches, so that Python only joins, escapes (the FEC) and encodes them (#21: the
Python path formats 12 000–18 000 lines per second; a big host's year is 100 000 lines).

The lines are the same, character for character, as those of the Python path in
`exports.py`, which stays the reference (and SQLite's path): `tests/test_sql_exports.py`
compares both on varied books. Labels (the chart's, the transaction kinds') are passed in the
active language, as the Python path writes them.
"""

from collections.abc import Generator, Iterator
from contextlib import closing
from datetime import datetime
from itertools import chain, islice
from typing import Any

from babel.numbers import get_currency_precision
from django.conf import settings
from django.db import connection, transaction

from commons_fund.members.models import Organisation

from . import latin9
from .chart import CHART
from .models import Account, TransactionKind

BATCH = 2000  # lines joined, escaped and encoded together: 5 000 held 17 MB at once, 2 000 hold 7
BANK_JOURNAL, OTHER_JOURNAL = "BQ\tBanque\t", "OD\tOpérations diverses\t"
SORT_MEMORY = "64MB"  # PostgreSQL's work_mem for an export's sort (4 MB by default)

# The accounts' texts' controls become spaces in SQL (once per account; translate() looks up
# each character of a text in its list, a few microseconds a call: it runs only on the rare
# texts a regular expression finds a control in), the labels' in Python (see fec_batches);
# the rest of what ISO 8859-15 needs is done on whole batches (`latin9.escaped`).
_CONTROL_PARAMS = {
    "any_control": "[\x01-\x1f]",
    "controls": latin9.CONTROLS,
    "spaces": " " * len(latin9.CONTROLS),
}


def _no_controls(expression: str) -> str:
    return (
        f"CASE WHEN {expression} ~ %(any_control)s "
        f"THEN translate({expression}, %(controls)s, %(spaces)s) ELSE {expression} END"
    )


def _values(name: str, pairs: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A VALUES list of (key, label) and its parameters."""
    params, rows = {}, []
    for index, (key, label) in enumerate(pairs.items()):
        params[f"{name}_k{index}"], params[f"{name}_v{index}"] = key, str(label)
        rows.append(f"(%({name}_k{index})s, %({name}_v{index})s)")
    return f"{name}(key, label) AS (VALUES {', '.join(rows)})", params


def _decimal(cents: str, point: str) -> str:
    """Positive minor units of a two-decimal currency as 1234,50 or 1234.50, in integer
    arithmetic (a numeric's rounding and cast cost several times more)."""
    return f"(({cents}) / 100)::text || '{point}' || lpad((({cents}) %% 100)::text, 2, '0')"


def _sides(amount: str, point: str) -> tuple[str, str]:
    """The debit and credit columns of an entry's signed amount."""
    zero = f"'0{point}00'"
    return (
        f"CASE WHEN {amount} > 0 THEN {_decimal(amount, point)} ELSE {zero} END",
        f"CASE WHEN {amount} < 0 THEN {_decimal(f'-{amount}', point)} ELSE {zero} END",
    )


# One sort, on (date, transaction, entry), of the lines' raw columns (ordered in the
# subquery, so that the output's columns are formatted after it, as they stream); a
# transaction has one date, so its lines come together. Python numbers the transactions in
# that order and puts each in its journal (`fec_batches`), idle while PostgreSQL works: its
# `dense_rank()` was 15 % of the query, the window `bool_or()` that chose the journal 20 %.
# The accounts' four columns are joined once per account: MATERIALIZED, or PostgreSQL folds
# the CTE into the query and formats them again for each entry (12-15 % of a big host's
# year). Days are the dates in the session's time zone (set to the site's for the export):
# `AT TIME ZONE 'Europe/Paris'` looked the zone up again on every line (an eighth of the
# query). Lines are joined with `||` in a few large constant pieces rather than by
# `concat_ws` over every column.
FEC_SQL = """
WITH {chart}, {kinds}, accounts AS MATERIALIZED (
    SELECT account.id, account.purpose IN ('bank', 'to_collect') AS bank,
           account.code || E'\\t' || {account_label} || E'\\t' || {aux_code} || E'\\t'
               || {aux_name} AS text
    FROM ledger_account AS account
    LEFT JOIN ledger_costcentre AS centre ON centre.id = account.centre_id
    JOIN chart ON chart.key = account.purpose
    WHERE account.id = ANY(%(accounts)s)
), lines AS (
    SELECT entry.id, entry.transaction_id, entry.occurred_at, entry.amount, entry.currency,
           account.text AS account,
           CASE WHEN txn.memo = '' THEN kinds.label
                WHEN octet_length(txn.memo) <= 200 THEN txn.memo
                ELSE left(txn.memo, 200) END AS label,
           replace((entry.occurred_at::date)::text, '-', '') AS day,
           replace((txn.created_at::date)::text, '-', '') AS recorded,
           account.bank
    FROM ledger_entry AS entry
    JOIN accounts AS account ON account.id = entry.account_id
    JOIN ledger_transaction AS txn ON txn.id = entry.transaction_id
    JOIN kinds ON kinds.key = txn.kind
    WHERE entry.account_id = ANY(%(accounts)s) AND entry.phase = 'posted' AND txn.is_sealed
      AND entry.occurred_at >= %(start)s AND entry.occurred_at < %(end)s
    ORDER BY entry.occurred_at, entry.transaction_id, entry.id
)
SELECT transaction_id,
    bank,
    E'\\t' || day || E'\\t' || account || E'\\tT' || transaction_id::text || E'\\t' || day
        || E'\\t',
    label,
    CASE WHEN amount > 0 THEN E'\\t' || {debit} || E'\\t0,00\\t\\t\\t'
         WHEN amount < 0 THEN E'\\t0,00\\t' || {credit} || E'\\t\\t\\t'
         ELSE E'\\t0,00\\t0,00\\t\\t\\t' END
    || recorded
    || CASE WHEN currency = 'EUR' THEN E'\\t\\t\\r\\n'
            ELSE E'\\t' || {foreign} || E'\\t' || currency || E'\\r\\n' END
FROM lines ORDER BY occurred_at, transaction_id, id
"""

# A text cell that would run as a formula gets an apostrophe (spreadsheets.safe_cell).
_SAFE_MEMO = (
    "CASE WHEN txn.memo ~ '^[=+@\\t\\r-]' AND txn.memo !~ '^[+-]?[0-9]+([.,][0-9]+)?$' "
    "THEN '''' || txn.memo ELSE txn.memo END"
)


def _csv_cell(expression: str) -> str:
    """A field as csv.writer writes it (QUOTE_MINIMAL): quoted, its quotes doubled, when it
    holds a comma, a quote or a line break."""
    return (
        f"CASE WHEN {expression} ~ '[,\"\\r\\n]' "
        f"THEN '\"' || replace({expression}, '\"', '\"\"') || '\"' ELSE {expression} END"
    )


CSV_SQL = """
WITH {chart}
SELECT concat_ws(',',
    to_char(txn.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN date_trunc('second', txn.occurred_at) = txn.occurred_at THEN ''
                ELSE to_char(txn.occurred_at AT TIME ZONE 'UTC', '.US') END
        || '+00:00',
    txn.id::text,
    txn.kind,
    {memo},
    account.code,
    {account_label},
    entry.phase,
    {debit},
    {credit},
    entry.currency
) || E'\\r\\n'
FROM ledger_entry AS entry
JOIN ledger_account AS account ON account.id = entry.account_id
JOIN ledger_transaction AS txn ON txn.id = entry.transaction_id
JOIN chart ON chart.key = account.purpose
WHERE entry.account_id = ANY(%(accounts)s) AND txn.is_sealed
  AND entry.occurred_at >= %(start)s AND entry.occurred_at < %(end)s
ORDER BY entry.occurred_at, entry.transaction_id, entry.id
"""


def available(*, organisation: Organisation) -> bool:
    """On PostgreSQL, for books whose currencies have two decimals (the rounding of others
    is left to the Python path)."""
    if connection.vendor != "postgresql":
        return False
    currencies = set(
        Account.objects.filter(organisation=organisation).values_list("currency", flat=True)
    )
    return all(get_currency_precision(currency) == 2 for currency in currencies)


def _accounts(organisation: Organisation) -> list[int]:
    return list(Account.objects.filter(organisation=organisation).values_list("pk", flat=True))


def _rows(
    sql: str, params: dict[str, Any], *, time_zone: str = "UTC"
) -> Generator[list[tuple[Any, ...]]]:
    """The query's rows in batches, streamed: PostgreSQL sends rows as it makes them
    (psycopg's chunked rows mode) while this process joins and encodes those received, the
    two at once — a server-side cursor made them take turns, one FETCH at a time. Memory
    stays bounded: the socket's buffers hold what is not read yet. Sorted in the server's
    memory (a big host's year is tens of MB). Dates are read in `time_zone`."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{SORT_MEMORY}'")
        cursor.execute("SET LOCAL DateStyle = 'ISO'")  # dates as YYYY-MM-DD in text
        cursor.execute("SELECT set_config('TimeZone', %s, true)", [time_zone])
        # Closed first when the download stops halfway: psycopg then cancels the query and
        # reads what was already sent, so that the connection can roll back.
        with closing(cursor.cursor.stream(sql, params, size=BATCH)) as stream:
            while rows := list(islice(stream, BATCH)):
                yield rows


def fec_batches(*, organisation: Organisation, start: datetime, end: datetime) -> Iterator[str]:
    """The FEC's lines in batches. Each row is (the transaction, whether the line is on a
    bank's account, the columns after the journal and the number and before the label, the
    label, those after). A transaction goes to the bank's journal when one of its lines
    does: its lines wait for the next transaction's first (the last transaction of a batch
    waits for the next batch), then get their journal. A control in a label becomes a space
    here, where it cannot be mistaken for a separator, on the rare batches that hold one —
    a regular expression on each label was a sixth of the query's time."""
    chart, chart_params = _values("chart", {key: line.label for key, line in CHART.items()})
    kinds, kind_params = _values("kinds", dict(TransactionKind.choices))
    sql = FEC_SQL.format(
        chart=chart,
        kinds=kinds,
        account_label=_no_controls("chart.label"),
        aux_code=_no_controls("coalesce(centre.code, '')"),
        aux_name=_no_controls("coalesce(centre.name, '')"),
        debit=_decimal("amount", ","),
        credit=_decimal("-amount", ","),
        foreign=_decimal("abs(amount)", ","),
    )
    batches = _rows(
        sql,
        {
            **chart_params,
            **kind_params,
            **_CONTROL_PARAMS,
            "accounts": _accounts(organisation),
            "start": start,
            "end": end,
        },
        time_zone=settings.TIME_ZONE,
    )
    with closing(batches):  # a download stopped halfway stops the query (see _rows)
        number, last, numbered, bank = 0, None, "", False
        pieces: list[str] = []
        slots: list[int] = []  # where the transaction's lines have their journal in pieces
        for rows in batches:
            clean = not latin9.has_controls("".join([row[3] for row in rows]))
            for transaction_id, on_bank, before, label, after in rows:
                if transaction_id != last:
                    if bank:
                        for slot in slots:
                            pieces[slot] = BANK_JOURNAL
                    number, last, numbered = number + 1, transaction_id, str(number + 1)
                    bank, slots = False, []
                slots.append(len(pieces))
                bank = bank or on_bank
                pieces += (
                    OTHER_JOURNAL,
                    numbered,
                    before,
                    label if clean else latin9.controls_spaced(label),
                    after,
                )
            if held := slots[0]:  # the lines before the transaction that may go on
                yield latin9.escaped("".join(pieces[:held]))
                pieces, slots = pieces[held:], [slot - held for slot in slots]
        if bank:
            for slot in slots:
                pieces[slot] = BANK_JOURNAL
        if pieces:
            yield latin9.escaped("".join(pieces))


def csv_batches(*, organisation: Organisation, start: datetime, end: datetime) -> Iterator[str]:
    chart, chart_params = _values("chart", {key: line.label for key, line in CHART.items()})
    debit, credit = _sides("entry.amount", ".")
    sql = CSV_SQL.format(
        chart=chart,
        debit=debit,
        credit=credit,
        memo=_csv_cell(_SAFE_MEMO),
        account_label=_csv_cell("chart.label"),
    )
    batches = _rows(
        sql, {**chart_params, "accounts": _accounts(organisation), "start": start, "end": end}
    )
    with closing(batches):
        for rows in batches:
            yield "".join(chain.from_iterable(rows))
