"""One-off gifts on Stripe Checkout (hosted page of the stand-in), recorded once."""

import re

import pytest

from commons_fund.ledger.models import Transaction, TransactionKind
from commons_fund.members.models import User
from commons_fund.members.tests.factories import OrganisationFactory, UserFactory
from commons_fund.payments.models import Charge, ChargeStatus, WebhookEvent
from commons_fund.payments.tests.factories import connected_host
from tests.helpers import press_on_hosted_page, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def connected(organisation):
    connected_host(organisation)
    return organisation


def _give(client, organisation, amount="25"):
    response = client.post(f"/fr/organisations/{organisation.slug}/give/", {"amount": amount})
    assert response.status_code == 302, response.context["form"].errors
    return response["Location"]


def test_a_gift_paid_on_checkout_is_recorded_once_by_webhook(client, stripe_webhooks, settings):
    settings.SITE_URL = stripe_webhooks.url
    organisation = connected(OrganisationFactory(name="Framasoft", slug="framasoft"))
    donor = UserFactory()
    client.force_login(donor)
    hosted = _give(client, organisation)
    assert hosted.startswith(settings.STRIPE_API_BASE + "/_checkout/cs_test_")
    charge = Charge.objects.get()
    assert (charge.status, charge.user, charge.books) == ("pending", donor, organisation)
    # A direct charge on the host's own Stripe account, not the platform's.
    assert charge.stripe_account == organisation.stripe_account.stripe_id
    back = press_on_hosted_page(hosted, "Pay", "pay")
    assert back == f"{stripe_webhooks.url}/fr/payments/charges/{charge.pk}/confirm/"
    assert wait_for(lambda: Charge.objects.get().status == ChargeStatus.SUCCEEDED)
    assert wait_for(
        lambda: WebhookEvent.objects.filter(
            type="checkout.session.completed", status="handled"
        ).exists()
    )
    page = client.get(back.removeprefix(stripe_webhooks.url))
    assert "Payé" in page.text
    assert Transaction.objects.filter(kind=TransactionKind.DONATION).count() == 1
    assert Transaction.objects.filter(kind=TransactionKind.PROCESSOR_FEE).count() == 1


def test_the_return_page_records_the_gift_even_before_the_webhook(client, stripe_api):
    organisation = connected(OrganisationFactory(slug="debian-france"))
    client.force_login(UserFactory())
    hosted = _give(client, organisation, "12,50")
    press_on_hosted_page(hosted, "Pay", "pay")
    charge = Charge.objects.get()
    client.get(f"/fr/payments/charges/{charge.pk}/confirm/")
    charge.refresh_from_db()
    assert (charge.status, charge.amount) == (ChargeStatus.SUCCEEDED, 1250)


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "2000000000"])
def test_bad_gift_amounts_are_refused_next_to_the_field(client, stripe_api, amount):
    organisation = connected(OrganisationFactory(slug="movilab"))
    client.force_login(UserFactory())
    response = client.post(f"/fr/organisations/{organisation.slug}/give/", {"amount": amount})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert not Charge.objects.exists()


def test_a_host_without_its_own_stripe_account_takes_no_gift_by_card(client, stripe_api):
    """Money for a host is never taken on the platform's account: until the host connects
    its own, the page says so and a gift sent anyway is refused, nothing written."""
    organisation = OrganisationFactory(name="Dokos", slug="dokos")
    client.force_login(UserFactory())
    url = f"/fr/organisations/{organisation.slug}/give/"
    page = client.get(url)
    assert "n’a pas connecté de compte Stripe" in page.text.replace("&#x27;", "’")
    assert 'name="amount"' not in page.text
    response = client.post(url, {"amount": "25"})
    assert response.status_code == 400
    assert "Stripe" in " ".join(response.context["form"].non_field_errors())
    assert not Charge.objects.exists()


