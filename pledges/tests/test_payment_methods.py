"""Saving a card (confirmed in the browser by Stripe.js) or a SEPA mandate from the pledge
flow, against the local Stripe stand-in."""

import pytest
from django.urls import reverse

from commons_fund.members.tests.factories import UserFactory
from commons_fund.payments import stripe_client
from commons_fund.payments.models import SavedPaymentMethod
from commons_fund.payments.tests.factories import card_method, connected_host
from pledges import services
from pledges.models import Pledge

from .factories import PoolFactory, PoolMembershipFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]


def _confirm_in_the_browser(client_secret: str, account: str) -> str:
    """What Stripe.js's confirmCardSetup does with the card element, on the host's account."""
    setup_id = client_secret.split("_secret_")[0]
    stripe_client.client().v1.setup_intents.confirm(
        setup_id,
        params={"payment_method": card_method(account=account)},
        options={"stripe_account": account},
    )
    return setup_id


def _pool(slug: str):
    """A pool whose host takes cards on its own Stripe account."""
    pool = PoolFactory(slug=slug)
    connected_host(pool.host)
    return pool


def test_a_member_saves_a_card_then_pledges_with_it(client):
    member = PoolMembershipFactory(pool=_pool("normandie"))
    client.force_login(member.user)
    url = reverse("pledges:payment_method_add", kwargs={"slug": "normandie"})
    page = client.get(url)
    assert page.status_code == 200
    setup = page.context["setup"]
    assert setup.client_secret in page.text and "card-element" in page.text

    response = client.post(url, {"action": "card", "setup_intent": setup.id})
    assert response.status_code == 400  # not confirmed by the bank yet
    assert not SavedPaymentMethod.objects.exists()
    _confirm_in_the_browser(setup.client_secret, page.context["stripe_account"])
    response = client.post(url, {"action": "card", "setup_intent": setup.id})
    assert response.status_code == 302
    card = SavedPaymentMethod.objects.get()
    assert card.active and card.kind == "card" and "4242" in card.label
    pledge = services.pledge_create(
        membership=member, actor=member.user, amount="10", method="card", saved_method=card
    )
    assert Pledge.objects.get() == pledge


def test_someone_elses_card_setup_is_refused(client):
    pool = _pool("normandie")
    thief, owner = PoolMembershipFactory(pool=pool), PoolMembershipFactory(pool=pool)
    url = reverse("pledges:payment_method_add", kwargs={"slug": "normandie"})
    client.force_login(owner.user)
    page = client.get(url)
    setup = page.context["setup"]
    assert page.context["stripe_account"] == pool.host.stripe_account.stripe_id
    _confirm_in_the_browser(setup.client_secret, page.context["stripe_account"])
    client.force_login(thief.user)
    client.get(url)  # the thief has a Stripe customer too
    response = client.post(url, {"action": "card", "setup_intent": setup.id})
    assert response.status_code == 400
    assert not SavedPaymentMethod.objects.exists()
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404  # not a member


def test_a_member_saves_a_sepa_mandate(client):
    member = PoolMembershipFactory(pool=_pool("normandie"))
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
