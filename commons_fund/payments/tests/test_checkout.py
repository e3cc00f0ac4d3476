"""One-off gifts on Stripe Checkout (hosted page of the stand-in), recorded once."""

import re
import urllib.request

import pytest

from commons_fund.ledger.models import Transaction, TransactionKind
from commons_fund.members.tests.factories import OrganisationFactory, UserFactory
from commons_fund.payments.models import Charge, ChargeStatus, WebhookEvent
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _pay_on_hosted_page(url: str) -> str:
    """What the donor does on Stripe's page: open it, press Pay; returns where it sends back."""
    with urllib.request.urlopen(url, timeout=5) as page:  # noqa: S310 - the stand-in's URL
        assert b"Pay" in page.read()
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(f"{url}/pay", data=b"", method="POST")  # noqa: S310
    try:
        opener.open(request, timeout=5)
    except urllib.error.HTTPError as redirect:
        assert redirect.code == 303
        return redirect.headers["Location"]
    raise AssertionError("the hosted page did not send the donor back")


def _give(client, organisation, amount="25"):
    response = client.post(f"/fr/organisations/{organisation.slug}/give/", {"amount": amount})
    assert response.status_code == 302, response.context["form"].errors
    return response["Location"]


def test_a_gift_paid_on_checkout_is_recorded_once_by_webhook(client, stripe_webhooks, settings):
    settings.SITE_URL = stripe_webhooks.url
    organisation = OrganisationFactory(name="Framasoft", slug="framasoft")
    donor = UserFactory()
    client.force_login(donor)
    hosted = _give(client, organisation)
    assert hosted.startswith(settings.STRIPE_API_BASE + "/_checkout/cs_test_")
    charge = Charge.objects.get()
    assert (charge.status, charge.user, charge.books) == ("pending", donor, organisation)
    back = _pay_on_hosted_page(hosted)
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
    organisation = OrganisationFactory(slug="debian-france")
    client.force_login(UserFactory())
    hosted = _give(client, organisation, "12,50")
    _pay_on_hosted_page(hosted)
    charge = Charge.objects.get()
    client.get(f"/fr/payments/charges/{charge.pk}/confirm/")
    charge.refresh_from_db()
    assert (charge.status, charge.amount) == (ChargeStatus.SUCCEEDED, 1250)


@pytest.mark.parametrize("amount", ["0", "-1", "abc", "2000000000"])
def test_bad_gift_amounts_are_refused_next_to_the_field(client, stripe_api, amount):
    organisation = OrganisationFactory(slug="movilab")
    client.force_login(UserFactory())
    response = client.post(f"/fr/organisations/{organisation.slug}/give/", {"amount": amount})
    assert response.status_code == 200
    assert "amount" in response.context["form"].errors
    assert not Charge.objects.exists()


def test_giving_needs_an_account(client, stripe_api):
    organisation = OrganisationFactory(slug="dokos")
    response = client.get(f"/fr/organisations/{organisation.slug}/give/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_gift_while_stripe_is_down_says_so_and_leaves_nothing_waiting(
    client, stripe_api, settings
):
    """#17.6: the page said the gift "will be tried again", and it never was (no one is on
    the page to be sent to Checkout later). It now says nothing was charged and to try again;
    the gift started is cancelled, not left waiting."""
    organisation = OrganisationFactory(slug="movilab")
    client.force_login(UserFactory())
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing answers there
    response = client.post(f"/fr/organisations/{organisation.slug}/give/", {"amount": "25"})
    assert response.status_code == 200
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
