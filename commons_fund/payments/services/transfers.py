"""Bank transfers received by a treasurer against a charge (its reference)."""

import logging
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.services import (
    credit,
    debit,
    ledger_post,
)
from commons_fund.logs import log_event
from commons_fund.members.models import User
from commons_fund.models import require_past_or_today
from commons_fund.money import minor_units, parse_amount

from ..models import (
    Charge,
    ChargeStatus,
    MethodKind,
    TransferReceipt,
)
from ..permissions import require_treasurer
from ..signals import charge_settle_after_commit
from .charges import books_account, post_collection

logger = logging.getLogger(__name__)


@transaction.atomic
def transfer_record_receipt(
    *,
    charge: Charge,
    amount: Decimal | str,
    received_on: date,
    actor: User,
    note: str = "",
    request_key: str = "",
) -> TransferReceipt:
    """Record money that arrived by transfer. What exceeds the amount due is kept in the
    'payable' account (to give back or to allocate), never lost. The same `request_key`
    (a form's one-use key) again returns the first receipt and books nothing."""
    require_treasurer(organisation=charge.books, actor=actor)
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if request_key:
        done = TransferReceipt.objects.filter(charge=charge, request_key=request_key).first()
        if done is not None:
            return done
    if charge.method != MethodKind.TRANSFER:
        raise ValidationError(_("Only a bank-transfer charge receives transfers."))
    if charge.status == ChargeStatus.CANCELLED:
        raise ValidationError(_("This charge was cancelled."))
    cents = minor_units(parse_amount(amount), charge.currency)
    require_past_or_today(field="received_on", day=received_on)
    receipt = TransferReceipt.objects.create(
        charge=charge,
        amount=cents,
        received_on=received_on,
        note=note[:300],
        recorded_by=actor,
        request_key=request_key,
    )
    still_due = max(charge.amount - charge.amount_received, 0)
    towards_due, excess = min(cents, still_due), max(cents - still_due, 0)
    if towards_due:
        post_collection(
            charge,
            debit_purpose="bank",
            amount=towards_due,
            excess=excess,
            key=f"receipt-{receipt.pk}",
        )
    else:  # everything was already received: all of it is an overpayment
        ledger_post(
            kind=TransactionKind.MANUAL_ADJUSTMENT,
            idempotency_key=f"receipt-{receipt.pk}",
            memo=f"Trop-perçu (#{charge.pk})",
            cause=charge,
            entries=[
                debit(books_account(charge, "bank"), excess),
                credit(books_account(charge, "payable"), excess),
            ],
        )
    charge.amount_received += cents
    was = charge.status
    charge.status = (
        ChargeStatus.SUCCEEDED
        if charge.amount_received >= charge.amount
        else ChargeStatus.PARTIALLY_RECEIVED
    )
    if charge.status == ChargeStatus.SUCCEEDED and was != ChargeStatus.SUCCEEDED:
        charge.paid_on = received_on
    charge.save(update_fields=["amount_received", "status", "paid_on", "updated_at"])
    log_event(
        logger,
        "transfer.received",
        charge=charge.pk,
        receipt=receipt.pk,
        amount=cents,
        status=charge.status,
        actor=actor.pk,
    )
    if charge.status == ChargeStatus.SUCCEEDED and was != ChargeStatus.SUCCEEDED:
        charge_settle_after_commit(charge=charge)
    return receipt


@transaction.atomic
def transfer_give_up(*, charge: Charge, reason: str) -> Charge:
    """A transfer asked for and never made: the charge is cancelled (nothing had arrived;
    a transfer partly received is kept) and whoever waits for it is told it settled."""
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    if charge.status != ChargeStatus.AWAITING_TRANSFER or charge.amount_received:
        return charge
    charge.status, charge.failure_message = ChargeStatus.CANCELLED, reason[:500]
    charge.save(update_fields=["status", "failure_message", "updated_at"])
    charge_settle_after_commit(charge=charge)
    log_event(logger, "transfer.given_up", charge=charge.pk, reason=reason[:200])
    return charge
