"""Payments over real HTTP with the real `stripe` library, against the local stand-in."""

import logging
import threading
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from commons_fund.ledger.models import Entry, Transaction, TransactionKind
from commons_fund.ledger.selectors import account_balance, ledger_totals
from commons_fund.ledger.services import account_get_or_create
from commons_fund.members.models import Organisation, Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from commons_fund.payments import services, stripe_client
from commons_fund.payments.models import (
    Charge,
    ChargeStatus,
    Customer,
    MethodKind,
    RefundStatus,
    SavedPaymentMethod,
)
from commons_fund.payments.tests.factories import connected_host, saved_card
from tests.helpers import standin_running, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]

VISA = "4242424242424242"
DECLINED = "4000000000000341"
THREE_D_SECURE = "4000002760003184"
IBAN_OK = "FR1420041010050500013M02606"


@pytest.fixture
def payer():
    organisation = OrganisationFactory(name="Normandie Libre")
    MembershipFactory(
        organisation=organisation,
        role=Role.TREASURER,
        user=UserFactory(email="tresorerie@normandie-libre.example"),
    )
    return organisation


@pytest.fixture
def books():
    """The receiving host, its own Stripe account connected."""
    organisation = OrganisationFactory(name="Ouvaton")
    connected_host(organisation)
    return organisation


def _charge(payer, books, method, amount="20,00"):
    return services.charge_create(
        payer=payer,
        books=books,
        amount=amount,
        method=method.kind,
        saved_method=method,
        credit_purpose="contributions",
        description="Pot commun, tour 1",
    )


def _balance(books, purpose):
    return account_balance(account=account_get_or_create(purpose=purpose, organisation=books))


def test_save_a_card_and_charge_it_off_session(payer, books):
    method = saved_card(payer, books, VISA)
    assert (method.kind, method.label) == ("card", "Visa •••• 4242")
    assert Customer.objects.get(organisation=payer).stripe_id.startswith("cus_")
    charge = services.charge_submit(charge=_charge(payer, books, method))
    assert charge.status == ChargeStatus.SUCCEEDED
    assert charge.stripe_payment_intent.startswith("pi_")
    assert charge.fee == 55  # 1.5 % of 20 € + 0.25 €
    assert _balance(books, "to_collect").posted == 2000 - 55
    assert _balance(books, "contributions").posted == -2000
    assert _balance(books, "processor_fees").posted == 55
    assert all(total == 0 for total in ledger_totals().values())


def test_submitting_twice_charges_once(payer, books):
    method = saved_card(payer, books, VISA)
    charge = _charge(payer, books, method)
    first = services.charge_submit(charge=charge)
    Charge.objects.filter(pk=charge.pk).update(status=ChargeStatus.PENDING, paid_on=None)  # lost
    second = services.charge_submit(charge=charge)
    assert second.stripe_payment_intent == first.stripe_payment_intent
    intents = stripe_client.client().v1.payment_intents.list(
        params={"limit": 10}, options={"stripe_account": charge.stripe_account}
    )
    assert len(intents.data) == 1
    assert Transaction.objects.filter(kind=TransactionKind.PLEDGE_COLLECTION).count() == 1


def test_a_declined_card_fails_with_the_reason_and_moves_no_money(payer, books):
    method = saved_card(payer, books, DECLINED)
    charge = services.charge_submit(charge=_charge(payer, books, method))
    assert charge.status == ChargeStatus.FAILED
    assert charge.failure_code == "card_declined"
    assert charge.failure_message
    assert not Entry.objects.exists()


def _confirm_setup_like_stripe_js(method):
    stripe_client.client().raw_request(
        "post",
        f"/v1/setup_intents/{method.setup_intent}/confirm",
        client_secret=method.setup_client_secret,
        use_stripe_sdk="true",
        stripe_account=method.customer.stripe_account,
    )


def three_d_secure_card(payer, books):
    method = saved_card(payer, books, THREE_D_SECURE)
    assert not method.active  # the bank wants the holder to confirm the card first
    with pytest.raises(ValidationError):
        services.charge_create(
            payer=payer,
            books=books,
            amount="1",
            method="card",
            saved_method=method,
            credit_purpose="donations",
            description="x",
        )
    _confirm_setup_like_stripe_js(method)
    method = services.payment_method_refresh(method=method)
    assert method.active
    return method


