"""Saving a card (confirmed in the browser by Stripe.js) or a SEPA mandate from the pledge
flow, against the local Stripe stand-in."""

import pytest
from django.urls import reverse

from commons_fund.members.tests.factories import UserFactory
from commons_fund.payments import stripe_client
from commons_fund.payments.models import SavedPaymentMethod
from pledges import services
from pledges.models import Pledge

from .factories import PoolFactory, PoolMembershipFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]


def _confirm_in_the_browser(client_secret: str, number: str = "4242424242424242") -> str:
    """What Stripe.js's confirmCardSetup does with the card element."""
    setup_id = client_secret.split("_secret_")[0]
    method = stripe_client.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    stripe_client.client().v1.setup_intents.confirm(setup_id, params={"payment_method": method.id})
    return setup_id


def test_a_member_saves_a_card_then_pledges_with_it(client):
    member = PoolMembershipFactory(pool=PoolFactory(slug="normandie"))
    client.force_login(member.user)
    url = reverse("pledges:payment_method_add", kwargs={"slug": "normandie"})
    page = client.get(url)
    assert page.status_code == 200
    setup = page.context["setup"]
    assert setup.client_secret in page.text and "card-element" in page.text

    response = client.post(url, {"action": "card", "setup_intent": setup.id})
    assert response.status_code == 400  # not confirmed by the bank yet
    assert not SavedPaymentMethod.objects.exists()
    _confirm_in_the_browser(setup.client_secret)
    response = client.post(url, {"action": "card", "setup_intent": setup.id})
    assert response.status_code == 302
    card = SavedPaymentMethod.objects.get()
    assert card.active and card.kind == "card" and "4242" in card.label
    pledge = services.pledge_create(
        membership=member, actor=member.user, amount="10", method="card", saved_method=card
    )
    assert Pledge.objects.get() == pledge


def test_someone_elses_card_setup_is_refused(client):
    pool = PoolFactory(slug="normandie")
    thief, owner = PoolMembershipFactory(pool=pool), PoolMembershipFactory(pool=pool)
    url = reverse("pledges:payment_method_add", kwargs={"slug": "normandie"})
    client.force_login(owner.user)
    setup = client.get(url).context["setup"]
    _confirm_in_the_browser(setup.client_secret)
    client.force_login(thief.user)
    client.get(url)  # the thief has a Stripe customer too
    response = client.post(url, {"action": "card", "setup_intent": setup.id})
    assert response.status_code == 400
    assert not SavedPaymentMethod.objects.exists()
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # not a member


def test_a_member_saves_a_sepa_mandate(client):
    member = PoolMembershipFactory(pool=PoolFactory(slug="normandie"))
    client.force_login(member.user)
    url = reverse("pledges:payment_method_add", kwargs={"slug": "normandie"})
    sepa = {
        "action": "sepa",
        "holder_name": "Lou",
        "iban": "FR14 2004 1010 0505 0001 3M02 606",
        "email": member.user.email,
        "accept": "on",
    }
    response = client.post(url, {**sepa, "iban": "FR00 1234"})
    assert response.status_code == 400 and "iban" in response.context["sepa_form"].errors
    response = client.post(url, {**sepa, "accept": ""})
    assert "accept" in response.context["sepa_form"].errors
    assert not SavedPaymentMethod.objects.exists()
    assert client.post(url, sepa).status_code == 302
    assert SavedPaymentMethod.objects.get().kind == "sepa_debit"
