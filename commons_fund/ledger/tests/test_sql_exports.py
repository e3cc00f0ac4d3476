"""The exports PostgreSQL formats (`sql_exports`) are, byte for byte, those of the Python
path (`exports.fec_lines`, `exports.csv_lines`), on books made to trip the formatting:
quotes, backslashes, typography outside ISO 8859-15, control characters, formulas, commas,
empty memos, sub-accounts, a foreign currency, pending promises, the year's edges in Paris
and datetimes with and without microseconds."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from commons_fund.ledger import exports, sql_exports
from commons_fund.ledger.models import Phase, TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    cost_centre_get_or_create,
    credit,
    debit,
    ledger_post,
)
from commons_fund.members.tests.factories import OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL formats them"),
]
PARIS = ZoneInfo("Europe/Paris")
MEMOS = [
    'Don "spécial" de Lou \\ Zoé',
    "Collecte – « Normandie » … l’été",
    '“Cité\u202f!” — ‘bis’\u2009\\"',
    '=HYPERLINK("http://x")',
    "-12,5",
    "+33 6",
    "@admin, merci",
    "ligne 1\nligne 2\ttab\rretour",
    "",
    "Łódź 🎉 €",
    "Cœur ¤ ½ ¾",  # Latin-1's ¤ ½ ¾ are not ISO 8859-15's bytes A4 BD BE (€ œ Ÿ)
    "x" * 199 + "…",
    "é" * 120,  # more than 200 bytes, not more than 200 characters
    "é" * 150 + "x" * 100,  # cut at 200 characters
]


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(slug="ouvaton")
    centre = cost_centre_get_or_create(
        organisation=organisation,
        owner=UserFactory(),
        code='COMMUN-"x"',
        name="Tiers-lieu\t« Le Bouquet » – l’atelier",
    )
    book = {
        purpose: account_get_or_create(purpose=purpose, organisation=organisation)
        for purpose in ("bank", "donations", "pledges_receivable", "commitments")
    }
    centre_bank = account_get_or_create(purpose="bank", organisation=organisation, centre=centre)
    dollars = account_get_or_create(purpose="bank", organisation=organisation, currency="USD")
    dollar_gifts = account_get_or_create(
        purpose="donations", organisation=organisation, currency="USD"
    )
    moments = [
        datetime(2025, 1, 1, 0, 0, tzinfo=PARIS),  # the first instant of 2025 in Paris
        datetime(2025, 3, 14, 10, 0, 0, 123456, tzinfo=PARIS),
        datetime(2025, 12, 31, 23, 59, 59, tzinfo=PARIS),
        datetime(2026, 1, 1, 0, 30, tzinfo=PARIS),
        datetime(2024, 12, 31, 23, 30, tzinfo=PARIS),
    ]
    for number, memo in enumerate(MEMOS):
        when = moments[number % len(moments)]
        ledger_post(
            kind=TransactionKind.DONATION,
            idempotency_key=f"gift-{number}",
            memo=memo,
            occurred_at=when,
            entries=[
                debit(centre_bank if number % 2 else book["bank"], 1000 + number),
                credit(book["donations"], 1000 + number),
            ],
        )
        ledger_post(
            kind=TransactionKind.PLEDGE_COMMITMENT,
            idempotency_key=f"promise-{number}",
            memo=memo,
            occurred_at=when,
            entries=[
                debit(book["pledges_receivable"], 5 + number, Phase.PENDING),
                credit(book["commitments"], 5 + number, Phase.PENDING),
            ],
        )
    for number in range(3):  # a transaction with no bank line, then one whose comes last
        ledger_post(
            kind=TransactionKind.DONATION,
            idempotency_key=f"promise-kept-{number}",
            occurred_at=moments[1],
            entries=[
                debit(book["pledges_receivable"], 300),
                credit(book["donations"], 100),
                credit(book["donations"], 200) if number % 2 == 0 else credit(book["bank"], 200),
            ],
        )
    ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key="dollars",
        occurred_at=moments[1],
        entries=[debit(dollars, 12345), credit(dollar_gifts, 12345)],
    )
    return organisation


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_postgresql_writes_the_python_path_s_bytes(organisation, year):
    assert sql_exports.available(organisation=organisation)
    python_fec = b"".join(
        exports.chunked(
            exports.fec_lines(organisation=organisation, year=year),
            encode=lambda text: text.encode(exports.FEC_ENCODING, errors="replace"),
        )
    )
    python_csv = b"".join(
        exports.chunked(exports.csv_lines(organisation=organisation, year=year), encode=str.encode)
    )
    assert python_fec.count(b"\r\n") > 1 and python_csv.count(b"\r\n") > 1
    assert b"".join(exports.fec_chunks(organisation=organisation, year=year)) == python_fec
    assert b"".join(exports.csv_chunks(organisation=organisation, year=year)) == python_csv


def test_books_in_a_currency_without_two_decimals_keep_the_python_path(organisation):
    account_get_or_create(purpose="bank", organisation=organisation, currency="JPY")
    assert not sql_exports.available(organisation=organisation)


def test_a_download_stopped_halfway_leaves_the_connection_usable(organisation, monkeypatch):
    monkeypatch.setattr(sql_exports, "BATCH", 2)
    chunks = exports.fec_chunks(organisation=organisation, year=2025)
    next(chunks), next(chunks)
    chunks.close()
    assert OrganisationFactory().pk


@pytest.mark.parametrize("batch", [1, 2, 3, 5])
def test_a_transaction_split_between_batches_keeps_its_journal_and_number(
    organisation, batch, monkeypatch
):
    """Lines come in batches of `BATCH`: a transaction whose bank line comes in the batch
    after its first lines still goes, whole, to the bank's journal."""
    python_fec = b"".join(
        exports.chunked(
            exports.fec_lines(organisation=organisation, year=2025),
            encode=lambda text: text.encode(exports.FEC_ENCODING, errors="replace"),
        )
    )
    monkeypatch.setattr(sql_exports, "BATCH", batch)
    assert b"".join(exports.fec_chunks(organisation=organisation, year=2025)) == python_fec
    assert b"\r\nBQ\tBanque\t" in python_fec and b"\r\nOD\t" in python_fec
