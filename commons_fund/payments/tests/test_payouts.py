from datetime import timedelta

import pytest
from defusedxml import ElementTree as ET
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commons_fund.ledger.models import Transaction, TransactionKind
from commons_fund.ledger.selectors import account_balance
from commons_fund.ledger.services import account_get_or_create
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from commons_fund.payments import services
from commons_fund.payments.models import BankAccount, Payout, PayoutStatus

pytestmark = pytest.mark.django_db
NS = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03"}


def test_bank_accounts_are_checked(pool_host):
    organisation, treasurer = pool_host
    account = BankAccount.objects.get(organisation=organisation)
    assert (account.iban, account.bic) == ("FR1420041010050500013M02606", "PSSTFRPP")
    for iban, bic, field in (
        ("FR1420041010050500013M02607", "", "iban"),
        ("BR1500000000000010932840814P2", "", "iban"),
        ("FR1420041010050500013M02606", "XX", "bic"),
    ):
        with pytest.raises(ValidationError) as raised:
            services.bank_account_set(
                organisation=organisation, actor=treasurer, holder_name="X", iban=iban, bic=bic
            )
        assert field in raised.value.message_dict
    member = MembershipFactory(organisation=organisation, role=Role.MEMBER).user
    with pytest.raises(PermissionDenied):
        services.bank_account_set(
            organisation=organisation,
            actor=member,
            holder_name="X",
            iban="FR1420041010050500013M02606",
        )
    account.refresh_from_db()
    assert account.holder_name == "Ouvaton SA coop"


def test_payouts_are_exported_as_a_valid_sepa_file_then_posted_once(pool_host, winners):
    books, treasurer = pool_host
    payouts = [
        services.payout_create(
            books=books,
            beneficiary=winners[0],
            amount="437,75",
            description="Pot commun - tour 3",
            actor=treasurer,
        ),
        services.payout_create(
            books=books,
            beneficiary=winners[1],
            amount="437,75",
            description="Pot commun - tour 3",
            actor=treasurer,
        ),
    ]
    day = timezone.localdate() + timedelta(days=2)
    batch = services.payout_batch_export(
        books=books, payouts=payouts, actor=treasurer, execution_date=day
    )
    root = ET.fromstring(batch.xml.encode())
    assert root.find(".//p:GrpHdr/p:NbOfTxs", NS).text == "2"
    assert root.find(".//p:GrpHdr/p:CtrlSum", NS).text == "875.50"
    assert root.find(".//p:Dbtr/p:Nm", NS).text == "Ouvaton SA coop"
    assert root.find(".//p:DbtrAcct//p:IBAN", NS).text == "FR1420041010050500013M02606"
    creditors = [node.text for node in root.findall(".//p:CdtrAcct//p:IBAN", NS)]
    assert sorted(creditors) == ["DE89370400440532013000", "FR7630006000011234567890189"]
    assert root.find(".//p:ReqdExctnDt", NS).text == day.isoformat()
    assert batch.total == 87550
    assert set(Payout.objects.values_list("status", flat=True)) == {PayoutStatus.EXPORTED}

    with pytest.raises(ValidationError):  # already in a file
        services.payout_batch_export(
            books=books, payouts=payouts, actor=treasurer, execution_date=day
        )
    services.payout_batch_mark_paid(batch=batch, actor=treasurer, paid_on=timezone.localdate())
    services.payout_batch_mark_paid(batch=batch, actor=treasurer, paid_on=timezone.localdate())
    assert Transaction.objects.filter(kind=TransactionKind.PAYOUT).count() == 2
    bank = account_get_or_create(purpose="bank", organisation=books)
    assert account_balance(account=bank).posted == -87550
    assert set(Payout.objects.values_list("status", flat=True)) == {PayoutStatus.PAID}


def test_payout_refusals(pool_host, winners):
    books, treasurer = pool_host
    stranger = OrganisationFactory()
    with pytest.raises(ValidationError) as raised:
        services.payout_create(
            books=books, beneficiary=stranger, amount="10", description="x", actor=treasurer
        )
    assert "beneficiary" in raised.value.message_dict
    for amount in ("0", "-3", "abc", "1e3"):
        with pytest.raises(ValidationError):
            services.payout_create(
                books=books, beneficiary=winners[0], amount=amount, description="x", actor=treasurer
            )
    outsider = MembershipFactory(role=Role.TREASURER).user
    with pytest.raises(PermissionDenied):
        services.payout_create(
            books=books, beneficiary=winners[0], amount="10", description="x", actor=outsider
        )
    payout = services.payout_create(
        books=books, beneficiary=winners[0], amount="10", description="x", actor=treasurer
    )
    with pytest.raises(ValidationError):
        services.payout_batch_export(
            books=books,
            payouts=[payout],
            actor=treasurer,
            execution_date=timezone.localdate() - timedelta(days=1),
        )
    assert Payout.objects.get().status == PayoutStatus.PENDING
