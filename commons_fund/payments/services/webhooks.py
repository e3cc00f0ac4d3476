"""Stripe webhooks: verified, stored once, handled once."""

import logging

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models, transaction
from django.utils import timezone

from commons_fund.logs import log_event

from .. import stripe_client
from ..models import (
    EventStatus,
    WebhookEvent,
)
from .charges import charge_apply_intent
from .connect import stripe_account_apply
from .gifts import checkout_apply
from .monthly_gifts import (
    monthly_gift_checkout_apply,
    monthly_gift_invoice_paid,
    monthly_gift_subscription_deleted,
)
from .refunds import refunds_from_stripe
from .stripe_payouts import stripe_payout_apply

logger = logging.getLogger(__name__)

PAYMENT_INTENT_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.processing",
    "payment_intent.payment_failed",
    "payment_intent.requires_action",
    "payment_intent.canceled",
}


def webhook_receive(*, payload: bytes, signature: str) -> WebhookEvent:
    """Verify, store once, handle. Raises WebhookSignatureInvalid or ValidationError (400)."""
    event = stripe_client.webhook_event(payload, signature)
    if event.livemode != settings.STRIPE_LIVEMODE:
        raise ValidationError("This event is from the other Stripe mode (live/test).")
    with transaction.atomic():
        stored, created = WebhookEvent.objects.select_for_update().get_or_create(
            stripe_id=event.id,
            defaults={
                "type": event.type,
                "livemode": event.livemode,
                "account": event.account,
                "created": event.created,
                "payload": event.object,
            },
        )
        if not created:
            stored.deliveries = models.F("deliveries") + 1
            stored.save(update_fields=["deliveries"])
            stored.refresh_from_db()
            log_event(
                logger, "webhook.redelivered", stripe_event=event.id, deliveries=stored.deliveries
            )
    if stored.status in (EventStatus.HANDLED, EventStatus.IGNORED):
        return stored
    return webhook_handle(event=stored)


def webhook_handle(*, event: WebhookEvent) -> WebhookEvent:
    status, error = EventStatus.HANDLED, ""
    try:
        if event.type in PAYMENT_INTENT_EVENTS:
            charge_apply_intent(
                intent=stripe_client.intent_from_dict(event.payload), account=event.account
            )
        elif event.type == "charge.refunded":
            refunds_from_stripe(event.payload, account=event.account)
        elif event.type in ("checkout.session.completed", "checkout.session.expired"):
            session = stripe_client.checkout_from_dict(event.payload)
            if session.mode == "subscription":
                monthly_gift_checkout_apply(session=session, account=event.account)
            else:
                checkout_apply(session=session, account=event.account)
        elif event.type == "invoice.paid":
            monthly_gift_invoice_paid(
                invoice=stripe_client.invoice_from_dict(event.payload), account=event.account
            )
        elif event.type == "customer.subscription.deleted":
            monthly_gift_subscription_deleted(
                subscription_id=event.payload["id"], account=event.account
            )
        elif event.type in ("payout.paid", "payout.failed"):
            if (
                stripe_payout_apply(
                    payout=stripe_client.stripe_payout_from_dict(event.payload),
                    account=event.account,
                )
                is None
            ):
                status = EventStatus.IGNORED
        elif event.type == "account.updated":
            if (
                stripe_account_apply(
                    account=stripe_client.connected_account_from_dict(event.payload)
                )
                is None
            ):
                status = EventStatus.IGNORED
        else:
            status = EventStatus.IGNORED
    except ObjectDoesNotExist as missing:
        status, error = EventStatus.IGNORED, str(missing)
    except (ValidationError, stripe_client.PaymentError) as failure:
        status, error = EventStatus.FAILED, str(failure)
    WebhookEvent.objects.filter(pk=event.pk).update(
        status=status, error=error, handled_at=timezone.now()
    )
    log_event(
        logger,
        "webhook.handled",
        level=logging.ERROR if status == EventStatus.FAILED else logging.INFO,
        stripe_event=event.stripe_id,
        type=event.type,
        status=status,
        error=error[:200],
    )
    event.refresh_from_db()
    return event