def test_three_d_secure_asks_the_payer_then_succeeds(payer, books, client, celery_worker):
    method = three_d_secure_card(payer, books)
    charge = services.charge_submit(charge=_charge(payer, books, method))
    assert charge.status == ChargeStatus.REQUIRES_ACTION
    assert not Entry.objects.exists()
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker sent no email to the payer"
    message = mail.outbox[-1]
    assert message.to == ["tresorerie@normandie-libre.example"]
    assert f"/fr/payments/charges/{charge.pk}/confirm/" in message.body
    assert "20,00" in message.subject

    # The payer confirms with the bank (what Stripe.js does on the page)...
    stripe_client.client().raw_request(
        "post",
        f"/v1/payment_intents/{charge.stripe_payment_intent}/_authenticate",
        client_secret=charge.client_secret,
        success="true",
        stripe_account=charge.stripe_account,
    )
    # ...and the page shows the payment done, without waiting for the webhook.
    client.force_login(payer.memberships.get().user)
    page = client.get(f"/fr/payments/charges/{charge.pk}/confirm/")
    assert page.status_code == 200
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED
    assert _balance(books, "contributions").posted == -2000


def test_the_confirm_page_is_404_to_others(payer, books, client):
    method = three_d_secure_card(payer, books)
    charge = services.charge_submit(charge=_charge(payer, books, method))
    client.force_login(UserFactory())
    assert client.get(f"/fr/payments/charges/{charge.pk}/confirm/").status_code == 404


def test_save_a_sepa_mandate(payer, books):
    method = services.payment_method_save_sepa(
        payer=payer,
        books=books,
        iban="FR14 2004 1010 0505 0001 3M02 606",
        holder_name="Normandie Libre",
        email="tresorerie@normandie-libre.example",
        ip_address="192.0.2.1",
    )
    assert method.kind == MethodKind.SEPA_DEBIT
    assert method.label == "SEPA FR •••• 2606"


@pytest.mark.parametrize(
    ("iban", "field"),
    [
        ("FR14 2004 1010 0505 0001 3M02 607", "iban"),
        ("not an iban", "iban"),
        ("BR1500000000000010932840814P2", "iban"),
    ],
)
def test_a_bad_iban_is_refused_before_anything_is_sent(payer, books, iban, field):
    with pytest.raises(ValidationError) as raised:
        services.payment_method_save_sepa(
            payer=payer, books=books, iban=iban, holder_name="X", email=""
        )
    assert field in raised.value.message_dict
    assert not Customer.objects.exists()
    assert not SavedPaymentMethod.objects.exists()


def test_partial_then_full_refund(payer, books):
    treasurer = MembershipFactory(organisation=books, role=Role.TREASURER).user
    method = saved_card(payer, books, VISA)
    charge = services.charge_submit(charge=_charge(payer, books, method, amount="50"))
    first = services.refund_create(charge=charge, amount="12,50", actor=treasurer)
    assert first.status == RefundStatus.SUCCEEDED
    with pytest.raises(ValidationError):
        services.refund_create(charge=charge, amount="37,51", actor=treasurer)
    services.refund_create(charge=charge, amount="37,50", actor=treasurer)
    charge.refresh_from_db()
    assert charge.refunded == 5000
    assert _balance(books, "contributions").posted == 0
    assert Transaction.objects.filter(kind=TransactionKind.REFUND).count() == 2
    with pytest.raises(ValidationError):
        services.refund_create(charge=charge, amount="0,01", actor=treasurer)


def test_only_treasurers_of_the_receiving_organisation_refund(payer, books):
    method = saved_card(payer, books, VISA)
    charge = services.charge_submit(charge=_charge(payer, books, method))
    member = MembershipFactory(organisation=books, role=Role.MEMBER).user
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.refund_create(charge=charge, amount="1", actor=member)
    assert not charge.refunds.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "abc"}, None),
        ({"amount": "-5"}, None),
        ({"amount": "0"}, None),
        ({"currency": "CHF"}, "currency"),
        ({"credit_purpose": "gifts"}, "credit_purpose"),
        ({"description": "  "}, "description"),
    ],
)
def test_bad_charges_are_refused_and_write_nothing(payer, books, changes, field):
    method = saved_card(payer, books, VISA)
    arguments = {
        "payer": payer,
        "books": books,
        "amount": "20",
        "method": "card",
        "saved_method": method,
        "credit_purpose": "contributions",
        "description": "Tour 1",
        **changes,
    }
    with pytest.raises(ValidationError) as raised:
        services.charge_create(**arguments)
    if field:
        assert field in raised.value.message_dict
    assert not Charge.objects.exists()


