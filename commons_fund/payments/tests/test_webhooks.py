"""Webhooks: signed deliveries from the stand-in to a live server, verified with Stripe's own
code, stored once, handled idempotently whatever the order and the number of deliveries."""

import json
import random

import pytest
from django.core import serializers
from django.test import Client

from commons_fund.ledger.models import Entry, Transaction
from commons_fund.members.tests.factories import OrganisationFactory
from commons_fund.payments import services, stripe_client
from commons_fund.payments.models import ChargeStatus, EventStatus, WebhookEvent
from tests.helpers import wait_for

from .factories import saved_card
from .test_stripe import DECLINED, VISA

pytestmark = pytest.mark.django_db(transaction=True)
URL = "/payments/stripe/webhook/"
SEPA_FAILING_IBAN = "DE62370400440532013001"


def _post(client: Client, payload: bytes, signature: str):
    return client.post(
        URL, data=payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )


def _signed(data: dict, settings) -> tuple[bytes, str]:
    payload = json.dumps(data).encode()
    return payload, stripe_client.webhook_sign(payload, settings.STRIPE_WEBHOOK_SECRET)


def _event(
    event_id: str, kind: str, obj: dict, livemode: bool = False, account: str | None = None
) -> dict:
    return {
        "account": account,
        "id": event_id,
        "object": "event",
        "type": kind,
        "livemode": livemode,
        "created": 1795000000,
        "data": {"object": obj},
        "api_version": "2024-06-20",
    }


def test_a_bad_signature_is_400_and_stores_nothing(client, settings):
    payload, _signature = _signed(_event("evt_1", "payment_intent.succeeded", {}), settings)
    forged = stripe_client.webhook_sign(payload, "whsec_somebody_else")
    assert _post(client, payload, forged).status_code == 400
    assert _post(client, payload, "").status_code == 400
    assert _post(client, b"not json", forged).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_an_event_of_the_other_mode_is_400(client, settings):
    payload, signature = _signed(
        _event("evt_live", "payment_intent.succeeded", {}, livemode=True), settings
    )
    assert _post(client, payload, signature).status_code == 400
    assert not WebhookEvent.objects.exists()


def test_unknown_event_types_are_stored_and_ignored(client, settings):
    payload, signature = _signed(_event("evt_2", "customer.created", {"id": "cus_1"}), settings)
    for _ in range(2):
        response = _post(client, payload, signature)
        assert response.status_code == 200
    event = WebhookEvent.objects.get()
    assert (event.status, event.deliveries) == (EventStatus.IGNORED, 2)


@pytest.fixture
def charges(stripe_webhooks):
    payer, books = OrganisationFactory(), OrganisationFactory()
    visa, declined = saved_card(payer, books, VISA), saved_card(payer, books, DECLINED)
    sepa = services.payment_method_save_sepa(
        payer=payer,
        books=books,
        iban=SEPA_FAILING_IBAN,
        holder_name="Payeur",
        email="p@example.org",
    )

    def make(method, amount):
        return services.charge_create(
            payer=payer,
            books=books,
            amount=amount,
            method=method.kind,
            saved_method=method,
            credit_purpose="contributions",
            description="Tour",
        )

    return {
        "visa": make(visa, "20"),
        "declined": make(declined, "30"),
        "sepa": make(sepa, "40"),
        "visa2": make(visa, "15"),
    }


def _ledger_snapshot() -> str:
    return serializers.serialize(
        "json", [*Transaction.objects.order_by("pk"), *Entry.objects.order_by("pk")]
    )


def test_webhooks_from_the_standin_and_their_replay_leave_the_ledger_identical(charges, settings):
    for charge in charges.values():
        services.charge_submit(charge=charge)
    sepa = charges["sepa"]
    # The failing SEPA debit is only known later, by webhook.
    assert wait_for(lambda: type(sepa).objects.get(pk=sepa.pk).status == ChargeStatus.FAILED)
    sepa.refresh_from_db()
    assert sepa.failure_message
    # Only this test's events: the stand-in may still deliver late ones of an earlier test.
    ours = WebhookEvent.objects.filter(
        payload__metadata__charge_id__in=[str(charge.pk) for charge in charges.values()]
    )
    assert wait_for(lambda: ours.filter(type="payment_intent.succeeded").count() == 2)
    assert wait_for(lambda: ours.filter(type="payment_intent.payment_failed").count() == 2)
    assert wait_for(lambda: not WebhookEvent.objects.filter(status=EventStatus.RECEIVED).exists())
    assert not WebhookEvent.objects.filter(status=EventStatus.FAILED).exists()
    statuses = {name: type(c).objects.get(pk=c.pk).status for name, c in charges.items()}
    assert statuses == {
        "visa": "succeeded",
        "declined": "failed",
        "sepa": "failed",
        "visa2": "succeeded",
    }

    before = _ledger_snapshot()
    events = list(WebhookEvent.objects.all())
    deliveries = [event for event in events for _ in range(3)]
    random.Random(2026).shuffle(deliveries)
    client = Client()
    for event in deliveries:
        data = _event(event.stripe_id, event.type, event.payload)
        payload, signature = _signed(data, settings)
        assert _post(client, payload, signature).status_code == 200
    assert _ledger_snapshot() == before
    assert WebhookEvent.objects.count() == len(events)
    assert all(e.deliveries >= 4 for e in WebhookEvent.objects.all())


def test_a_late_failure_does_not_undo_a_success(charges, settings):
    charge = services.charge_submit(charge=charges["visa"])
    assert charge.status == ChargeStatus.SUCCEEDED
    before = _ledger_snapshot()
    failed = {
        "id": charge.stripe_payment_intent,
        "object": "payment_intent",
        "amount": 2000,
        "currency": "eur",
        "status": "requires_payment_method",
        "metadata": {"charge_id": str(charge.pk)},
        "last_payment_error": {"code": "card_declined", "message": "Declined"},
    }
    payload, signature = _signed(
        _event("evt_late", "payment_intent.payment_failed", failed), settings
    )
    assert _post(Client(), payload, signature).status_code == 200
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED
    assert _ledger_snapshot() == before


def test_a_refund_made_on_stripe_is_recorded_once(charges, settings):
    charge = services.charge_submit(charge=charges["visa"])
    refund = {"id": "re_dashboard", "amount": 500, "status": "succeeded"}
    refunded = {
        "id": charge.stripe_charge,
        "object": "charge",
        "amount": 2000,
        "amount_refunded": 500,
        "refunds": {"data": [refund]},
    }
    payload, signature = _signed(
        _event("evt_refund", "charge.refunded", refunded, account=charge.stripe_account), settings
    )
    for _ in range(3):
        assert _post(Client(), payload, signature).status_code == 200
    charge.refresh_from_db()
    assert charge.refunded == 500
    assert charge.refunds.count() == 1
