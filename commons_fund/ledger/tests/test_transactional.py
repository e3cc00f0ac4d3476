"""Ledger rows written in a transactional test (as Celery worker tests do) do not prevent the
test database from being emptied afterwards, and the triggers still guard the next test."""

import pytest
from django.db import IntegrityError, connection, transaction

from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post


def _post(key: str):
    return ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key=key,
        entries=[
            debit(account_get_or_create(purpose="bank"), 100),
            credit(account_get_or_create(purpose="donations"), 100),
        ],
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", ["first", "second"])
def test_committed_ledger_rows_are_still_guarded(key):
    posted = _post(key)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_entry WHERE transaction_id = %s", [posted.pk])
