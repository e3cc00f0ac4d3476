"""Accounting exports of one structure's books: a plain CSV and the French FEC.

FEC (Fichier des Écritures Comptables, article A47 A-1 du LPF): 18 tab-separated columns,
dates as YYYYMMDD, amounts with a decimal comma, ISO 8859-15 text. Only posted amounts are
exported: pending commitments are promises, outside the books until collected.
"""

import csv
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from itertools import groupby
from operator import attrgetter
from typing import BinaryIO
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet

from commons_fund.members.models import Organisation
from commons_fund.money import from_minor_units
from commons_fund.spreadsheets import SpreadsheetWriter

from . import latin9, sql_exports
from .chart import CHART
from .models import Account, Entry, Phase, TransactionKind

FEC_COLUMNS = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
FEC_ENCODING = latin9.ENCODING
BANK_PURPOSES = {"bank", "to_collect"}
JOURNALS = {"BQ": "Banque", "OD": "Opérations diverses"}


def _local_date(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def _year_bounds(year: int) -> tuple[datetime, datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    return (
        datetime.combine(date(year, 1, 1), time.min, zone),
        datetime.combine(date(year + 1, 1, 1), time.min, zone),
    )


def posted_entries(
    *, organisation: Organisation, start: datetime, end: datetime
) -> QuerySet[Entry]:
    """Posted entries of an organisation's accounts with start <= date < end, in order."""
    return (
        Entry.objects.filter(
            account__organisation=organisation,
            phase=Phase.POSTED,
            transaction__is_sealed=True,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .select_related("account__centre", "transaction")
        .order_by("occurred_at", "transaction_id", "id")
    )


def _french_decimal(cents: int, currency: str) -> str:
    return f"{from_minor_units(cents, currency):.2f}".replace(".", ",")


def _pieces(entries: QuerySet[Entry]) -> Iterator[tuple[int, str, list[Entry]]]:
    """FEC entries (écritures): the posted lines of each transaction, numbered from 1."""
    grouped = groupby(entries.iterator(chunk_size=2000), key=attrgetter("transaction_id"))
    for number, (_transaction_id, group) in enumerate(grouped, start=1):
        lines = list(group)
        bank = any(line.account.purpose in BANK_PURPOSES for line in lines)
        yield number, "BQ" if bank else "OD", lines


def _auxiliary(account: Account) -> tuple[str, str]:
    """CompAuxNum and CompAuxLib: a sub-account names its cost centre (a commons, a pool)."""
    if account.centre is None:
        return "", ""
    return account.centre.code, account.centre.name


def fec_rows(*, organisation: Organisation, year: int) -> Iterator[list[str]]:
    start, end = _year_bounds(year)
    for number, journal, lines in _pieces(
        posted_entries(organisation=organisation, start=start, end=end)
    ):
        for entry in lines:
            txn = entry.transaction
            day = _local_date(txn.occurred_at).strftime("%Y%m%d")
            label = txn.memo or TransactionKind(txn.kind).label
            foreign = entry.currency != "EUR"
            yield [
                journal,
                JOURNALS[journal],
                str(number),
                day,
                entry.account.code,
                CHART[entry.account.purpose].label,
                *_auxiliary(entry.account),
                f"T{txn.pk}",
                day,
                str(label)[:200],
                _french_decimal(max(entry.amount, 0), entry.currency),
                _french_decimal(max(-entry.amount, 0), entry.currency),
                "",
                "",
                _local_date(txn.created_at).strftime("%Y%m%d"),
                _french_decimal(abs(entry.amount), entry.currency) if foreign else "",
                entry.currency if foreign else "",
            ]


def fec_filename(*, organisation: Organisation, year: int) -> str:
    """The name the administration expects: <SIREN>FEC<closing date>.txt."""
    return f"{organisation.siren or organisation.slug}FEC{year}1231.txt"


class _Line:
    """What csv.writer writes to, handing each line back (Django's streaming CSV recipe)."""

    def write(self, value: str) -> str:
        return value


def fec_lines(*, organisation: Organisation, year: int) -> Iterator[str]:
    """The FEC of an organisation's calendar year, line by line, read from the database in
    chunks (a server-side cursor on PostgreSQL): memory stays flat whatever its size."""
    writer = csv.writer(
        _Line(), delimiter="\t", lineterminator="\r\n", quoting=csv.QUOTE_NONE, escapechar="\\"
    )
    yield writer.writerow(FEC_COLUMNS)
    for row in fec_rows(organisation=organisation, year=year):
        yield writer.writerow([value.translate(latin9.FALLBACKS) for value in row])


def fec_chunks(*, organisation: Organisation, year: int) -> Iterator[bytes]:
    """The FEC of an organisation's calendar year, encoded, in chunks: formatted by
    PostgreSQL when it can (`sql_exports`), by `fec_lines` otherwise — the same bytes."""
    if not sql_exports.available(organisation=organisation):
        yield from chunked(fec_lines(organisation=organisation, year=year), encode=latin9.encoded)
        return
    start, end = _year_bounds(year)
    yield latin9.encoded("\t".join(FEC_COLUMNS) + "\r\n")
    for batch in sql_exports.fec_batches(organisation=organisation, start=start, end=end):
        yield latin9.encoded(batch)


def write_fec(output: BinaryIO, *, organisation: Organisation, year: int) -> int:
    """Write the FEC of an organisation's calendar year; returns the number of entry lines."""
    count = -1  # the header is not an entry
    for chunk in fec_chunks(organisation=organisation, year=year):
        output.write(chunk)
        count += chunk.count(b"\n")
    return count


def chunked(
    lines: Iterator[str], *, encode: Callable[[str], bytes], size: int = 1000
) -> Iterator[bytes]:
    """Lines joined by `size` and encoded, for a streaming response."""
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield encode("".join(batch))
            batch = []
    if batch:
        yield encode("".join(batch))


CSV_COLUMNS = [
    "date",
    "transaction",
    "kind",
    "memo",
    "account",
    "account_label",
    "phase",
    "debit",
    "credit",
    "currency",
]


def csv_lines(*, organisation: Organisation, year: int) -> Iterator[str]:
    """Every entry (pending and posted) of an organisation's year, for spreadsheets, line by
    line from chunked reads."""
    start, end = _year_bounds(year)
    entries = (
        Entry.objects.filter(
            account__organisation=organisation,
            transaction__is_sealed=True,
            occurred_at__gte=start,
            occurred_at__lt=end,
        )
        .select_related("account", "transaction")
        .order_by("occurred_at", "transaction_id", "id")
    )
    writer = SpreadsheetWriter(_Line())
    yield writer.writerow(CSV_COLUMNS)
    for entry in entries.iterator(chunk_size=2000):
        txn = entry.transaction
        yield writer.writerow(
            [
                txn.occurred_at.isoformat(),
                txn.pk,
                txn.kind,
                txn.memo,
                entry.account.code,
                CHART[entry.account.purpose].label,
                entry.phase,
                from_minor_units(max(entry.amount, 0), entry.currency),
                from_minor_units(max(-entry.amount, 0), entry.currency),
                entry.currency,
            ]
        )


def csv_chunks(*, organisation: Organisation, year: int) -> Iterator[bytes]:
    """The CSV of an organisation's year in UTF-8 chunks, formatted by PostgreSQL when it can
    (`sql_exports`), by `csv_lines` otherwise — the same bytes."""
    if not sql_exports.available(organisation=organisation):
        yield from chunked(csv_lines(organisation=organisation, year=year), encode=str.encode)
        return
    start, end = _year_bounds(year)
    yield (",".join(CSV_COLUMNS) + "\r\n").encode()
    for batch in sql_exports.csv_batches(organisation=organisation, start=start, end=end):
        yield batch.encode()