def test_a_gift_without_an_account_needs_only_an_email(client, stripe_api):
    """#20: give without an account (email and name); the donor comes back to the gift's
    own page by a signed address, and can later take the account over."""
    organisation = connected(OrganisationFactory(name="Dokos", slug="dokos"))
    url = f"/fr/organisations/{organisation.slug}/give/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="email"' in page.text
    guest = {"email": "Sam@Example.org", "first_name": "Sam", "last_name": "Leroy", "amount": "15"}
    for bad in ({"email": "not-an-email"}, {"first_name": ""}, {"amount": "1.500"}):
        response = client.post(url, {**guest, **bad})
        assert response.status_code == 400
        assert set(bad) <= set(response.context["form"].errors)
    assert not User.objects.filter(email="sam@example.org").exists()
    assert not Charge.objects.exists()

    hosted = client.post(url, guest)["Location"]
    donor = User.objects.get(email="sam@example.org")
    assert (donor.get_full_name(), donor.has_usable_password()) == ("Sam Leroy", False)
    charge = Charge.objects.get()
    assert (charge.user, charge.amount, charge.stripe_account) == (
        donor,
        1500,
        organisation.stripe_account.stripe_id,
    )
    back = press_on_hosted_page(hosted, "Pay", "pay")
    assert "/fr/gifts/" in back
    thanks = client.get(back.removeprefix("http://testserver"))
    assert "Merci" in thanks.text
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED
    assert client.get(back.removeprefix("http://testserver")[:-3] + "xyz/").status_code == 404

    # Someone who has an account: the gift is theirs, their names left as they are.
    known = UserFactory(email="lou@example.org", first_name="Lou")
    client.post(url, {**guest, "email": "LOU@example.org", "first_name": "Usurper"})
    known.refresh_from_db()
    assert known.first_name == "Lou" and Charge.objects.filter(user=known).count() == 1


def test_gifts_without_an_account_are_limited_per_address(client, stripe_api, settings):
    settings.ACCOUNT_RATE_LIMITS = {"gift": "2/h/ip"}
    organisation = connected(OrganisationFactory(slug="movilab"))
    url = f"/fr/organisations/{organisation.slug}/give/"
    for attempt in range(3):
        guest = {"email": f"d{attempt}@example.org", "first_name": "D", "last_name": "D"}
        response = client.post(url, {**guest, "amount": "5"})
    assert response.status_code == 400
    assert "réessayer plus tard" in " ".join(response.context["form"].non_field_errors())
    assert Charge.objects.count() == 2


def test_a_gift_while_stripe_is_down_says_so_and_leaves_nothing_waiting(
    client, stripe_api, settings
):
    """#17.6: the page said the gift "will be tried again", and it never was (no one is on
    the page to be sent to Checkout later). It now says nothing was charged and to try again;
    the gift started is cancelled, not left waiting."""
    organisation = connected(OrganisationFactory(slug="movilab"))
    client.force_login(UserFactory())
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing answers there
    response = client.post(f"/fr/organisations/{organisation.slug}/give/", {"amount": "25"})
    assert response.status_code == 400
    errors = " ".join(response.context["form"].non_field_errors())
    assert re.search(r"réessayer dans quelques minutes|try again in a few minutes", errors)
    assert not re.search(r"tried again|sera retentée|nouveau tentée", errors), errors
    assert set(Charge.objects.values_list("status", flat=True)) == {ChargeStatus.CANCELLED}
    settings.STRIPE_API_BASE = stripe_api  # Stripe is back: the donor tries again
    assert _give(client, organisation).startswith(stripe_api)
    assert Charge.objects.filter(status=ChargeStatus.PENDING).exclude(checkout_session="").exists()


def test_only_the_give_page_may_send_its_form_on_to_checkout(client, settings):
    """Browsers apply `form-action` to the redirect that follows a form: the give page's
    policy names Checkout's origin (the stand-in's here, checkout.stripe.com in production)."""
    organisation = OrganisationFactory()
    client.force_login(UserFactory())
    settings.STRIPE_API_BASE = "http://127.0.0.1:8420"
    policy = client.get(f"/fr/organisations/{organisation.slug}/give/")["Content-Security-Policy"]
    assert "form-action 'self' http://127.0.0.1:8420" in policy
    settings.STRIPE_API_BASE = ""
    policy = client.get(f"/fr/organisations/{organisation.slug}/give/")["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com" in policy
    elsewhere = client.get("/fr/pools/")["Content-Security-Policy"]
    assert "form-action 'self';" in elsewhere or elsewhere.endswith("form-action 'self'")
