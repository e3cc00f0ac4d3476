import hashlib
import time
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from commons_fund.members.models import LegalForm, Role
from commons_fund.members.tests.factories import (
    PASSWORD,
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from pledges.tests.factories import PoolMembershipFactory
from projects.tests.factories import ProjectFactory
from reciprocity import services
from reciprocity.models import ContractAcceptance, ContractState
from reciprocity.pdf import contract_pdf
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def parties():
    partner = OrganisationFactory(
        name="Octopuce",
        legal_form=LegalForm.COMPANY,
        siren="552100554",
        street_address="12 rue des Communs",
        postal_code="76000",
        city="Rouen",
        representative_name="Sacha Partenaire",
        representative_title="Gérant",
    )
    host = OrganisationFactory(
        name="Normandie Libre",
        legal_form=LegalForm.ASSOCIATION,
        siren="732829320",
        city="Caen",
        postal_code="14000",
        representative_name="Dominique Normand",
        representative_title="Présidente",
    )
    return {
        "partner_admin": MembershipFactory(organisation=partner, role=Role.ADMIN).user,
        "partner_member": MembershipFactory(organisation=partner, role=Role.MEMBER).user,
        "host_admin": MembershipFactory(organisation=host, role=Role.ADMIN).user,
        "host_treasurer": MembershipFactory(organisation=host, role=Role.TREASURER).user,
        "project": ProjectFactory(
            host=host,
            name="Bouquet normand",
            licence="GPL-3.0-or-later",
            website_url="https://bouquet.example.org/",
        ),
        "partner": partner,
    }


@pytest.fixture
def contract(parties):
    contract = services.contract_create(
        partner=parties["partner"],
        project=parties["project"],
        actor=parties["partner_admin"],
        rate="3,5",
        base="Chiffre d'affaires HT des installations du bouquet",
        starts_on=date(2026, 1, 1),
        floor="50",
        ceiling="2 000",
    )
    return services.contract_propose(contract=contract, actor=parties["partner_admin"])


def test_the_pdf_states_parties_terms_and_french_amounts(contract):
    assert contract.state == ContractState.PROPOSED
    pdf = bytes(contract.proposed_pdf)
    assert contract.proposed_sha256 == hashlib.sha256(pdf).hexdigest()
    text = pdf_text(pdf)
    for expected in (
        "Contrat de réciprocité",
        contract.reference,
        "Octopuce",
        "552100554",
        "12 rue des Communs, 76000 Rouen",
        "Sacha Partenaire, Gérant",
        "Normandie Libre",
        "732829320",
        "Bouquet normand",
        "GPL-3.0-or-later",
        "3,5 %",
        "chaque trimestre",
        "50,00 €",
        "2 000,00 €",
        "1er janvier 2026",  # issue #22: the first of a month is an ordinal
        "page 1 / ",
    ):
        assert expected in text, expected
    assert contract_pdf(contract=contract) == pdf  # the same contract, the same bytes


def test_the_english_version(parties):
    contract = services.contract_create(
        partner=parties["partner"],
        project=parties["project"],
        actor=parties["host_admin"],
        rate="5",
        base="Revenue excl. VAT from installations",
        starts_on=date(2026, 4, 1),
        language="en",
    )
    text = pdf_text(contract_pdf(contract=contract))
    assert "Reciprocity contract" in text and "1 April 2026" in text and "5 %" in text


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("partner_admin", 200),
        ("partner_member", 200),
        ("host_admin", 200),
        ("host_treasurer", 200),
        ("staff", 200),
        ("other_partner", 404),
        ("anonymous", 404),
        ("pool_member", 404),
    ],
)
def test_who_may_download_the_pdf(client, parties, contract, who, status):
    users = {
        **parties,
        "staff": UserFactory(is_staff=True),
        "other_partner": MembershipFactory(role=Role.ADMIN).user,
        "pool_member": PoolMembershipFactory().user,
    }
    if who != "anonymous":
        client.force_login(users[who])
    response = client.get(f"/reciprocity/contracts/{contract.pk}/pdf/")
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert hashlib.sha256(response.content).hexdigest() == contract.proposed_sha256
    page = client.get(reverse("reciprocity:contract_detail", kwargs={"pk": contract.pk}))
    assert page.status_code == (200 if status == 200 else 404 if who != "anonymous" else 302)


