"""#20: every paid charge has a PDF receipt (payer, payee, amount, date, purpose, reference),
and "My payments" lists what a person and the organisations whose money they keep paid."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from commons_fund.payments import services as payments
from commons_fund.payments.models import ChargeStatus
from reciprocity import services as reciprocity
from reciprocity.tests.factories import signed_declaration
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


def _transfer_charge():
    declaration = signed_declaration()
    paying = reciprocity.declaration_pay(
        declaration=declaration, actor=declaration.partner_admin, method="transfer"
    )
    paying.partner_admin, paying.host_admin = declaration.partner_admin, declaration.host_admin
    return paying


def test_a_paid_charge_has_a_receipt_its_payer_and_payee_can_read(client):
    declaration = _transfer_charge()
    charge, payer, payee = declaration.charge, declaration.partner_admin, declaration.host_admin
    receipt = reverse("payments:payment_receipt", kwargs={"pk": charge.pk})
    client.force_login(payer)
    page = client.get(reverse("payments:my_payments"))
    assert charge.description in page.text and "En attente du virement" in page.text
    assert receipt not in page.text
    assert client.get(receipt).status_code == 404  # not paid yet: no receipt

    payments.transfer_record_receipt(
        charge=charge, amount="400", received_on=date(2026, 3, 2), actor=payee
    )
    charge.refresh_from_db()
    assert (charge.status, charge.paid_on) == (ChargeStatus.SUCCEEDED, date(2026, 3, 2))
    assert receipt in client.get(reverse("payments:my_payments")).text
    response = client.get(receipt)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for shown in (
        "Reçu de paiement",
        f"CF-2026-{charge.pk:07d}",
        declaration.contract.partner.name,  # who paid
        declaration.contract.project.host.name,  # who received
        "400,00 €",
        "2 mars 2026",
        "Virement bancaire",
        charge.transfer_reference,
        "pas un reçu fiscal",
    ):
        assert shown in text, shown

    client.force_login(payee)  # the receiving organisation's administrator
    assert client.get(receipt).status_code == 200
    with translation.override("en"):
        english = reverse("payments:payment_receipt", kwargs={"pk": charge.pk})
    assert "Payment receipt" in pdf_text(client.get(english).content)


@pytest.mark.parametrize("who", ["stranger", "member", "anonymous"])
def test_no_one_else_reads_a_receipt(client, who):
    declaration = _transfer_charge()
    charge = declaration.charge
    payments.transfer_record_receipt(
        charge=charge, amount="400", received_on=date(2026, 3, 2), actor=declaration.host_admin
    )
    if who == "stranger":
        client.force_login(UserFactory())
    elif who == "member":  # of the paying organisation, without a money role
        client.force_login(
            MembershipFactory(organisation=declaration.contract.partner, role=Role.MEMBER).user
        )
    response = client.get(reverse("payments:payment_receipt", kwargs={"pk": charge.pk}))
    assert response.status_code == (302 if who == "anonymous" else 404)
    if who != "anonymous":
        assert charge.description not in client.get(reverse("payments:my_payments")).text


def test_my_payments_costs_the_same_queries_whatever_the_number_of_payments(client):
    first = _transfer_charge()
    admin = first.partner_admin
    client.force_login(admin)
    url = reverse("payments:my_payments")
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(6):  # more charges for the same partner organisation
        more = _transfer_charge()
        MembershipFactory(organisation=more.contract.partner, user=admin, role=Role.TREASURER)
    with CaptureQueriesContext(connection) as seven:
        page = client.get(url)
    assert len(page.context["page"].object_list) == 7
    assert len(seven) == len(one)
