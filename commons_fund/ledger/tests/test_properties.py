"""Property test: any sequence of pledges, collections, failures, fees, refunds and payouts
keeps the ledger sound."""

from django.db.models import Sum
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from commons_fund.ledger.models import Account, Entry, Phase, Transaction, TransactionKind
from commons_fund.ledger.selectors import account_balance, balance_drift, ledger_totals
from commons_fund.ledger.services import (
    LedgerError,
    account_get_or_create,
    credit,
    debit,
    ledger_post,
    ledger_resolve_pending,
    ledger_reverse,
)
from commons_fund.members.models import Organisation

operations = st.lists(
    st.tuples(
        st.sampled_from(["pledge", "collect", "fail", "fee", "refund", "payout", "replay"]),
        st.integers(min_value=1, max_value=10**7),
        st.integers(min_value=0, max_value=50),
    ),
    max_size=40,
)


class LedgerPropertyTest(TestCase):
    @settings(max_examples=60, deadline=None)
    @given(operations)
    def test_every_sequence_keeps_the_ledger_sound(self, steps):
        organisation = Organisation.objects.create(name="Pot", slug="pot", legal_form="scic")
        book = {
            purpose: account_get_or_create(purpose=purpose, organisation=organisation)
            for purpose in (
                "pledges_receivable",
                "commitments",
                "to_collect",
                "contributions",
                "processor_fees",
                "grants_paid",
                "bank",
            )
        }
        pending, collected, keys = [], [], []
        for number, (operation, cents, pick) in enumerate(steps):
            key = f"{operation}-{number}"
            try:
                if operation == "pledge":
                    pending.append(
                        ledger_post(
                            kind=TransactionKind.PLEDGE_COMMITMENT,
                            idempotency_key=key,
                            entries=[
                                debit(book["pledges_receivable"], cents, Phase.PENDING),
                                credit(book["commitments"], cents, Phase.PENDING),
                            ],
                        )
                    )
                elif operation in ("collect", "fail") and pending:
                    commitment = pending.pop(pick % len(pending))
                    amount = -commitment.entries.get(account=book["commitments"]).amount
                    posted = [
                        debit(book["to_collect"], amount),
                        credit(book["contributions"], amount),
                    ]
                    collected.append(
                        ledger_resolve_pending(
                            pending=commitment,
                            idempotency_key=key,
                            kind=TransactionKind.PLEDGE_COLLECTION
                            if operation == "collect"
                            else TransactionKind.PLEDGE_VOID,
                            posted_entries=posted if operation == "collect" else (),
                        )
                    )
                elif operation == "fee":
                    ledger_post(
                        kind=TransactionKind.PROCESSOR_FEE,
                        idempotency_key=key,
                        entries=[
                            debit(book["processor_fees"], cents),
                            credit(book["to_collect"], cents),
                        ],
                    )
                elif operation == "refund" and collected:
                    ledger_reverse(
                        original=collected.pop(pick % len(collected)), idempotency_key=key
                    )
                elif operation == "payout":
                    ledger_post(
                        kind=TransactionKind.PAYOUT,
                        idempotency_key=key,
                        entries=[debit(book["grants_paid"], cents), credit(book["bank"], cents)],
                    )
                elif operation == "replay" and keys:
                    before = Entry.objects.count()
                    replayed = Transaction.objects.get(idempotency_key=keys[pick % len(keys)])
                    lines = [(e.account, e.amount, e.phase) for e in replayed.entries.all()]
                    again = ledger_post(
                        kind=replayed.kind,
                        idempotency_key=replayed.idempotency_key,
                        entries=[debit(a, amount, phase) for a, amount, phase in lines],
                    )
                    assert again.pk == replayed.pk and Entry.objects.count() == before
                    continue
                else:
                    continue
                keys.append(key)
            except LedgerError:
                # Refusals are fine (e.g. reversing a voided pledge); they must write nothing.
                assert not Transaction.objects.filter(idempotency_key=key).exists()

        for txn in Transaction.objects.all():
            assert txn.is_sealed
            sums = txn.entries.values("currency", "phase").annotate(total=Sum("amount"))
            assert all(row["total"] == 0 for row in sums)
            assert txn.entries.count() >= 2
        for account in Account.objects.all():
            balance = account_balance(account=account)
            entries = list(account.entries.values_list("amount", "phase"))
            assert balance.posted == sum(a for a, phase in entries if phase == Phase.POSTED)
            assert balance.pending == sum(a for a, phase in entries if phase == Phase.PENDING)
        assert all(total == 0 for total in ledger_totals().values())
        assert balance_drift() == {}  # the balances the database keeps agree with the entries
        outstanding = sum(-c.entries.get(account=book["commitments"]).amount for c in pending)
        assert account_balance(account=book["commitments"]).pending == -outstanding
