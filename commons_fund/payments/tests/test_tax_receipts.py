"""#20: tax receipts (reçus fiscaux, CERFA 11580): an eligible association states why; once a
year is over, each donor gets one receipt for the year's gifts — numbered without gaps, never
for what is not a gift — read back from its PDF, emailed once."""

from datetime import date

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commons_fund.members.models import LegalForm, Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from commons_fund.payments import services
from commons_fund.payments.models import TaxReceipt
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db

POLICY = {
    "basis": "general_interest",
    "reason": "Rescrit fiscal n° 2024-0042 du 3 mai 2024",
    "purpose": "Développer et diffuser des communs numériques en Normandie",
    "signatory_name": "Camille Martin",
    "signatory_title": "trésorière",
}


@pytest.fixture
def association():
    association = OrganisationFactory(name="Normandie Libre", legal_form=LegalForm.ASSOCIATION)
    treasurer = MembershipFactory(organisation=association, role=Role.TREASURER).user
    services.tax_receipt_policy_set(organisation=association, actor=treasurer, **POLICY)
    association.treasurer = treasurer
    return association


def _paid(association, payer, amount, on, purpose="donations"):
    charge = services.charge_create(
        payer=payer,
        books=association,
        amount=amount,
        method="transfer",
        credit_purpose=purpose,
        description="Don" if purpose == "donations" else "Fonds commun, tour 3",
    )
    services.transfer_record_receipt(
        charge=charge, amount=amount, received_on=on, actor=association.treasurer
    )
    return charge


def test_each_donor_gets_one_receipt_for_the_year_numbered_without_gaps(association):
    camille = UserFactory(
        first_name="Camille",
        last_name="Roux",
        street_address="12 rue des Tanneurs",
        postal_code="14000",
        city="Caen",
    )
    dominique = UserFactory()
    company = OrganisationFactory(name="Octopuce SARL", legal_form=LegalForm.COMPANY)
    _paid(association, camille, "150", date(2025, 3, 2))
    _paid(association, camille, "250", date(2025, 11, 5), purpose="contributions")  # a pledge
    _paid(association, dominique, "80", date(2025, 6, 1))
    _paid(association, company, "1 234,50", date(2025, 9, 9))
    _paid(association, dominique, "500", date(2025, 7, 1), purpose="receivable")  # not a gift
    _paid(association, dominique, "60", date(2026, 1, 3))  # next year's

    issued = services.tax_receipts_issue(
        organisation=association, year=2025, actor=association.treasurer, today=date(2026, 1, 20)
    )
    assert sorted(r.number for r in issued) == [1, 2, 3]
    by_donor = {r.donor: r for r in issued}
    assert by_donor[camille].amount == 40000
    assert by_donor[dominique].amount == 8000  # the reciprocity due is not counted
    assert by_donor[company].amount == 123450

    text = pdf_text(bytes(by_donor[camille].pdf))
    for shown in (
        "Reçu au titre des dons",
        "CERFA n° 11580",
        f"2025-{by_donor[camille].number:05d}",
        "Normandie Libre",
        "Camille Roux",
        "12 rue des Tanneurs, 14000 Caen",  # the CERFA names the donor's address
        "400,00 €",
        "quatre cents euros",
        "du 2 mars 2025 au 5 novembre 2025",
        "☒ Œuvre ou organisme d’intérêt général",
        "Rescrit fiscal n° 2024-0042",
        "☒ 200 du CGI",
        "☐ 238 bis du CGI",
        "☒ déclaration de don manuel",
        "☒ virement, prélèvement, carte bancaire",
        "Camille Martin, trésorière",
    ):
        assert shown in text, shown
    assert "Adresse postale non communiquée" in pdf_text(bytes(by_donor[dominique].pdf))
    company_text = pdf_text(bytes(by_donor[company].pdf))
    assert "☒ 238 bis du CGI" in company_text and "☐ 200 du CGI" in company_text
    assert "mille deux cent trente-quatre euros et cinquante centimes" in company_text

    _paid(association, UserFactory(), "20", date(2025, 12, 30))  # a transfer recorded late
    again = services.tax_receipts_issue(
        organisation=association, year=2025, actor=association.treasurer, today=date(2026, 2, 1)
    )
    assert [r.number for r in again] == [4]  # only the new donor, next number
    assert by_donor[camille].sha256 == TaxReceipt.objects.get(pk=by_donor[camille].pk).sha256


