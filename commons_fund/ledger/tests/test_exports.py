import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from commons_fund.ledger.exports import FEC_COLUMNS, FEC_ENCODING
from commons_fund.ledger.models import Phase, TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    credit,
    debit,
    ledger_post,
    ledger_resolve_pending,
)
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(slug="ouvaton", siren="552100554")
    book = {
        p: account_get_or_create(purpose=p, organisation=organisation)
        for p in (
            "bank",
            "to_collect",
            "donations",
            "processor_fees",
            "pledges_receivable",
            "commitments",
            "contributions",
            "grants_paid",
        )
    }
    ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key="don",
        memo="Don de Lou",
        occurred_at=datetime(2025, 3, 14, 10, tzinfo=PARIS),
        entries=[debit(book["bank"], 123450), credit(book["donations"], 123450)],
    )
    pledge = ledger_post(
        kind=TransactionKind.PLEDGE_COMMITMENT,
        idempotency_key="promesse",
        occurred_at=datetime(2025, 6, 1, tzinfo=PARIS),
        entries=[
            debit(book["pledges_receivable"], 2000, Phase.PENDING),
            credit(book["commitments"], 2000, Phase.PENDING),
        ],
    )
    ledger_resolve_pending(
        pending=pledge,
        kind=TransactionKind.PLEDGE_COLLECTION,
        idempotency_key="collecte",
        memo="Collecte tour 1 – « Normandie »",
        occurred_at=datetime(2025, 7, 1, tzinfo=PARIS),
        posted_entries=[debit(book["to_collect"], 2000), credit(book["contributions"], 2000)],
    )
    ledger_post(
        kind=TransactionKind.PAYOUT,
        idempotency_key="versement",
        memo="Versement",
        occurred_at=datetime(2025, 12, 31, 23, 30, tzinfo=PARIS),  # still 2025 in Paris
        entries=[debit(book["grants_paid"], 50000), credit(book["bank"], 50000)],
    )
    ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key="next-year",
        occurred_at=datetime(2026, 1, 1, 0, 30, tzinfo=PARIS),
        entries=[debit(book["bank"], 100), credit(book["donations"], 100)],
    )
    return organisation


def _fec(path) -> list[list[str]]:
    raw = path.read_bytes()
    text = raw.decode(FEC_ENCODING)
    assert "\r\n" in text
    return [line.split("\t") for line in text.strip("\r\n").split("\r\n")]


def test_export_fec_column_by_column(organisation, tmp_path):
    output = tmp_path / "fec.txt"
    call_command("export_fec", owner="ouvaton", year=2025, output=str(output), stdout=io.StringIO())
    header, *rows = _fec(output)
    assert header == FEC_COLUMNS
    assert len(header) == 18
    assert all(len(row) == 18 for row in rows)
    # The pledge's promise (pending) is not in the books; its collection is.
    assert len(rows) == 6
    donation = rows[:2]
    assert donation[0] == [
        "BQ",
        "Banque",
        "1",
        "20250314",
        "512",
        "Banque",
        "",
        "",
        f"T{_pk('don')}",
        "20250314",
        "Don de Lou",
        "1234,50",
        "0,00",
        "",
        "",
        donation[0][15],
        "",
        "",
    ]
    assert donation[1][4:6] == ["7541", "Dons manuels"]
    assert donation[1][11:13] == ["0,00", "1234,50"]
    instalment = rows[2:4]
    assert {row[2] for row in instalment} == {"2"}
    assert instalment[0][10] == "Collecte tour 1 - « Normandie »"  # the dash is not latin-9
    assert [row[4] for row in instalment] == ["511", "756"]
    payout = rows[4:]
    assert payout[0][3] == "20251231"
    assert {row[4] for row in payout} == {"6571", "512"}
    for row in rows:
        assert len(row[3]) == 8 and row[3].isdigit()
        assert len(row[15]) == 8 and row[15].isdigit()
    debits = sum(Decimal(row[11].replace(",", ".")) for row in rows)
    credits = sum(Decimal(row[12].replace(",", ".")) for row in rows)
    assert debits == credits == Decimal("1754.50")
    for number in {row[2] for row in rows}:
        piece = [row for row in rows if row[2] == number]
        assert (
            sum(Decimal(r[11].replace(",", ".")) - Decimal(r[12].replace(",", ".")) for r in piece)
            == 0
        )


def _pk(key):
    from commons_fund.ledger.models import Transaction

    return Transaction.objects.get(idempotency_key=key).pk


def test_export_fec_refuses_unknown_owner_and_odd_years(organisation, tmp_path):
    with pytest.raises(CommandError):
        call_command("export_fec", owner="nobody", year=2025, output=str(tmp_path / "x"))
    with pytest.raises(CommandError):
        call_command("export_fec", owner="ouvaton", year=25, output=str(tmp_path / "x"))
    assert not (tmp_path / "x").exists()


def test_treasurer_downloads_fec_and_csv(client, organisation):
    treasurer = MembershipFactory(organisation=organisation, role=Role.TREASURER)
    client.force_login(treasurer.user)
    page = client.get("/fr/organisations/ouvaton/books/")
    assert page.status_code == 200
    assert "512 Banque" in page.text
    # Balances on each account's usual side: donations received read as a positive amount.
    assert "1\u202f235,50\xa0€" in page.text  # 1 234,50 € in 2025 + 1 € in 2026
    assert "-1\u202f235,50" not in page.text
    response = client.get("/fr/organisations/ouvaton/books/2025/fec/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="552100554FEC20251231.txt"'
    assert response.streaming  # read from the database as it is sent, never whole in memory
    lines = b"".join(response.streaming_content).decode(FEC_ENCODING).strip().split("\r\n")
    assert lines[0].split("\t") == FEC_COLUMNS and len(lines) == 7
    response = client.get("/fr/organisations/ouvaton/books/2025/csv/")
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][0] == "date"
    assert len(rows) == 1 + 10  # pending and posted entries of 2025, not of 2026


@pytest.mark.parametrize("role", [None, Role.MEMBER])
def test_books_are_404_to_members_and_strangers(client, organisation, role):
    user = MembershipFactory(organisation=organisation, role=role).user if role else None
    if user is None:
        user = MembershipFactory().user
    client.force_login(user)
    for url in (
        "/fr/organisations/ouvaton/books/",
        "/fr/organisations/ouvaton/books/2025/fec/",
        "/fr/organisations/ouvaton/books/2025/csv/",
    ):
        assert client.get(url).status_code == 404


def test_bad_years_are_404(client, organisation):
    client.force_login(MembershipFactory(organisation=organisation, role=Role.ADMIN).user)
    for year in ("abc", "25", "99999"):
        assert client.get(f"/fr/organisations/ouvaton/books/{year}/fec/").status_code == 404
