import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from commons_fund.ledger.models import Entry, Phase, Transaction, TransactionKind
from commons_fund.ledger.selectors import account_balance, ledger_totals
from commons_fund.ledger.services import (
    IdempotencyConflict,
    LedgerError,
    Line,
    account_get_or_create,
    credit,
    debit,
    ledger_post,
    ledger_resolve_pending,
    ledger_reverse,
)
from commons_fund.members.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

PENDING, POSTED = Phase.PENDING, Phase.POSTED


@pytest.fixture
def books():
    organisation = OrganisationFactory()
    return {
        purpose: account_get_or_create(purpose=purpose, organisation=organisation)
        for purpose in (
            "bank",
            "to_collect",
            "pledges_receivable",
            "commitments",
            "contributions",
            "processor_fees",
            "grants_paid",
            "payable",
        )
    }


def test_accounts_follow_the_chart_and_are_created_once(books):
    bank = books["bank"]
    assert (bank.code, bank.type) == ("512", "asset")
    assert account_get_or_create(purpose="bank", organisation=bank.organisation) == bank
    platform = account_get_or_create(purpose="bank")
    assert platform.organisation is None and platform != bank
    assert account_get_or_create(purpose="bank") == platform
    with pytest.raises(LedgerError):
        account_get_or_create(purpose="treasure")


def test_post_a_donation(books):
    posted = ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key="gift-1",
        memo="Don de Lou",
        entries=[debit(books["bank"], 5000), credit(books["contributions"], 5000)],
    )
    assert posted.is_sealed
    assert account_balance(account=books["bank"]).posted == 5000
    assert account_balance(account=books["contributions"]).posted == -5000


def test_the_same_key_posts_once_and_a_different_posting_with_it_is_refused(books):
    lines = [debit(books["bank"], 100), credit(books["contributions"], 100)]
    first = ledger_post(kind=TransactionKind.DONATION, entries=lines, idempotency_key="k")
    again = ledger_post(kind=TransactionKind.DONATION, entries=lines, idempotency_key="k")
    assert again.pk == first.pk
    assert Entry.objects.count() == 2
    with pytest.raises(IdempotencyConflict):
        ledger_post(
            kind=TransactionKind.DONATION,
            idempotency_key="k",
            entries=[debit(books["bank"], 999), credit(books["contributions"], 999)],
        )
    assert Entry.objects.count() == 2


@pytest.mark.parametrize(
    "make_lines",
    [
        lambda b: [debit(b["bank"], 100), credit(b["contributions"], 99)],
        lambda b: [debit(b["bank"], 100)],
        lambda b: [],
        lambda b: [debit(b["bank"], 0), credit(b["contributions"], 0)],
        lambda b: [Line(b["bank"], 1.5), Line(b["contributions"], -1.5)],
        lambda b: [debit(b["bank"], 100, PENDING), credit(b["contributions"], 100, POSTED)],
        lambda b: [debit(b["bank"], 100), credit(b["contributions"], 100, "maybe")],
    ],
    ids=["unbalanced", "one-entry", "no-entry", "zero", "float", "phases-mixed", "bad-phase"],
)
def test_bad_postings_are_refused_and_write_nothing(books, make_lines):
    with pytest.raises(ValidationError):
        ledger_post(
            kind=TransactionKind.MANUAL_ADJUSTMENT,
            entries=make_lines(books),
            idempotency_key="bad",
        )
    assert not Transaction.objects.exists()
    assert not Entry.objects.exists()


def test_currencies_balance_separately(books):
    chf = account_get_or_create(
        purpose="bank", organisation=books["bank"].organisation, currency="CHF"
    )
    with pytest.raises(LedgerError):
        ledger_post(
            kind=TransactionKind.MANUAL_ADJUSTMENT,
            idempotency_key="fx",
            entries=[debit(chf, 100), credit(books["contributions"], 100)],
        )
    assert not Transaction.objects.exists()


def test_unknown_kind_is_refused(books):
    with pytest.raises(LedgerError):
        ledger_post(
            kind="gift",
            idempotency_key="x",
            entries=[debit(books["bank"], 1), credit(books["contributions"], 1)],
        )


def _commit_pledge(books, key="pledge-1", amount=2000):
    return ledger_post(
        kind=TransactionKind.PLEDGE_COMMITMENT,
        idempotency_key=key,
        entries=[
            debit(books["pledges_receivable"], amount, PENDING),
            credit(books["commitments"], amount, PENDING),
        ],
    )


