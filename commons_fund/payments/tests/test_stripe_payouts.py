"""Stripe's own payouts to a host's bank (#20): booked once as money moving from Stripe's
balance to the bank (Dr 512 / Cr 511) in the host's books, reversed if the bank returns it."""

import pytest
import stripe

from commons_fund.ledger.models import Transaction, TransactionKind
from commons_fund.ledger.selectors import organisation_balances
from commons_fund.members.tests.factories import OrganisationFactory
from commons_fund.payments import services
from commons_fund.payments.models import WebhookEvent
from commons_fund.payments.tests.factories import connected_host
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _posted(organisation, purpose: str) -> int:
    return organisation_balances(organisation=organisation).get(f"{purpose}:EUR").posted


def _event(kind: str, payout: dict, account: str, number: int = 1) -> WebhookEvent:
    return WebhookEvent.objects.create(
        stripe_id=f"evt_{kind}_{number}",
        type=kind,
        livemode=False,
        account=account,
        created=0,
        payload=payout,
    )


def test_a_payout_paid_at_stripe_moves_the_hosts_money_to_its_bank_once(stripe_webhooks, settings):
    host = OrganisationFactory(name="Ouvaton", slug="ouvaton")
    account = connected_host(host).stripe_id
    stripe.StripeClient(
        settings.STRIPE_SECRET_KEY, base_addresses={"api": settings.STRIPE_API_BASE}
    ).v1.payouts.create(
        params={"amount": 12345, "currency": "eur", "status": "paid"},
        options={"stripe_account": account},
    )
    paid = WebhookEvent.objects.filter(type="payout.paid", status="handled")
    assert wait_for(paid.exists)
    assert (_posted(host, "bank"), _posted(host, "to_collect")) == (12345, -12345)
    services.webhook_handle(event=paid.get())  # delivered again: nothing more
    assert Transaction.objects.filter(kind=TransactionKind.INTERNAL_TRANSFER).count() == 1


def test_a_payout_the_bank_returns_is_reversed(stripe_api):
    host = OrganisationFactory()
    account = connected_host(host).stripe_id
    payout = {"id": "po_1", "status": "paid", "amount": 5000, "currency": "eur"}
    assert services.webhook_handle(event=_event("payout.paid", payout, account)).status == (
        "handled"
    )
    failed = services.webhook_handle(
        event=_event("payout.failed", {**payout, "status": "failed"}, account, 2)
    )
    assert failed.status == "handled"
    assert (_posted(host, "bank"), _posted(host, "to_collect")) == (0, 0)
    assert Transaction.objects.filter(kind=TransactionKind.REVERSAL).count() == 1


def test_payouts_of_unknown_accounts_or_never_paid_book_nothing(stripe_api):
    payout = {"id": "po_2", "status": "failed", "amount": 700, "currency": "eur"}
    stranger = services.webhook_handle(event=_event("payout.paid", payout, "acct_stranger"))
    assert stranger.status == "ignored" and "acct_stranger" in stranger.error
    host = OrganisationFactory()
    account = connected_host(host).stripe_id
    never_paid = services.webhook_handle(event=_event("payout.failed", payout, account, 2))
    assert never_paid.status == "ignored"
    assert not Transaction.objects.filter(kind=TransactionKind.INTERNAL_TRANSFER).exists()