def test_a_charge_for_an_unknown_organisation_or_someone_elses_card_is_refused(payer, books):
    method = saved_card(payer, books, VISA)
    with pytest.raises(ValidationError):
        services.charge_create(
            payer=Organisation(name="Fantôme", slug="fantome", legal_form="association"),
            books=books,
            amount="20",
            method="card",
            saved_method=method,
            credit_purpose="contributions",
            description="x",
        )
    with pytest.raises(ValidationError):
        services.charge_create(
            payer=OrganisationFactory(),
            books=books,
            amount="20",
            method="card",
            saved_method=method,
            credit_purpose="contributions",
            description="x",
        )
    assert not Charge.objects.exists()


def test_bank_transfer_under_then_over_payment(payer, books):
    treasurer = MembershipFactory(organisation=books, role=Role.TREASURER).user
    charge = services.charge_create(
        payer=payer,
        books=books,
        amount="100",
        method="transfer",
        credit_purpose="contributions",
        description="Cotisation 2026",
    )
    assert charge.status == ChargeStatus.AWAITING_TRANSFER
    assert charge.transfer_reference.startswith("CF-") and len(charge.transfer_reference) == 12
    from datetime import date

    services.transfer_record_receipt(
        charge=charge, amount="60", received_on=date(2026, 11, 2), actor=treasurer
    )
    charge.refresh_from_db()
    assert (charge.status, charge.outstanding) == (ChargeStatus.PARTIALLY_RECEIVED, 4000)
    services.transfer_record_receipt(
        charge=charge, amount="45", received_on=date(2026, 11, 9), actor=treasurer
    )
    charge.refresh_from_db()
    assert (charge.status, charge.outstanding) == (ChargeStatus.SUCCEEDED, -500)
    assert _balance(books, "bank").posted == 10500
    assert _balance(books, "contributions").posted == -10000
    assert _balance(books, "payable").posted == -500  # the 5 € overpaid, kept to give back
    services.transfer_record_receipt(
        charge=charge, amount="1", received_on=date(2026, 11, 9), actor=treasurer
    )
    assert _balance(books, "payable").posted == -600
    with pytest.raises(ValidationError):
        services.transfer_record_receipt(
            charge=charge, amount="1,001", received_on=date(2026, 11, 9), actor=treasurer
        )
    assert all(total == 0 for total in ledger_totals().values())
    assert Decimal(charge.amount) == 10000


def test_charges_left_pending_when_stripe_was_down_are_sent_again(
    payer, books, settings, stripe_api
):
    method = saved_card(payer, books, VISA)
    charge = _charge(payer, books, method)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens: Stripe unreachable
    assert services.charge_submit(charge=charge).status == ChargeStatus.PENDING
    settings.STRIPE_API_BASE = stripe_api
    assert services.charges_submit_pending(older_than_seconds=0) == 1
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED
    assert services.charges_submit_pending(older_than_seconds=0) == 0


def test_a_charge_sent_again_with_other_parameters_is_not_failed_but_left_pending(
    payer, books, settings, caplog
):
    """Stripe refuses a key sent again with other parameters (the site's address in the
    metadata changed between two sendings). Its first sending may have charged: failing the
    charge would let the collection try again under a new key and charge twice."""
    method = saved_card(payer, books, VISA)
    charge = _charge(payer, books, method)
    first = services.charge_submit(charge=charge)
    Charge.objects.filter(pk=charge.pk).update(status=ChargeStatus.PENDING, paid_on=None)  # lost
    settings.SITE_URL = "https://commons.example"
    caplog.set_level(logging.WARNING)  # an in-process Celery worker leaves the root at ERROR
    again = services.charge_submit(charge=charge)
    assert again.status == ChargeStatus.PENDING
    assert again.stripe_payment_intent == first.stripe_payment_intent
    [deferred] = [
        record
        for record in caplog.records
        if getattr(record, "event", None) == "charge.submit_deferred"
    ]
    assert (deferred.charge, deferred.reason) == (charge.pk, "idempotency_conflict")


