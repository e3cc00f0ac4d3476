"""Monthly gifts (#20): a Stripe subscription on the host's own account, started on Checkout
(the stand-in's hosted page), each month recorded once with its receipt emailed, stopped by
the donor from the link in that email, or by Stripe."""

import urllib.request
from datetime import timedelta

import pytest
import stripe
from django.core import mail
from django.utils import timezone

from commons_fund.ledger.models import Transaction, TransactionKind
from commons_fund.members.models import User
from commons_fund.members.tests.factories import OrganisationFactory, UserFactory
from commons_fund.payments import selectors, services, stripe_client
from commons_fund.payments.models import (
    Charge,
    ChargeStatus,
    MonthlyGift,
    MonthlyGiftStatus,
    WebhookEvent,
)
from commons_fund.payments.services.gifts import gift_token
from commons_fund.payments.tests.factories import connected_host
from tests.helpers import pdf_text, press_on_hosted_page, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _host(slug="framasoft", name="Framasoft"):
    organisation = OrganisationFactory(slug=slug, name=name)
    connected_host(organisation)
    return organisation


def _next_month(standin: str, subscription: str) -> int:
    """The stand-in bills the next month now; returns its HTTP status."""
    request = urllib.request.Request(  # noqa: S310 - the stand-in
        f"{standin}/_config/subscriptions/{subscription}/next_month", data=b"", method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - the stand-in
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def _months(gift: MonthlyGift) -> list[Charge]:
    return list(selectors.monthly_gift_months(gift=gift).order_by("pk"))


def _stop_link(message) -> str:
    return next(line for line in message.body.splitlines() if "/gifts/monthly/" in line)


def test_a_monthly_gift_is_paid_each_month_once_and_stopped_from_its_email(
    client, stripe_webhooks, celery_worker, settings
):
    settings.SITE_URL = stripe_webhooks.url
    host = _host()
    donor = UserFactory(email="camille@example.org", language="fr")
    client.force_login(donor)
    url = f"/fr/organisations/{host.slug}/give/"
    assert 'value="monthly"' in client.get(url).text
    response = client.post(url, {"amount": "12,50", "frequency": "monthly"})
    assert response.status_code == 302, response.context["form"].errors
    gift = MonthlyGift.objects.get()
    # A subscription on the host's own account, not the platform's.
    assert (gift.user, gift.books, gift.amount, gift.status) == (donor, host, 1250, "pending")
    assert gift.stripe_account == host.stripe_account.stripe_id
    assert not Charge.objects.exists()

    back = press_on_hosted_page(response["Location"], "Pay", "pay")
    assert back.startswith(f"{stripe_webhooks.url}/fr/gifts/monthly/")
    assert wait_for(lambda: len(_months(gift)) == 1)
    gift.refresh_from_db()
    assert gift.status == MonthlyGiftStatus.ACTIVE and gift.stripe_subscription.startswith("sub_")
    first = _months(gift)[0]
    assert (first.user, first.books, first.amount, first.credit_purpose) == (
        donor,
        host,
        1250,
        "donations",
    )
    assert first.stripe_account == gift.stripe_account and first.fee > 0
    assert Transaction.objects.filter(kind=TransactionKind.DONATION).count() == 1

    # Its receipt, emailed once, with the link that stops the gift.
    assert wait_for(lambda: len(mail.outbox) == 1)
    message = mail.outbox[0]
    assert message.to == ["camille@example.org"] and "Framasoft" in message.subject
    name, pdf, kind = message.attachments[0]
    assert kind == "application/pdf" and name.endswith(".pdf")
    text = pdf_text(pdf)
    assert "12,50" in text and "Framasoft" in text and "camille@example.org" in text
    stop = _stop_link(message)
    assert stop.startswith(f"{stripe_webhooks.url}/fr/gifts/monthly/")
    assert services.monthly_gift_of_token(stop.split("/")[-2]) == gift

    # Next month: one more charge, one more receipt; a webhook delivered again adds nothing.
    assert _next_month(settings.STRIPE_API_BASE, gift.stripe_subscription) == 200
    assert wait_for(lambda: len(_months(gift)) == 2)
    assert wait_for(lambda: len(mail.outbox) == 2)
    paid = WebhookEvent.objects.filter(type="invoice.paid", status="handled")
    assert wait_for(lambda: paid.count() == 2)
    for event in paid:
        services.webhook_handle(event=event)
    assert len(_months(gift)) == 2
    assert Transaction.objects.filter(kind=TransactionKind.DONATION).count() == 2
    # Once the task's mark is committed, sending again sends nothing.
    assert wait_for(lambda: all(month.receipt_emailed_at for month in _months(gift)))
    services.gift_receipt_email_send(charge=_months(gift)[1])
    assert len(mail.outbox) == 2

    # The link works without logging in; stopping it stops the subscription at Stripe.
    client.logout()
    page = client.get(stop.removeprefix(stripe_webhooks.url))
    assert page.status_code == 200 and "Arrêter ce don mensuel" in page.text
    assert "12,50" in page.text
    stopped = client.post(stop.removeprefix(stripe_webhooks.url), follow=True)
    assert "Votre don mensuel est arrêté" in stopped.text
    gift.refresh_from_db()
    assert gift.status == MonthlyGiftStatus.CANCELLED and gift.cancelled_at is not None
    at_stripe = stripe.StripeClient(
        "sk_test_commons_fund_local", base_addresses={"api": settings.STRIPE_API_BASE}
    ).v1.subscriptions.retrieve(
        gift.stripe_subscription, options={"stripe_account": gift.stripe_account}
    )
    assert at_stripe.status == "canceled"
    assert _next_month(settings.STRIPE_API_BASE, gift.stripe_subscription) == 404
    # Stopping twice is harmless; the months paid stay gifts.
    client.post(stop.removeprefix(stripe_webhooks.url))
    assert len(_months(gift)) == 2
    assert "Arrêter ce don mensuel" not in client.get(stop.removeprefix(stripe_webhooks.url)).text


def test_a_monthly_gift_without_an_account(client, stripe_api):
    host = _host("dokos", "Dokos")
    guest = {
        "email": "sam@example.org",
        "first_name": "Sam",
        "last_name": "Leroy",
        "amount": "5",
        "frequency": "monthly",
    }
    response = client.post(f"/fr/organisations/{host.slug}/give/", guest)
    assert response.status_code == 302
    gift = MonthlyGift.objects.get()
    assert gift.user == User.objects.get(email="sam@example.org")
    back = press_on_hosted_page(response["Location"], "Pay", "pay")
    # Back before any webhook: the page asks Stripe and says the gift runs.
    page = client.get(back.removeprefix("http://testserver"))
    assert page.status_code == 200 and "Chaque mois" in page.text
    gift.refresh_from_db()
    assert gift.status == MonthlyGiftStatus.ACTIVE


@pytest.mark.parametrize(
    "bad",
    [{"frequency": "weekly"}, {"frequency": "month"}, {"amount": "1.500"}, {"amount": "0"}],
)
def test_bad_monthly_gifts_are_refused_next_to_the_field(client, stripe_api, bad):
    host = _host("movilab", "Movilab")
    client.force_login(UserFactory())
    data = {"amount": "10", "frequency": "monthly", **bad}
    response = client.post(f"/fr/organisations/{host.slug}/give/", data)
    assert response.status_code == 400
    assert set(bad) <= set(response.context["form"].errors)
    assert not MonthlyGift.objects.exists() and not Charge.objects.exists()


def test_a_monthly_gift_page_needs_its_signed_address(client, stripe_api):
    host = _host()
    gift = MonthlyGift.objects.create(user=UserFactory(), books=host, amount=500)
    token = services.monthly_gift_token(gift)
    assert client.get(f"/fr/gifts/monthly/{token}/").status_code == 200
    assert client.get(f"/fr/gifts/monthly/{token[:-2]}xy/").status_code == 404
    assert client.post(f"/fr/gifts/monthly/{token[:-2]}xy/").status_code == 404
    forged = gift_token(Charge(pk=gift.pk))  # another kind of token, same number
    assert client.get(f"/fr/gifts/monthly/{forged}/").status_code == 404


def test_a_subscription_stopped_at_stripe_stops_the_gift(client, stripe_webhooks, settings):
    """The host cancels it in its Stripe dashboard, or Stripe gives up after failed months."""
    settings.SITE_URL = stripe_webhooks.url
    host = _host()
    client.force_login(UserFactory())
    response = client.post(
        f"/fr/organisations/{host.slug}/give/", {"amount": "7", "frequency": "monthly"}
    )
    press_on_hosted_page(response["Location"], "Pay", "pay")
    gift = MonthlyGift.objects.get()
    assert wait_for(lambda: MonthlyGift.objects.get().status == MonthlyGiftStatus.ACTIVE)
    gift.refresh_from_db()
    stripe_client.subscription_cancel(
        gift.stripe_subscription, idempotency_key="dashboard", account=gift.stripe_account
    )
    assert wait_for(lambda: MonthlyGift.objects.get().status == MonthlyGiftStatus.CANCELLED)


def test_invoices_of_other_subscriptions_are_ignored(stripe_api, settings):
    """A signed invoice.paid naming a subscription that is not one of our gifts (another
    site on the same account, another product) records nothing."""
    host = _host()
    gift = MonthlyGift.objects.create(
        user=UserFactory(), books=host, amount=500, stripe_account=host.stripe_account.stripe_id
    )
    stripe_with_key = stripe.StripeClient(
        "sk_test_commons_fund_local", base_addresses={"api": stripe_api}
    )
    customer = stripe_with_key.v1.customers.create(
        params={"email": "x@example.org"}, options={"stripe_account": gift.stripe_account}
    )
    plan = stripe_with_key.v1.plans.create(
        params={"amount": 500, "currency": "eur", "interval": "month", "product": {"name": "x"}},
        options={"stripe_account": gift.stripe_account},
    )
    foreign = stripe_with_key.v1.subscriptions.create(
        params={
            "customer": customer.id,
            "items": [{"plan": plan.id}],
            "metadata": {"monthly_gift_id": str(gift.pk), "site": "https://staging.example.org"},
            "trial_period_days": 30,
        },
        options={"stripe_account": gift.stripe_account},
    )
    payload = {
        "id": "in_foreign",
        "object": "invoice",
        "amount_paid": 500,
        "currency": "eur",
        "parent": {"subscription_details": {"subscription": foreign.id}},
        "payment_intent": "pi_foreign",
    }
    event = WebhookEvent.objects.create(
        stripe_id="evt_foreign",
        type="invoice.paid",
        livemode=False,
        account=gift.stripe_account,
        created=0,
        payload=payload,
    )
    handled = services.webhook_handle(event=event)
    assert handled.status == "ignored" and "not ours" in handled.error
    gift.refresh_from_db()
    assert gift.stripe_subscription is None and not Charge.objects.exists()


def test_receipts_left_unsent_are_queued_again(stripe_api, celery_worker):
    """The broker was down when a gift was paid: the beat's sweep sends its receipt, once;
    gifts paid before receipts were emailed (older than two days) get none."""
    host = _host()
    donor = UserFactory(email="lou@example.org")
    recent, old = (
        Charge.objects.create(
            user=donor,
            books=host,
            amount=900,
            method="card",
            credit_purpose="donations",
            description="Don à Framasoft",
            status=ChargeStatus.SUCCEEDED,
            paid_on=paid_on,
        )
        for paid_on in (timezone.localdate(), timezone.localdate() - timedelta(days=10))
    )
    Charge.objects.update(updated_at=timezone.now() - timedelta(hours=1))
    assert services.gift_receipts_send_due() == 1
    # The email leaves inside the task's transaction; its mark is seen once that commits.
    assert wait_for(lambda: Charge.objects.filter(receipt_emailed_at__isnull=False).exists())
    assert len(mail.outbox) == 1
    assert services.gift_receipts_send_due() == 0
    recent.refresh_from_db()
    old.refresh_from_db()
    assert recent.receipt_emailed_at is not None and old.receipt_emailed_at is None
    assert mail.outbox[0].to == ["lou@example.org"]
