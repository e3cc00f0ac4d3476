from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commons_fund.ledger.models import Phase, TransactionKind
from commons_fund.ledger.selectors import (
    account_balance,
    account_statement,
    centre_balance_rows,
    ledger_totals,
    organisation_balances,
)
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post
from commons_fund.members.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def _donate(bank, income, cents, key, when=None):
    return ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key=key,
        occurred_at=when,
        entries=[debit(bank, cents), credit(income, cents)],
    )


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def bank(organisation):
    return account_get_or_create(purpose="bank", organisation=organisation)


@pytest.fixture
def income(organisation):
    return account_get_or_create(purpose="donations", organisation=organisation)


def test_balance_at_a_date(bank, income):
    now = timezone.now()
    _donate(bank, income, 1000, "a", now - timedelta(days=10))
    _donate(bank, income, 250, "b", now - timedelta(days=1))
    assert account_balance(account=bank).posted == 1250
    assert account_balance(account=bank, at=now - timedelta(days=5)).posted == 1000
    assert account_balance(account=bank, at=now - timedelta(days=30)).posted == 0


def test_balance_queries_do_not_grow_with_the_entries(organisation, bank, income):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            account_balance(account=bank)
            organisation_balances(organisation=organisation)
            ledger_totals()
        return len(captured)

    _donate(bank, income, 1, "first")
    few = queries()
    for index in range(50):
        _donate(bank, income, index + 1, f"gift-{index}")
    assert queries() == few == 3


def test_organisation_balances_by_purpose(organisation, bank, income):
    _donate(bank, income, 500, "x")
    receivable = account_get_or_create(purpose="pledges_receivable", organisation=organisation)
    commitments = account_get_or_create(purpose="commitments", organisation=organisation)
    ledger_post(
        kind=TransactionKind.PLEDGE_COMMITMENT,
        idempotency_key="p",
        entries=[debit(receivable, 300, Phase.PENDING), credit(commitments, 300, Phase.PENDING)],
    )
    balances = organisation_balances(organisation=organisation)
    assert balances["bank:EUR"].posted == 500
    assert balances["pledges_receivable:EUR"].pending == 300
    assert balances["commitments:EUR"].pending == -300
    assert organisation_balances(organisation=OrganisationFactory()) == {}


def test_statement_carries_a_running_balance_across_pages(bank, income):
    now = timezone.now()
    for index, cents in enumerate([100, 200, 300, 400, 500]):
        _donate(bank, income, cents, f"s{index}", now - timedelta(days=10 - index))
    statement = account_statement(account=bank)
    assert [row.running_posted for row in statement] == [100, 300, 600, 1000, 1500]
    second_page = Paginator(statement, 2).page(2).object_list
    assert [(row.amount, row.running_posted) for row in second_page] == [(300, 600), (400, 1000)]


def test_a_structure_s_balances_read_its_kept_balances_not_its_entries(organisation, bank, income):
    """#24: summing a big host's entries (about 100 000 at ×100, 45 ms per aggregate even
    through the account index) grew the books page with its history; its accounts' kept
    balances are read instead, one row per account."""
    _donate(bank, income, 500, "own")
    other = OrganisationFactory()
    _donate(
        account_get_or_create(purpose="bank", organisation=other),
        account_get_or_create(purpose="donations", organisation=other),
        700,
        "theirs",
    )
    with CaptureQueriesContext(connection) as captured:
        balances = organisation_balances(organisation=organisation)
        centre_balance_rows(organisation=organisation)
    assert balances["bank:EUR"].posted == 500 and balances["donations:EUR"].posted == -500
    assert len(captured) == 2
    for query in captured.captured_queries:
        assert '"ledger_accountbalance"' in query["sql"]
        assert '"ledger_entry"' not in query["sql"]
