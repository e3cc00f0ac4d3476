"""Each host's own Stripe account (Connect, Standard): onboarding from the treasury, direct
charges on it, its events, and transfers only until it is connected."""

import json
import re

import pytest
from django.core.exceptions import ValidationError

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
    money_login,
)
from commons_fund.payments import demo, services, stripe_client
from commons_fund.payments.models import (
    Charge,
    ChargeStatus,
    Customer,
    EventStatus,
    StripeAccount,
    WebhookEvent,
)
from commons_fund.payments.tests.factories import card_method, connected_host, saved_card
from tests.helpers import ROOT, press_on_hosted_page

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]


def test_an_administrator_connects_the_host_from_its_treasury(client):
    admin = MembershipFactory(role=Role.ADMIN)
    host = admin.organisation
    treasurer = MembershipFactory(organisation=host, role=Role.TREASURER).user
    treasury = f"/fr/organisations/{host.slug}/treasury/"
    connect, onboarding = f"{treasury}stripe/", f"{treasury}stripe/onboarding/"

    money_login(client, treasurer)  # sees where it stands, cannot connect
    page = client.get(treasury).text
    assert "Aucun compte Stripe connecté" in page and connect not in page
    assert client.post(connect).status_code == 404
    assert not StripeAccount.objects.exists()

    money_login(client, admin.user)
    assert f'action="{connect}"' in client.get(treasury).text
    assert client.post(connect).status_code == 302
    account = StripeAccount.objects.get(organisation=host)
    assert not account.charges_enabled
    assert client.post(connect).status_code == 302  # again: the same account
    assert StripeAccount.objects.count() == 1
    assert f'href="{onboarding}"' in client.get(treasury).text
    with pytest.raises(ValidationError, match="Stripe"):  # not onboarded yet: no cards
        services.payments_account(books=host)

    to_stripe = client.get(onboarding)["Location"]
    assert re.match(rf"{re.escape(stripe_client.checkout_origin())}/_onboarding/acct_", to_stripe)
    back = press_on_hosted_page(to_stripe, "Finish", "complete")
    assert back == f"http://testserver{treasury}stripe/return/"
    assert client.get(back).status_code == 302
    account.refresh_from_db()
    assert account.charges_enabled and account.payouts_enabled
    assert services.payments_account(books=host) == account.stripe_id
    assert account.stripe_id in client.get(treasury).text


def test_cards_and_customers_live_on_the_host_s_account_not_the_platform_s():
    payer, host, other_host = UserFactory(), OrganisationFactory(), OrganisationFactory()
    card = saved_card(payer, host)
    account = host.stripe_account.stripe_id
    assert card.customer.stripe_account == account
    charge = services.charge_submit(
        charge=services.charge_create(
            payer=payer,
            books=host,
            amount="20",
            method="card",
            saved_method=card,
            credit_purpose="donations",
            description="Don",
        )
    )
    assert (charge.status, charge.stripe_account) == (ChargeStatus.SUCCEEDED, account)
    intents = stripe_client.client().v1.payment_intents
    on_host = intents.list(params={"limit": 10}, options={"stripe_account": account}).data
    assert [intent.id for intent in on_host] == [charge.stripe_payment_intent]
    assert intents.list(params={"limit": 10}).data == []  # nothing on the platform's account
    with pytest.raises(stripe_client.PaymentError):  # nor seen from there
        stripe_client.payment_intent_retrieve(charge.stripe_payment_intent)

    # Another host: another customer for the same person; the first card pays only its host.
    connected_host(other_host)
    with pytest.raises(ValidationError, match=r"autre structure|another structure"):
        services.charge_create(
            payer=payer,
            books=other_host,
            amount="5",
            method="card",
            saved_method=card,
            credit_purpose="donations",
            description="Don",
        )
    saved_card(payer, other_host)
    assert Customer.objects.filter(user=payer).count() == 2


def test_a_host_without_its_own_account_takes_transfers_only():
    payer, host = UserFactory(), OrganisationFactory(name="Dokos")
    with pytest.raises(ValidationError) as refused:
        services.card_setup_start(payer=payer, books=host)
    assert "virements" in refused.value.message_dict["method"][0]
    with pytest.raises(ValidationError):
        services.payment_method_save_card(
            payer=payer, books=host, stripe_payment_method=card_method()
        )
    transfer = services.charge_create(
        payer=payer,
        books=host,
        amount="20",
        method="transfer",
        credit_purpose="donations",
        description="Don",
    )
    assert transfer.status == ChargeStatus.AWAITING_TRANSFER and transfer.stripe_account == ""
    assert not Customer.objects.exists()


def _signed_event(settings, event: dict) -> tuple[bytes, str]:
    payload = json.dumps(event).encode()
    return payload, stripe_client.webhook_sign(payload, settings.STRIPE_WEBHOOK_SECRET)


def test_account_updated_events_follow_the_host_s_account(client, settings):
    admin = MembershipFactory(role=Role.ADMIN)
    account = services.stripe_account_create(organisation=admin.organisation, actor=admin.user)
    for event_id, charges_enabled in (("evt_on", True), ("evt_off", False)):
        event = {
            "id": event_id,
            "object": "event",
            "type": "account.updated",
            "account": account.stripe_id,
            "livemode": False,
            "created": 1795000000,
            "data": {"object": {"id": account.stripe_id, "charges_enabled": charges_enabled}},
        }
        payload, signature = _signed_event(settings, event)
        response = client.post(
            "/payments/stripe/webhook/",
            data=payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )
        assert response.status_code == 200
        account.refresh_from_db()
        assert account.charges_enabled is charges_enabled
    assert WebhookEvent.objects.get(stripe_id="evt_on").account == account.stripe_id
    unknown = {**event, "id": "evt_unknown", "account": "acct_nobody"}
    unknown["data"] = {"object": {"id": "acct_nobody", "charges_enabled": True}}
    payload, signature = _signed_event(settings, unknown)
    client.post(
        "/payments/stripe/webhook/",
        data=payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert WebhookEvent.objects.get(stripe_id="evt_unknown").status == EventStatus.IGNORED
    assert not Charge.objects.exists()


def test_the_demo_s_hosts_are_connected_at_the_stand_in_the_demo_starts():
    """`seed_demo` writes two connected hosts without calling Stripe; `scripts/demo` starts
    the stand-in with the same accounts onboarded (tests start it so too)."""
    script = (ROOT / "scripts" / "demo").read_text()
    for account_id in demo.CONNECTED.values():
        assert f"--connected-account {account_id}" in script
        found = stripe_client.connected_account_retrieve(account_id)
        assert found.charges_enabled
