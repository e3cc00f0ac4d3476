"""Refunds of charges paid by card or SEPA debit."""

import contextlib
import logging
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.services import (
    credit,
    debit,
    ledger_post,
)
from commons_fund.logs import log_event
from commons_fund.members.models import User
from commons_fund.money import minor_units, parse_amount

from .. import stripe_client
from ..models import (
    Charge,
    ChargeStatus,
    MethodKind,
    Refund,
    RefundStatus,
)
from ..permissions import require_treasurer
from .charges import books_account

logger = logging.getLogger(__name__)


def refund_create(
    *, charge: Charge, amount: Decimal | str, actor: User, reason: str = "", request_key: str = ""
) -> Refund:
    """Give back all or part of a card or SEPA payment; posted as the reverse of the income.
    The same `request_key` (a form's one-use key) again asks Stripe for the same refund (its
    idempotency key), never for a second one."""
    require_treasurer(organisation=charge.books, actor=actor)
    cents = minor_units(parse_amount(amount), charge.currency)
    with transaction.atomic():
        locked = Charge.objects.select_for_update().get(pk=charge.pk)
        done = locked.refunds.filter(request_key=request_key).first() if request_key else None
        if done is not None and done.status != RefundStatus.PENDING:
            return done
        if done is None and (
            locked.method == MethodKind.TRANSFER
            or locked.status != ChargeStatus.SUCCEEDED
            or not locked.stripe_payment_intent
        ):
            raise ValidationError(_("Only a paid card or SEPA charge can be refunded here."))
        pending = sum(
            locked.refunds.filter(status=RefundStatus.PENDING).values_list("amount", flat=True)
        )
        if done is None and cents > locked.amount - locked.refunded - pending:
            raise ValidationError({"amount": _("This is more than what is left to refund.")})
        refund = done or Refund.objects.create(
            charge=locked,
            amount=cents,
            reason=reason[:300],
            created_by=actor,
            request_key=request_key,
        )
    return _refund_submit(refund=refund, charge=locked)


def _refund_submit(*, refund: Refund, charge: Charge) -> Refund:
    """Ask Stripe for a pending refund, with the key derived from it: a refund asked again
    (Stripe was unreachable) is never made twice."""
    try:
        stripe_id = stripe_client.refund_create(
            payment_intent_id=charge.stripe_payment_intent or "",
            amount=refund.amount,
            idempotency_key=f"refund-{refund.pk}",
            account=charge.stripe_account,
        )
    except stripe_client.ProviderUnavailable as error:
        # Stays pending: refunds_submit_pending asks again with the same key.
        log_event(
            logger, "refund.deferred", level=logging.WARNING, refund=refund.pk, reason=error.code
        )
        return refund
    except stripe_client.PaymentError as error:
        Refund.objects.filter(pk=refund.pk).update(
            status=RefundStatus.FAILED, reason=error.message[:300]
        )
        log_event(
            logger,
            "refund.failed",
            level=logging.ERROR,
            refund=refund.pk,
            charge=refund.charge_id,
            code=error.code,
        )
        raise ValidationError(error.message) from error
    return refund_mark_succeeded(refund=refund, stripe_id=stripe_id)


def refunds_submit_pending(*, older_than_seconds: int = 300) -> int:
    """Celery beat: ask Stripe again for the refunds left pending (it was unreachable)."""
    if transaction.get_connection().in_atomic_block:
        raise RuntimeError("Stripe is never called inside a database transaction.")
    limit = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = list(
        Refund.objects.filter(status=RefundStatus.PENDING, created_at__lte=limit)
        .select_related("charge")
        .order_by("pk")[:200]
    )
    for refund in pending:
        with contextlib.suppress(ValidationError):  # a refusal is recorded as failed
            _refund_submit(refund=refund, charge=refund.charge)
    return len(pending)


@transaction.atomic
def refund_mark_succeeded(*, refund: Refund, stripe_id: str) -> Refund:
    refund = Refund.objects.select_for_update().select_related("charge").get(pk=refund.pk)
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    charge = Charge.objects.select_for_update().get(pk=refund.charge_id)
    refund.status, refund.stripe_id = RefundStatus.SUCCEEDED, stripe_id
    refund.save(update_fields=["status", "stripe_id"])
    charge.refunded += refund.amount
    charge.save(update_fields=["refunded", "updated_at"])
    log_event(logger, "refund.succeeded", refund=refund.pk, charge=charge.pk, amount=refund.amount)
    ledger_post(
        kind=TransactionKind.REFUND,
        idempotency_key=f"refund-{refund.pk}",
        cause=refund,
        memo=f"Remboursement (#{charge.pk})",
        entries=[
            debit(books_account(charge, charge.credit_purpose), refund.amount),
            credit(books_account(charge, "to_collect"), refund.amount),
        ],
    )
    return refund


def refunds_from_stripe(charge_data: dict[str, Any], *, account: str = "") -> None:
    """A refund made elsewhere (Stripe's dashboard) is recorded once, like ours."""
    charge = Charge.objects.filter(stripe_charge=charge_data["id"], stripe_account=account).first()
    if charge is None:
        return
    for data in (charge_data.get("refunds") or {}).get("data", []):
        if data.get("status") not in (None, "succeeded"):
            continue
        refund = Refund.objects.filter(stripe_id=data["id"]).first()
        if refund is None:
            with transaction.atomic():
                refund = Refund.objects.create(
                    charge=charge, amount=int(data["amount"]), reason="Stripe", stripe_id=None
                )
        refund_mark_succeeded(refund=refund, stripe_id=data["id"])