def test_a_pledge_is_pending_then_collected(books):
    pending = _commit_pledge(books)
    assert account_balance(account=books["pledges_receivable"]).pending == 2000
    assert account_balance(account=books["pledges_receivable"]).posted == 0
    collected = ledger_resolve_pending(
        pending=pending,
        kind=TransactionKind.PLEDGE_COLLECTION,
        idempotency_key="collect-1",
        posted_entries=[debit(books["to_collect"], 2000), credit(books["contributions"], 2000)],
    )
    assert collected.resolves == pending
    assert account_balance(account=books["pledges_receivable"]).pending == 0
    assert account_balance(account=books["to_collect"]).posted == 2000
    again = ledger_resolve_pending(
        pending=pending,
        kind=TransactionKind.PLEDGE_COLLECTION,
        idempotency_key="collect-1",
        posted_entries=[debit(books["to_collect"], 2000), credit(books["contributions"], 2000)],
    )
    assert again == collected
    with pytest.raises(LedgerError):
        ledger_resolve_pending(
            pending=pending, kind=TransactionKind.PLEDGE_VOID, idempotency_key="void-1"
        )
    assert Transaction.objects.count() == 2


def test_a_failed_pledge_is_voided(books):
    pending = _commit_pledge(books)
    ledger_resolve_pending(
        pending=pending, kind=TransactionKind.PLEDGE_VOID, idempotency_key="void-1"
    )
    for account in books.values():
        assert account_balance(account=account).total == 0


def test_resolving_needs_pending_entries_and_posted_results(books):
    donation = ledger_post(
        kind=TransactionKind.DONATION,
        idempotency_key="gift",
        entries=[debit(books["bank"], 100), credit(books["contributions"], 100)],
    )
    with pytest.raises(LedgerError):
        ledger_resolve_pending(
            pending=donation, kind=TransactionKind.PLEDGE_VOID, idempotency_key="v"
        )
    pending = _commit_pledge(books)
    with pytest.raises(LedgerError):
        ledger_resolve_pending(
            pending=pending,
            kind=TransactionKind.PLEDGE_COLLECTION,
            idempotency_key="c",
            posted_entries=[debit(books["bank"], 5, PENDING), credit(books["payable"], 5, PENDING)],
        )


def test_reversal_cancels_a_posted_transaction_once(books):
    original = ledger_post(
        kind=TransactionKind.PAYOUT,
        idempotency_key="payout-1",
        entries=[debit(books["grants_paid"], 700), credit(books["bank"], 700)],
    )
    reversal = ledger_reverse(original=original, idempotency_key="reverse-payout-1")
    assert reversal.reverses == original
    assert reversal.kind == TransactionKind.REVERSAL
    assert account_balance(account=books["bank"]).posted == 0
    assert ledger_reverse(original=original, idempotency_key="reverse-payout-1") == reversal
    with pytest.raises(LedgerError):
        ledger_reverse(original=original, idempotency_key="reverse-again")
    with pytest.raises(LedgerError):
        ledger_reverse(original=_commit_pledge(books), idempotency_key="reverse-pending")
    assert ledger_totals() == {("EUR", "posted"): 0, ("EUR", "pending"): 0}


def test_refunding_a_collection_reverses_what_was_posted_only(books):
    collected = ledger_resolve_pending(
        pending=_commit_pledge(books),
        kind=TransactionKind.PLEDGE_COLLECTION,
        idempotency_key="collect",
        posted_entries=[debit(books["to_collect"], 2000), credit(books["contributions"], 2000)],
    )
    refund = ledger_reverse(original=collected, idempotency_key="refund")
    assert refund.entries.count() == 2
    assert account_balance(account=books["to_collect"]).posted == 0
    assert account_balance(account=books["pledges_receivable"]).pending == 0  # stays resolved


def test_a_second_reversal_under_another_key_is_refused_and_the_caller_goes_on(books):
    original = ledger_post(
        kind=TransactionKind.PAYOUT,
        idempotency_key="payout-2",
        entries=[debit(books["grants_paid"], 300), credit(books["bank"], 300)],
    )
    ledger_reverse(original=original, idempotency_key="reverse-payout-2")
    count = Transaction.objects.count()
    with transaction.atomic():  # a caller's transaction, still usable after the refusal
        with pytest.raises(LedgerError, match="reverses or resolves already has one"):
            ledger_post(
                kind=TransactionKind.REVERSAL,
                idempotency_key="reverse-payout-2-bis",
                entries=[debit(books["bank"], 300), credit(books["grants_paid"], 300)],
                reverses=original,
            )
        assert (
            ledger_post(  # a key already used, again: the first posting, no error
                kind=TransactionKind.PAYOUT,
                idempotency_key="payout-2",
                entries=[debit(books["grants_paid"], 300), credit(books["bank"], 300)],
            )
            == original
        )
        assert Transaction.objects.count() == count
    assert account_balance(account=books["bank"]).posted == 0
