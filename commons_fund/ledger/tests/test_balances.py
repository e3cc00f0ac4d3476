"""`AccountBalance` is kept by the database: what each account's sealed entries sum to,
whoever seals the transaction (the services or raw SQL), never counting one being written."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from commons_fund.ledger.models import Account, AccountBalance, Entry, Phase, TransactionKind
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post
from commons_fund.members.tests.factories import OrganisationFactory
from tests.helpers import migrations_from

NOW = timezone.now()


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _summed(account: Account) -> tuple[int, int]:
    sums = Entry.objects.filter(account=account).aggregate(
        pending=Sum("amount", filter=Q(phase=Phase.PENDING), default=0),
        posted=Sum("amount", filter=Q(phase=Phase.POSTED), default=0),
    )
    return sums["pending"], sums["posted"]


def _kept(account: Account) -> tuple[int, int]:
    balance = AccountBalance.objects.filter(account=account).first()
    return (balance.pending, balance.posted) if balance else (0, 0)


@pytest.fixture
def book(db):
    organisation = OrganisationFactory()
    return {
        purpose: account_get_or_create(purpose=purpose, organisation=organisation)
        for purpose in ("bank", "donations", "pledges_receivable", "commitments")
    }


def test_a_sealed_posting_moves_its_accounts_balances(book):
    for key, cents in (("a", 1000), ("b", 250)):
        ledger_post(
            kind=TransactionKind.DONATION,
            idempotency_key=key,
            entries=[debit(book["bank"], cents), credit(book["donations"], cents)],
        )
    ledger_post(
        kind=TransactionKind.PLEDGE_COMMITMENT,
        idempotency_key="p",
        entries=[
            debit(book["pledges_receivable"], 300, Phase.PENDING),
            credit(book["commitments"], 300, Phase.PENDING),
        ],
    )
    assert _kept(book["bank"]) == (0, 1250) == _summed(book["bank"])
    assert _kept(book["donations"]) == (0, -1250)
    assert _kept(book["commitments"]) == (-300, 0)


def test_sealing_in_sql_moves_the_balances_and_an_unsealed_transaction_does_not(book):
    """The trigger acts on the seal, not on the service: raw SQL is counted the same way,
    and the entries of a transaction still being written count for nothing."""
    bank, donations = book["bank"], book["donations"]
    with transaction.atomic():
        _sql(
            "INSERT INTO ledger_transaction (kind, idempotency_key, memo, occurred_at,"
            " created_at, cause_id, is_sealed) VALUES ('donation', 'raw', '', %s, %s, '', %s)",
            [NOW, NOW, False],
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT id FROM ledger_transaction WHERE idempotency_key = 'raw'")
            (txn,) = cursor.fetchone()
        for account, cents in ((bank, 700), (donations, -700)):
            _sql(
                "INSERT INTO ledger_entry (transaction_id, account_id, amount, currency, phase,"
                " occurred_at) VALUES (%s, %s, %s, 'EUR', 'posted', %s)",
                [txn, account.pk, cents, NOW],
            )
        assert _kept(bank) == (0, 0)  # written, not sealed
        _sql("UPDATE ledger_transaction SET is_sealed = %s WHERE id = %s", [True, txn])
    assert _kept(bank) == (0, 700) and _kept(donations) == (0, -700)


@pytest.mark.django_db(transaction=True)
def test_the_migration_sums_the_entries_already_there():
    """Ledger 0008: the balances start from the sealed entries already in the books."""
    with migrations_from([("ledger", "0007_transaction_unsealed_index")]) as run:
        organisation = OrganisationFactory()
        bank = account_get_or_create(purpose="bank", organisation=organisation)
        donations = account_get_or_create(purpose="donations", organisation=organisation)
        ledger_post(
            kind=TransactionKind.DONATION,
            idempotency_key="before",
            entries=[debit(bank, 900), credit(donations, 900)],
        )
        apps = run.forward()
        Balance = apps.get_model("ledger", "AccountBalance")
        assert Balance.objects.get(account_id=bank.pk).posted == 900
        assert Balance.objects.get(account_id=donations.pk).posted == -900
    ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key="after",
        entries=[debit(bank, 100), credit(donations, 100)],
    )
    assert _kept(bank) == (0, 1000) == _summed(bank)


def test_ledger_check_finds_a_kept_balance_that_drifted(book):
    ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key="gift",
        entries=[debit(book["bank"], 500), credit(book["donations"], 500)],
    )
    output = io.StringIO()
    call_command("ledger_check", stdout=output)
    assert "sound" in output.getvalue()
    _sql("UPDATE ledger_accountbalance SET posted = 499 WHERE account_id = %s", [book["bank"].pk])
    with pytest.raises(CommandError) as raised:
        call_command("ledger_check", stdout=io.StringIO())
    assert f"account {book['bank'].pk}: kept 499 posted" in str(raised.value)
    assert "sum to 500 posted" in str(raised.value)
