"""A signed event settles only the charge it can pay (probe of issue #17, point 7: a signed
`payment_intent.succeeded` settled whatever charge its metadata named, even a bank-transfer
charge, and ignored `metadata.site`)."""

import json

import pytest

from commons_fund.ledger.models import Transaction
from commons_fund.members.tests.factories import OrganisationFactory
from commons_fund.payments import services, stripe_client
from commons_fund.payments.models import Charge, ChargeStatus, Customer, SavedPaymentMethod
from commons_fund.payments.tests.factories import StripeAccountFactory

pytestmark = pytest.mark.django_db


def _deliver(client, settings, charge: Charge, account: str | None = None, **intent) -> dict:
    """A signed `payment_intent.succeeded` for the charge; Connect events name the connected
    account they happened on (the charge's own, unless `account` says otherwise)."""
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
        "id": f"evt_{charge.pk}_{len(json.dumps(intent))}_{account}",
        "account": charge.stripe_account if account is None else account,
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
    account = StripeAccountFactory(organisation=books).stripe_id
    customer = Customer.objects.create(
        organisation=payer, stripe_id="cus_payer", stripe_account=account
    )
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
        {"account": "acct_another_host"},
        {"account": ""},  # the platform's own account
    ],
)
def test_an_intent_of_another_site_customer_or_account_is_ignored(client, settings, parties, claim):
    charge = _card_charge(*parties)
    intent = {}
    if "metadata_site" in claim:
        intent["metadata"] = {"charge_id": str(charge.pk), "site": claim["metadata_site"]}
    elif "customer" in claim:
        intent["customer"] = claim["customer"]
    account = claim.get("account")
    assert _deliver(client, settings, charge, account=account, **intent)["status"] == "ignored"
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.PENDING and not Transaction.objects.exists()


def test_the_intent_of_the_charge_still_settles_it(client, settings, parties):
    charge = _card_charge(*parties)
    result = _deliver(client, settings, charge, customer="cus_payer")
    assert result["status"] == "handled"
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED
