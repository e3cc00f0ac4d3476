"""Stripe's own payouts: the card and SEPA money a host collected leaves its Stripe balance
for its bank. In the ledger: Dr bank / Cr money under way (512 / 511) of the host's books,
once when Stripe says the payout is paid, reversed if the bank sends it back."""

import logging
from datetime import UTC, datetime

from django.core.exceptions import ValidationError

from commons_fund.ledger.models import Transaction, TransactionKind
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post
from commons_fund.logs import log_event

from .. import stripe_client
from ..models import StripeAccount

logger = logging.getLogger(__name__)


def stripe_payout_apply(
    *, payout: stripe_client.StripePayout, account: str | None
) -> Transaction | None:
    """Book a payout paid (or, failed after it was booked, its reversal) in the books of the
    host whose Stripe account made it (`account`; None: the platform's own, its gifts).

    The money stays the host's cost centres' (a commons', a pool's): it only moves from
    Stripe's balance to the bank, which the host's own accounts (no cost centre) record."""
    if payout.amount <= 0:
        raise ValidationError(f"Payout {payout.id} has no amount.")
    organisation = None
    if account:
        connected = StripeAccount.objects.select_related("organisation").filter(stripe_id=account)
        found = connected.first()
        if found is None:
            raise StripeAccount.DoesNotExist(f"No host has the Stripe account {account}.")
        organisation = found.organisation
    bank, under_way = (
        account_get_or_create(purpose=purpose, organisation=organisation, currency=payout.currency)
        for purpose in ("bank", "to_collect")
    )
    key = f"stripe-payout-{account or 'platform'}-{payout.id}"
    if payout.status == "paid":
        posted = ledger_post(
            kind=TransactionKind.INTERNAL_TRANSFER,
            idempotency_key=key,
            memo=f"Virement de Stripe vers la banque ({payout.id})",
            occurred_at=datetime.fromtimestamp(payout.arrival_date, tz=UTC)
            if payout.arrival_date
            else None,
            entries=[debit(bank, payout.amount), credit(under_way, payout.amount)],
        )
        log_event(logger, "stripe_payout.paid", payout=payout.id, amount=payout.amount)
        return posted
    booked = Transaction.objects.filter(idempotency_key=key).first()
    if payout.status == "failed" and booked is not None:
        reversal = ledger_post(
            kind=TransactionKind.REVERSAL,
            idempotency_key=f"{key}-failed",
            memo=f"Virement de Stripe revenu de la banque ({payout.id})",
            reverses=booked,
            entries=[debit(under_way, payout.amount), credit(bank, payout.amount)],
        )
        log_event(logger, "stripe_payout.failed", level=logging.WARNING, payout=payout.id)
        return reversal
    return None
