"""A member changes how a pledge is paid, and cancelling asks for confirmation (#19)."""

import secrets

import pytest
from django.urls import reverse

from commons_fund.members.tests.factories import UserFactory
from commons_fund.payments.models import Customer, SavedPaymentMethod, StripeAccount
from pledges.models import PledgeStatus

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory

pytestmark = pytest.mark.django_db


def _card(user, host, label="Visa •••• 4242"):
    """A card saved on the host's Stripe account (no call to Stripe in these tests)."""
    account = StripeAccount.objects.get_or_create(
        organisation=host, defaults={"stripe_id": "acct_host", "charges_enabled": True}
    )[0]
    customer, _created = Customer.objects.get_or_create(
        user=user,
        stripe_account=account.stripe_id,
        defaults={"stripe_id": f"cus_{secrets.token_hex(6)}"},
    )
    return SavedPaymentMethod.objects.create(
        customer=customer, stripe_id=f"pm_{secrets.token_hex(6)}", kind="card", label=label
    )


@pytest.fixture
def pledge():
    pool = PoolFactory(collection_methods="both")
    return PledgeFactory(membership=PoolMembershipFactory(pool=pool), method="transfer")


def test_a_member_pays_the_next_rounds_with_a_saved_card(client, pledge):
    owner = pledge.membership.user
    card = _card(owner, pledge.membership.pool.host)
    client.force_login(owner)
    page = client.get(reverse("pledges:my_pledges"))
    assert "Visa •••• 4242" in page.text
    url = reverse("pledges:pledge_method", kwargs={"pk": pledge.pk})
    assert client.post(url, {"payment": str(card.pk)}).status_code == 302
    pledge.refresh_from_db()
    assert (pledge.method, pledge.saved_method) == ("card", card)
    assert client.post(url, {"payment": "transfer"}).status_code == 302
    pledge.refresh_from_db()
    assert (pledge.method, pledge.saved_method) == ("transfer", None)


def test_someone_elses_card_or_pledge_is_refused(client, pledge):
    owner = pledge.membership.user
    theirs = _card(UserFactory(), pledge.membership.pool.host, label="Mastercard •••• 4444")
    client.force_login(owner)
    url = reverse("pledges:pledge_method", kwargs={"pk": pledge.pk})
    response = client.post(url, {"payment": str(theirs.pk)}, follow=True)
    assert response.status_code == 200
    assert "Mastercard" not in str(pledge.saved_method)
    pledge.refresh_from_db()
    assert (pledge.method, pledge.saved_method) == ("transfer", None)
    client.force_login(UserFactory())
    assert client.post(url, {"payment": "transfer"}).status_code == 404


def test_cancelling_a_pledge_asks_for_confirmation(client, pledge):
    client.force_login(pledge.membership.user)
    url = reverse("pledges:pledge_status", kwargs={"pk": pledge.pk})
    asked = client.post(url, {"status": "cancelled"})
    assert asked.status_code == 200 and 'name="confirm"' in asked.text
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.ACTIVE
    assert client.post(url, {"status": "cancelled", "confirm": "yes"}).status_code == 302
    pledge.refresh_from_db()
    assert pledge.status == PledgeStatus.CANCELLED
