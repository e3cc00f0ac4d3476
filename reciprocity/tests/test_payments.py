"""Paying what a declaration makes due, against the local Stripe stand-in: the money goes to
the commons' accounts and settles the amount due."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commons_fund.ledger.selectors import account_balance, ledger_totals
from commons_fund.payments import services as payments
from commons_fund.payments.tests.factories import BankAccountFactory, saved_card
from projects.services import project_account
from reciprocity import services
from reciprocity.models import DeclarationStatus

from .factories import signed_declaration

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]


@pytest.fixture
def declaration():
    return signed_declaration()


def _balance(project, purpose):
    return account_balance(account=project_account(project=project, purpose=purpose))


def test_paid_by_card_settles_the_due_in_the_commons_accounts(declaration):
    project = declaration.contract.project
    card = saved_card(declaration.contract.partner, project.host)
    paid = services.declaration_pay(
        declaration=declaration, actor=declaration.partner_admin, method="card", saved_method=card
    )
    assert paid.status == DeclarationStatus.PAID
    assert _balance(project, "receivable").posted == 0  # 400 € due, then settled
    assert _balance(project, "reciprocity").posted == -40000
    assert _balance(project, "to_collect").posted == 40000 - paid.charge.fee
    assert all(total == 0 for total in ledger_totals().values())
    with pytest.raises(ValidationError):
        services.declaration_pay(
            declaration=paid, actor=declaration.partner_admin, method="transfer"
        )


def test_paid_by_transfer_once_the_host_records_it(declaration):
    project, partner_admin, host_admin = (
        declaration.contract.project,
        declaration.partner_admin,
        declaration.host_admin,
    )
    declaration = services.declaration_pay(
        declaration=declaration, actor=partner_admin, method="transfer"
    )
    assert declaration.status == DeclarationStatus.DUE
    assert declaration.charge.transfer_reference
    with pytest.raises(ValidationError):  # one payment at a time
        services.declaration_pay(declaration=declaration, actor=partner_admin, method="transfer")
    payments.transfer_record_receipt(
        charge=declaration.charge, amount="400", received_on=timezone.localdate(), actor=host_admin
    )
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.PAID  # at once (charge_settled)
    assert services.declarations_follow_charges() == 0  # nothing left for the sweep
    assert _balance(project, "bank").posted == 40000
    assert _balance(project, "receivable").posted == 0


def test_the_partner_is_told_where_to_send_the_transfer(declaration, client):
    """#20: "faites un virement de 253,52 € avec la référence …" and no IBAN, BIC or
    beneficiary."""
    partner_admin, host_admin = declaration.partner_admin, declaration.host_admin
    contract_url = f"/fr/reciprocity/contracts/{declaration.contract.pk}/"
    declaration = services.declaration_pay(
        declaration=declaration, actor=partner_admin, method="transfer"
    )
    client.force_login(partner_admin)
    page = client.get(contract_url).text
    assert re.search(r"pas encore donné ses coordonnées bancaires|not given its bank details", page)

    BankAccountFactory(
        organisation=declaration.charge.books,
        holder_name="Tiers-lieu Movilab",
        updated_by=host_admin,
    )
    page = client.get(contract_url).text.replace("\u202f", " ").replace("\xa0", " ")
    for shown in (
        "Tiers-lieu Movilab",
        "FR76 3000 6000 0112 3456 7890 189",
        "AGRIFRPP",
        declaration.charge.transfer_reference,
        "400,00 €",
    ):
        assert shown in page, shown


def test_after_part_of_a_transfer_the_partner_is_asked_for_the_rest_only(declaration, client):
    """Instructions (and their QR code) asked for the whole amount again after a partial
    receipt: following them would pay twice."""
    partner_admin, host_admin = declaration.partner_admin, declaration.host_admin
    declaration = services.declaration_pay(
        declaration=declaration, actor=partner_admin, method="transfer"
    )
    BankAccountFactory(
        organisation=declaration.charge.books,
        holder_name="Tiers-lieu Movilab",
        bic="",
        updated_by=host_admin,
    )
    payments.transfer_record_receipt(
        charge=declaration.charge, amount="150", received_on=timezone.localdate(), actor=host_admin
    )
    client.force_login(partner_admin)
    page = client.get(f"/fr/reciprocity/contracts/{declaration.contract.pk}/").text
    page = page.replace("\u202f", " ").replace("\xa0", " ")
    instructions = page.split("Virement à faire")[1].split("</figure>")[0]
    assert "250,00 €" in instructions and "400,00 €" not in instructions
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'class="epc-qr"' in page