def test_bad_requests_change_nothing(association):
    _paid(association, UserFactory(), "10", date(2025, 3, 2))
    with pytest.raises(ValidationError, match="2026"):  # the year is not over
        services.tax_receipts_issue(
            organisation=association, year=2026, actor=association.treasurer, today=date(2026, 5, 1)
        )
    with pytest.raises(PermissionDenied):
        services.tax_receipts_issue(
            organisation=association, year=2025, actor=UserFactory(), today=date(2026, 5, 1)
        )
    company = OrganisationFactory(legal_form=LegalForm.COMPANY)
    admin = MembershipFactory(organisation=company, role=Role.ADMIN).user
    with pytest.raises(ValidationError):  # a company does not issue tax receipts
        services.tax_receipt_policy_set(organisation=company, actor=admin, **POLICY)
    with pytest.raises(ValidationError):  # nor does one that has not said why
        services.tax_receipts_issue(organisation=company, year=2025, today=date(2026, 5, 1))
    assert not TaxReceipt.objects.exists()


def test_the_daily_sweep_issues_from_mid_january_and_emails_each_receipt_once(association):
    person = UserFactory()
    _paid(association, person, "45", date(2025, 4, 4))
    assert services.tax_receipts_issue_due(today=date(2026, 1, 10)) == 0
    assert services.tax_receipts_issue_due(today=date(2026, 1, 15)) == 1
    assert services.tax_receipts_issue_due(today=date(2026, 1, 16)) == 0
    receipt = TaxReceipt.objects.get()
    assert services.tax_receipt_email_send(receipt=receipt) == 1
    assert services.tax_receipt_email_send(receipt=receipt) == 0  # a task delivered twice
    (message,) = mail.outbox
    assert message.to == [person.email] and "2025" in message.subject
    ((name, pdf, mimetype),) = message.attachments
    assert (name, mimetype) == (f"recu-fiscal-{receipt.reference}.pdf", "application/pdf")
    assert "quarante-cinq euros" in pdf_text(pdf)


def test_donors_and_treasurers_read_them_and_no_one_else(client, association):
    person = UserFactory()
    _paid(association, person, "45", date(2025, 4, 4))
    (receipt,) = services.tax_receipts_issue(
        organisation=association, year=2025, today=date(2026, 1, 20)
    )
    url = reverse("payments:tax_receipt_pdf", kwargs={"pk": receipt.pk})
    client.force_login(person)
    assert url in client.get(reverse("payments:my_payments")).text
    assert client.get(url)["Content-Type"] == "application/pdf"
    client.force_login(association.treasurer)
    page = client.get(reverse("payments:tax_receipts", kwargs={"slug": association.slug}))
    assert receipt.reference in page.text
    assert client.get(url).status_code == 200
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_the_page_refuses_bad_input_next_to_the_field(client, association):
    client.force_login(association.treasurer)
    url = reverse("payments:tax_receipts", kwargs={"slug": association.slug})
    response = client.post(url, {"action": "policy", **POLICY, "signatory_name": ""})
    assert response.status_code == 400
    assert "signatory_name" in response.context["policy_form"].errors
    response = client.post(url, {"action": "issue", "year": "2999"})
    assert response.status_code == 400 and "year" in response.context["issue_form"].errors
    response = client.post(url, {"action": "issue", "year": "deux mille"})
    assert response.status_code == 400 and "year" in response.context["issue_form"].errors
    assert not TaxReceipt.objects.exists()