@pytest.fixture
def slow_stripe(settings):
    """A stand-in of its own where each PaymentIntent takes 6 seconds at Stripe, its
    idempotency key in progress meanwhile: longer than the stripe library's two retries of a
    409."""
    with standin_running("--processing", "6") as url:
        settings.STRIPE_API_BASE = url
        yield url


def test_a_charge_sent_again_while_stripe_still_makes_it_stays_pending_then_succeeds_once(
    slow_stripe, payer, books
):
    """A collection handed out twice, or a sweep meeting a slow one: Stripe answers the second
    sending 409 (its key in progress) until the first is made. That is no failure: a failed
    charge is tried again under a new key, which would charge twice."""
    method = saved_card(payer, books, VISA)
    charge = _charge(payer, books, method)
    first = threading.Thread(target=services.charge_submit, kwargs={"charge": charge})
    first.start()
    time.sleep(0.4)  # the first sending is at Stripe
    try:
        assert services.charge_submit(charge=charge).status == ChargeStatus.PENDING
    finally:
        first.join(timeout=60)
    charge.refresh_from_db()
    assert charge.status == ChargeStatus.SUCCEEDED
    intents = stripe_client.client().v1.payment_intents.list(
        params={"limit": 10}, options={"stripe_account": charge.stripe_account}
    )
    assert [intent.id for intent in intents.data] == [charge.stripe_payment_intent]
    assert all(total == 0 for total in ledger_totals().values())


def test_a_treasurer_saves_a_sepa_mandate_from_the_treasury(client, payer, books):
    treasurer = payer.memberships.get().user
    client.force_login(treasurer)
    url = f"/fr/organisations/{payer.slug}/treasury/payment-methods/"
    page = client.get(url)
    assert page.status_code == 200
    # The mandate is given to a host that takes debits on its own Stripe account.
    assert list(page.context["form"].fields["creditor"].queryset) == [books]
    form = {
        "creditor": books.pk,
        "holder_name": "Normandie Libre",
        "iban": "FR14 2004 1010 0505 0001 3M02 606",
        "email": "tresorerie@normandie-libre.example",
    }
    response = client.post(url, form)  # the mandate is not accepted
    assert "accept" in response.context["form"].errors
    response = client.post(
        url, {**form, "iban": "FR14 2004 1010 0505 0001 3M02 607", "accept": "on"}
    )
    assert "iban" in response.context["form"].errors
    assert not SavedPaymentMethod.objects.exists()
    assert client.post(url, {**form, "accept": "on"}).status_code == 302
    saved = SavedPaymentMethod.objects.get()
    assert saved.label == "SEPA FR •••• 2606"
    assert saved.customer.stripe_account == books.stripe_account.stripe_id
    assert "SEPA FR •••• 2606" in client.get(url).text
    client.force_login(MembershipFactory(organisation=payer, role=Role.MEMBER).user)
    assert client.get(url).status_code == 404


def test_a_refund_asked_while_stripe_is_down_waits_then_is_made_once(
    payer, books, settings, stripe_api
):
    """Probe of issue #17, point 6: the page said "sent" and the refund stayed pending for
    ever. It now says it waits, and the sweep asks Stripe again with the same key."""
    treasurer = MembershipFactory(organisation=books, role=Role.TREASURER).user
    method = saved_card(payer, books, VISA)
    charge = services.charge_submit(charge=_charge(payer, books, method, amount="50"))
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing answers there
    refund = services.refund_create(charge=charge, amount="20", actor=treasurer)
    assert refund.status == RefundStatus.PENDING
    assert services.refunds_submit_pending(older_than_seconds=0) == 1  # still down: waits
    refund.refresh_from_db()
    assert refund.status == RefundStatus.PENDING
    settings.STRIPE_API_BASE = stripe_api  # Stripe is back
    assert services.refunds_submit_pending(older_than_seconds=0) == 1
    assert services.refunds_submit_pending(older_than_seconds=0) == 0
    refund.refresh_from_db()
    charge.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and charge.refunded == 2000
    assert Transaction.objects.filter(kind=TransactionKind.REFUND).count() == 1
