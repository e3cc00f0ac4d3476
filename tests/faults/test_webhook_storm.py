"""A storm of webhooks: 1 000 deliveries posted concurrently to the live server — each
genuine event three times, in shuffled order ("processing" after "succeeded" included), and
forged ones (a wrong signature, or a signed payload altered afterwards). The ledger must come
out exactly right and the forgeries refused without a trace."""

import json
import random
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from commons_fund.ledger.models import Transaction
from commons_fund.members.tests.factories import OrganisationFactory
from commons_fund.payments import services, stripe_client
from commons_fund.payments.models import Charge, ChargeStatus, WebhookEvent

# Not marked slow: CI's PostgreSQL run, the one that can run it, skips slow tests.
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrency needs PostgreSQL"),
]
CHARGES = 150
THREADS = 16


def _intent(charge: Charge, status: str) -> dict:
    return {
        "id": charge.stripe_payment_intent,
        "object": "payment_intent",
        "amount": charge.amount,
        "currency": "eur",
        "status": status,
        "metadata": {"charge_id": str(charge.pk)},
    }


def _event(event_id: str, kind: str, obj: dict) -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": kind,
        "livemode": False,
        "created": 1795000000,
        "data": {"object": obj},
        "api_version": "2024-06-20",
    }


def _deliver(url: str, payload: bytes, signature: str) -> int:
    request = urllib.request.Request(  # noqa: S310 - the test's own loopback server
        url,
        data=payload,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Stripe-Signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (http)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_a_storm_of_duplicated_shuffled_and_forged_webhooks(live_server, settings):
    payer, books = OrganisationFactory(), OrganisationFactory()
    charges = []
    for number in range(CHARGES):
        charge = services.charge_create(
            payer=payer,
            books=books,
            amount="12.34",
            method="transfer",
            credit_purpose="contributions",
            description="Tempête",
        )
        # As if sent to Stripe as a SEPA debit: processing until Stripe says more.
        Charge.objects.filter(pk=charge.pk).update(
            method="sepa_debit",
            status=ChargeStatus.PROCESSING,
            transfer_reference=None,
            stripe_payment_intent=f"pi_storm_{number}",
        )
        charges.append(Charge.objects.get(pk=charge.pk))
    secret = settings.STRIPE_WEBHOOK_SECRET
    genuine, forged = [], []
    for charge in charges:
        for kind, status in (
            ("payment_intent.processing", "processing"),
            ("payment_intent.succeeded", "succeeded"),
        ):
            payload = json.dumps(
                _event(f"evt_{kind[15:]}_{charge.pk}", kind, _intent(charge, status))
            ).encode()
            genuine += [(payload, stripe_client.webhook_sign(payload, secret))] * 3
    for number, charge in enumerate(charges[:100]):
        payload = json.dumps(
            _event(
                f"evt_forged_{charge.pk}", "payment_intent.succeeded", _intent(charge, "succeeded")
            )
        ).encode()
        if number % 2:  # signed with another secret
            forged.append((payload, stripe_client.webhook_sign(payload, "whsec_attacker")))
        else:  # a genuine signature, then the amount changed
            signature = stripe_client.webhook_sign(payload, secret)
            forged.append((payload.replace(b'"amount": 1234', b'"amount": 1'), signature))
    deliveries = [(p, s, True) for p, s in genuine] + [(p, s, False) for p, s in forged]
    random.Random(1000).shuffle(deliveries)
    assert len(deliveries) == 1000
    url = f"{live_server.url}/payments/stripe/webhook/"
    with ThreadPoolExecutor(THREADS) as pool:
        statuses = list(pool.map(lambda d: (_deliver(url, d[0], d[1]), d[2]), deliveries))

    assert all(status == 200 for status, real in statuses if real)
    assert all(status == 400 for status, real in statuses if not real)
    assert WebhookEvent.objects.count() == 2 * CHARGES
    assert not WebhookEvent.objects.filter(stripe_id__startswith="evt_forged").exists()
    assert sum(WebhookEvent.objects.values_list("deliveries", flat=True)) == 6 * CHARGES
    assert set(
        Charge.objects.filter(pk__in=[c.pk for c in charges]).values_list("status", flat=True)
    ) == {ChargeStatus.SUCCEEDED}
    collected = Transaction.objects.filter(
        idempotency_key__in=[f"charge-{charge.pk}-collected" for charge in charges]
    )
    assert collected.count() == CHARGES  # each once, whatever the deliveries
    for transaction in collected.prefetch_related("entries"):
        entries = list(transaction.entries.all())
        assert sum(e.amount for e in entries if e.amount > 0) == 1234  # debits, in cents
