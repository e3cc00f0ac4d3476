from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    money_login,
)
from commons_fund.payments import services
from commons_fund.payments.models import BankAccount, Charge, ChargeStatus, PayoutStatus
from tests.helpers import one_use_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def books():
    return OrganisationFactory(slug="ouvaton")


@pytest.fixture
def treasurer(books, client):
    user = MembershipFactory(organisation=books, role=Role.TREASURER).user
    money_login(client, user)
    return user


def _transfer(books, amount="100"):
    return services.charge_create(
        payer=OrganisationFactory(),
        books=books,
        amount=amount,
        method="transfer",
        credit_purpose="contributions",
        description="Cotisation",
    )


@pytest.mark.parametrize("role", [None, Role.MEMBER])
def test_the_treasury_is_404_to_members_and_strangers(client, books, role):
    user = (
        MembershipFactory(organisation=books, role=role).user if role else MembershipFactory().user
    )
    client.force_login(user)
    charge = _transfer(books)
    for url in (
        "/fr/organisations/ouvaton/treasury/",
        "/fr/organisations/ouvaton/treasury/bank-account/",
        f"/fr/organisations/ouvaton/treasury/charges/{charge.pk}/receipt/",
    ):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            f"/fr/organisations/ouvaton/treasury/charges/{charge.pk}/receipt/",
            {"amount": "100", "received_on": "2026-11-01"},
        ).status_code
        == 404
    )
    charge.refresh_from_db()
    assert charge.amount_received == 0


def test_a_treasurer_sees_failed_and_waiting_payments(client, books, treasurer):
    waiting = _transfer(books)
    failed = _transfer(books, "30")
    Charge.objects.filter(pk=failed.pk).update(
        status=ChargeStatus.FAILED, failure_message="Carte refusée"
    )
    page = client.get("/fr/organisations/ouvaton/treasury/?status=failed")
    assert "Carte refusée" in page.text
    assert waiting.transfer_reference not in page.text
    page = client.get("/fr/organisations/ouvaton/treasury/?status=waiting")
    assert waiting.transfer_reference in page.text


def test_record_a_transfer_with_a_french_amount(client, books, treasurer):
    charge = _transfer(books)
    url = f"/fr/organisations/ouvaton/treasury/charges/{charge.pk}/receipt/"
    page = client.get(url)
    assert page.status_code == 200
    key = {"request_key": one_use_key(page)}
    response = client.post(url, {"amount": "1 000,5x", "received_on": "2026-11-02", **key})
    assert response.status_code == 400
    assert "amount" in response.context["form"].errors
    assert 'id="id_amount_error"' in response.text
    charge.refresh_from_db()
    assert charge.amount_received == 0
    response = client.post(url, {"amount": "60,00", "received_on": "2026-11-02", **key})
    assert response.status_code == 302
    charge.refresh_from_db()
    assert (charge.amount_received, charge.status) == (6000, ChargeStatus.PARTIALLY_RECEIVED)
    future = (timezone.localdate() + timedelta(days=3)).isoformat()
    key = {"request_key": one_use_key(client.get(url))}  # a new form: its own key
    response = client.post(url, {"amount": "40", "received_on": future, **key})
    assert response.status_code == 400
    assert "received_on" in response.context["form"].errors


def test_bank_account_form_and_payout_file(client, books, treasurer):
    url = "/fr/organisations/ouvaton/treasury/bank-account/"
    bad = {"holder_name": "Ouvaton", "iban": "FR14 2004 1010 0505 0001 3M02 607"}
    response = client.post(url, bad)
    assert response.status_code == 200
    assert "iban" in response.context["form"].errors
    assert not BankAccount.objects.exists()
    assert (
        client.post(
            url, {"holder_name": "Ouvaton", "iban": "FR14 2004 1010 0505 0001 3M02 606"}
        ).status_code
        == 302
    )
    winner = OrganisationFactory(name="Normandie Libre")
    admin = MembershipFactory(organisation=winner, role=Role.ADMIN).user
    services.bank_account_set(
        organisation=winner,
        actor=admin,
        holder_name="Normandie Libre",
        iban="DE89370400440532013000",
    )
    payout = services.payout_create(
        books=books, beneficiary=winner, amount="250", description="Tour 4", actor=treasurer
    )
    day = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        "/fr/organisations/ouvaton/treasury/payouts/export/",
        {"payouts": [payout.pk], "execution_date": day},
    )
    assert response.status_code == 302
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.EXPORTED
    download = client.get(f"/fr/organisations/ouvaton/treasury/payouts/files/{payout.batch_id}/")
    assert download["Content-Type"].startswith("application/xml")
    assert b"DE89370400440532013000" in download.content
    client.post(
        f"/fr/organisations/ouvaton/treasury/payouts/files/{payout.batch_id}/paid/",
        {"paid_on": timezone.localdate().isoformat()},
    )
    payout.refresh_from_db()
    assert payout.status == PayoutStatus.PAID


def test_treasury_query_count_does_not_grow(client, books, treasurer):
    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/fr/organisations/ouvaton/treasury/").status_code == 200
        return len(captured)

    _transfer(books)
    few = count()
    for _ in range(15):
        _transfer(books)
    assert count() == few