def _accept_with_fresh_authentication(client, user, accept_url, fingerprint):
    """Accepting asks the person to confirm their password first (allauth's
    re-authentication); allauth then resumes the acceptance."""
    client.force_login(user)
    response = client.post(accept_url, {"fingerprint": fingerprint})
    assert response.status_code == 302 and "reauthenticate" in response["Location"]
    assert client.post(response["Location"], {"password": PASSWORD}).status_code == 302
    if not ContractAcceptance.objects.filter(user=user).exists():  # not resumed: post again
        client.post(accept_url, {"fingerprint": fingerprint})


def test_signing_records_the_hash_of_the_bytes_served(client, parties, contract):
    accept = reverse("reciprocity:contract_accept", kwargs={"pk": contract.pk})
    client.force_login(parties["partner_admin"])
    served = client.get(f"/reciprocity/contracts/{contract.pk}/pdf/").content
    fingerprint = hashlib.sha256(served).hexdigest()
    _accept_with_fresh_authentication(client, parties["partner_admin"], accept, "0" * 64)
    assert not ContractAcceptance.objects.exists()  # not the document proposed
    client.post(accept, {"fingerprint": fingerprint})  # still freshly authenticated
    acceptance = ContractAcceptance.objects.get()
    assert (acceptance.party, acceptance.user, acceptance.pdf_sha256) == (
        "partner",
        parties["partner_admin"],
        fingerprint,
    )
    assert acceptance.ip_address == "127.0.0.1"

    _accept_with_fresh_authentication(client, parties["host_admin"], accept, fingerprint)
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED and contract.signed_at
    signed = client.get(f"/reciprocity/contracts/{contract.pk}/pdf/").content
    assert hashlib.sha256(signed).hexdigest() == contract.signed_sha256
    text = pdf_text(signed)
    assert parties["host_admin"].display_name in text and fingerprint in text.replace("\n", "")
    assert client.get(f"/reciprocity/contracts/{contract.pk}/pdf/").content == signed


def test_only_a_partys_administrator_accepts_once(parties, contract):
    fingerprint = contract.proposed_sha256
    for user in (parties["partner_member"], parties["host_treasurer"], UserFactory(is_staff=True)):
        with pytest.raises(PermissionDenied):
            services.contract_accept(
                contract=contract, actor=user, pdf_sha256=fingerprint, ip_address=None
            )
    services.contract_accept(
        contract=contract, actor=parties["partner_admin"], pdf_sha256=fingerprint, ip_address=None
    )
    with pytest.raises(ValidationError):
        services.contract_accept(
            contract=contract,
            actor=parties["partner_admin"],
            pdf_sha256=fingerprint,
            ip_address=None,
        )
    assert ContractAcceptance.objects.count() == 1


def test_two_hundred_contracts_are_made_quickly(parties, capsys):
    contract = services.contract_create(
        partner=parties["partner"],
        project=parties["project"],
        actor=parties["host_admin"],
        rate="2",
        base="CA HT",
        starts_on=date(2026, 1, 1),
    )
    started = time.perf_counter()
    sizes = [len(contract_pdf(contract=contract)) for _ in range(200)]
    elapsed = time.perf_counter() - started
    with capsys.disabled():
        print(f"\n200 contract PDFs in {elapsed:.2f} s ({elapsed / 200 * 1000:.1f} ms each)")
    assert len(set(sizes)) == 1 and sizes[0] > 10_000
