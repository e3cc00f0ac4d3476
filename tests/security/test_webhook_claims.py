"""A signed event settles only the charge it can pay (probe of issue #17, point 7: a signed
`payment_intent.succeeded` settled whatever charge its metadata named, even a bank-transfer
charge, and ignored `metadata.site`)."""

import json

import pytest

from commons_fund.ledger.models import Transaction
from commons_fund.members.tests.factories import OrganisationFactory
from commons_fund.payments import services, stripe_client
from commons_fund.payments.models import Charge, ChargeStatus, Customer, SavedPaymentMethod

pytestmark = pytest.mark.django_db


def _deliver(client, settings, charge: Charge, **intent) -> dict:
    data = {
        "id": "pi_claim",
        "object": "payment_intent",
        "status": "succeeded",
        "amount": charge.amount,
        "currency": "eur",
        "latest_charge": "",
        "metadata": {"charge_id": str(charge.pk), "site": settings.SITE_URL},
        **intent,
    }
    event = {
        "id": f"evt_{charge.pk}_{len(json.dumps(intent))}",
        "object": "event",
        "type": "payment_intent.succeeded",
        "livemode": False,
        "created": 1795000000,
        "data": {"object": data},
    }
    payload = json.dumps(event).encode()
    response = client.post(
        "/payments/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=stripe_client.webhook_sign(payload, settings.STRIPE_WEBHOOK_SECRET),
    )
    return response.json()


def _card_charge(payer, books) -> Charge:
    customer = Customer.objects.create(organisation=payer, stripe_id="cus_payer")
    method = SavedPaymentMethod.objects.create(
        customer=customer, stripe_id="pm_card", kind="card", label="Visa •••• 4242"
    )
    return services.charge_create(
        payer=payer,
        books=books,
        amount="20",
        method="card",
        saved_method=method,
        credit_purpose="contributions",
        description="Pot commun",
    )


@pytest.fixture
def parties():
    return OrganisationFactory(), OrganisationFactory()


def test_a_bank_transfer_charge_is_not_settled_by_a_payment_intent(client, settings, parties):
    charge = services.charge_create(
        payer=parties[0],
        books=parties[1],
        amount="120",
        method="transfer",
        credit_purpose="contributions",
        description="Pot commun",
    )
    assert _deliver(client, settings, charge)["status"] == "ignored"
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.AWAITING_TRANSFER and charge.amount_received == 0
    assert not Transaction.objects.exists()


@pytest.mark.parametrize(
    "claim",
    [
        {"metadata_site": "https://staging.example.coop"},
        {"customer": "cus_somebody_else"},
    ],
)
def test_an_intent_of_another_site_or_customer_is_ignored(client, settings, parties, claim):
    charge = _card_charge(*parties)
    intent = {}
    if "metadata_site" in claim:
        intent["metadata"] = {"charge_id": str(charge.pk), "site": claim["metadata_site"]}
    else:
        intent["customer"] = claim["customer"]
    assert _deliver(client, settings, charge, **intent)["status"] == "ignored"
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.PENDING and not Transaction.objects.exists()


def test_the_intent_of_the_charge_still_settles_it(client, settings, parties):
    charge = _card_charge(*parties)
    result = _deliver(client, settings, charge, customer="cus_payer")
    assert result["status"] == "handled"
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED
