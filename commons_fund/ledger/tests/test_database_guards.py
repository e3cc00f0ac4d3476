"""Each ledger invariant, violated directly in SQL: the database itself must refuse."""

from contextlib import contextmanager

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from commons_fund.ledger.models import Entry, Transaction, TransactionKind
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@contextmanager
def _rolled_back():
    """Work on an unsealed transaction, then roll it back: committing it is refused."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _refused(statement: str, params=()) -> str:
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        _sql(statement, params)
    return str(raised.value)


def _insert_transaction(key: str, sealed: bool = False) -> int:
    _sql(
        "INSERT INTO ledger_transaction (kind, idempotency_key, memo, occurred_at, created_at,"
        " cause_id, is_sealed) VALUES (%s, %s, '', %s, %s, '', %s)",
        ["manual_adjustment", key, NOW, NOW, sealed],
    )
    return Transaction.objects.get(idempotency_key=key).pk


def _insert_entry(transaction_id: int, account_id: int, amount: int, currency="EUR") -> None:
    _sql(
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency, phase,"
        " occurred_at) VALUES (%s, %s, %s, %s, 'posted', %s)",
        [transaction_id, account_id, amount, currency, NOW],
    )


@pytest.fixture
def accounts():
    return account_get_or_create(purpose="bank"), account_get_or_create(purpose="donations")


@pytest.fixture
def posted(accounts):
    bank, donations = accounts
    return ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key="gift",
        entries=[debit(bank, 1000), credit(donations, 1000)],
    )


def test_a_transaction_cannot_be_inserted_already_sealed():
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert_transaction("sealed-at-birth", sealed=True)


def test_unbalanced_entries_cannot_be_sealed(accounts):
    bank, donations = accounts
    with _rolled_back():
        pk = _insert_transaction("unbalanced")
        _insert_entry(pk, bank.pk, 1000)
        _insert_entry(pk, donations.pk, -999)
        message = _refused("UPDATE ledger_transaction SET is_sealed = %s WHERE id = %s", [True, pk])
    assert "sum to zero" in message


def test_a_single_entry_cannot_be_sealed(accounts):
    bank, _ = accounts
    with _rolled_back():
        pk = _insert_transaction("lonely")
        _insert_entry(pk, bank.pk, 1000)
        message = _refused("UPDATE ledger_transaction SET is_sealed = %s WHERE id = %s", [True, pk])
    assert "at least two entries" in message


def test_sealed_transactions_cannot_change_or_disappear(posted):
    _refused("UPDATE ledger_transaction SET memo = 'edited' WHERE id = %s", [posted.pk])
    _refused("UPDATE ledger_transaction SET is_sealed = %s WHERE id = %s", [False, posted.pk])
    _refused("DELETE FROM ledger_transaction WHERE id = %s", [posted.pk])
    assert Transaction.objects.get(pk=posted.pk).memo == ""


def test_entries_cannot_change_disappear_or_be_added_to_a_sealed_transaction(posted, accounts):
    entry = posted.entries.first()
    _refused("UPDATE ledger_entry SET amount = amount + 1 WHERE id = %s", [entry.pk])
    _refused("DELETE FROM ledger_entry WHERE id = %s", [entry.pk])
    bank, _ = accounts
    _refused(
        "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency, phase,"
        " occurred_at) VALUES (%s, %s, 5, 'EUR', 'posted', %s)",
        [posted.pk, bank.pk, posted.occurred_at],
    )
    assert Entry.objects.filter(transaction=posted).count() == 2


def test_idempotency_keys_are_unique(posted):
    with pytest.raises(IntegrityError), transaction.atomic():
        _insert_transaction("gift")


def test_entries_are_in_the_account_currency_and_never_zero(accounts):
    bank, _ = accounts
    with _rolled_back():
        pk = _insert_transaction("currency")
        _refused(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency, phase,"
            " occurred_at) VALUES (%s, %s, 5, 'CHF', 'posted', %s)",
            [pk, bank.pk, NOW],
        )
        _refused(
            "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency, phase,"
            " occurred_at) VALUES (%s, %s, 0, 'EUR', 'posted', %s)",
            [pk, bank.pk, NOW],
        )


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="deferred constraint triggers are PostgreSQL's"
)
def test_postgresql_refuses_to_commit_an_unsealed_transaction():
    with pytest.raises(IntegrityError) as raised, transaction.atomic():
        _insert_transaction("left-open")
        _sql("SET CONSTRAINTS ALL IMMEDIATE")
    assert "not sealed" in str(raised.value)


def test_one_account_per_purpose_and_currency_for_the_platform_too(accounts):
    bank, _ = accounts
    assert bank.organisation is None  # a platform account
    _refused(
        "INSERT INTO ledger_account (organisation_id, purpose, code, type, currency, created_at)"
        " VALUES (NULL, 'bank', '512', 'asset', 'EUR', %s)",
        [NOW],
    )
    _refused(
        "INSERT INTO ledger_account (organisation_id, purpose, code, type, currency, created_at)"
        " VALUES (NULL, 'bank', '999', 'asset', 'USD', %s)",
        [NOW],
    )  # the code does not follow the chart


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no TRUNCATE")
def test_postgresql_refuses_to_truncate_the_ledger(posted):
    _sql("SET CONSTRAINTS ALL IMMEDIATE")  # as if posted by another session, long ago
    for table in ("ledger_entry", "ledger_transaction"):
        assert "never emptied" in _refused(f"TRUNCATE {table} CASCADE")
    assert Entry.objects.filter(transaction=posted).count() == 2
