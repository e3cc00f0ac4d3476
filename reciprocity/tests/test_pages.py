from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory, money_login
from projects.tests.factories import ProjectFactory
from reciprocity import selectors, services
from reciprocity.models import ContractState, ReciprocityContract, RevenueDeclaration
from tests.helpers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    partner = MembershipFactory(role=Role.ADMIN)
    host = MembershipFactory(role=Role.ADMIN)
    return {
        "partner": partner,
        "host": host,
        "project": ProjectFactory(host=host.organisation, name="Dokos", slug="dokos"),
    }


def test_a_partner_drafts_proposes_declares_corrects_and_pays_from_the_pages(client, people):
    partner = people["partner"]
    client.force_login(partner.user)
    new = reverse("reciprocity:contract_create")
    form = {
        "partner": partner.organisation.pk,
        "project": people["project"].pk,
        "rate": "4",
        "base": "CA HT des prestations Dokos",
        "period": "quarterly",
        "starts_on": "2026-01-01",
        "language": "fr",
        "show_amounts": "on",
    }
    response = client.post(new, {**form, "rate": "0"})
    assert response.status_code == 400 and "rate" in response.context["form"].errors
    assert 'id="id_rate_error"' in response.text
    response = client.post(new, {**form, "ends_on": "2025-06-01"})
    assert "ends_on" in response.context["form"].errors
    assert not ReciprocityContract.objects.exists()
    response = client.post(new, form)
    contract = ReciprocityContract.objects.get()
    assert response["Location"] == reverse(
        "reciprocity:contract_detail", kwargs={"pk": contract.pk}
    )
    page = client.get(response["Location"])
    assert page.context["can_propose"]
    client.post(reverse("reciprocity:contract_propose", kwargs={"pk": contract.pk}))
    contract.refresh_from_db()
    assert contract.state == ContractState.PROPOSED
    for user in (partner.user, people["host"].user):
        contract = services.contract_accept(
            contract=contract, actor=user, ip_address=None, pdf_sha256=contract.proposed_sha256
        )

    detail = reverse("reciprocity:contract_detail", kwargs={"pk": contract.pk})
    page = client.get(detail)
    assert page.context["declaration_form"] is not None and page.context["missing"]
    head = page.text.split("</title>")[0]
    assert contract.reference in head and "<section" not in head
    declare = reverse("reciprocity:declaration_create", kwargs={"pk": contract.pk})
    client.post(declare, {"period_start": "2026-01-01", "revenue": "-5"})
    assert not RevenueDeclaration.objects.exists()
    client.post(declare, {"period_start": "2026-01-01", "revenue": "10 000"})
    declaration = RevenueDeclaration.objects.get()
    assert declaration.due.amount == 400
    kwargs = {"pk": contract.pk, "declaration_pk": declaration.pk}
    client.post(reverse("reciprocity:declaration_correct", kwargs=kwargs), {"revenue": "7 500"})
    current = RevenueDeclaration.objects.exclude(status="superseded").get()
    assert current.due.amount == 300 and current.supersedes == declaration
    kwargs["declaration_pk"] = current.pk
    response = client.post(
        reverse("reciprocity:declaration_pay", kwargs=kwargs), {"method": "transfer"}, follow=True
    )
    current.refresh_from_db()
    assert current.charge.transfer_reference in response.text

    host_page = reverse(
        "reciprocity:organisation", kwargs={"slug": people["host"].organisation.slug}
    )
    client.force_login(people["host"].user)
    missing = client.get(host_page).context["sections"][1][2]
    assert [row.period_start for row in missing][:1] == [date(2026, 4, 1)]


def test_the_yearly_certificate(client, people):
    partner = people["partner"]
    contract = services.contract_create(
        partner=partner.organisation,
        project=people["project"],
        actor=partner.user,
        rate="10",
        base="CA HT",
        starts_on=date(2025, 1, 1),
        period="yearly",
    )
    contract = services.contract_propose(contract=contract, actor=partner.user)
    for user in (partner.user, people["host"].user):
        contract = services.contract_accept(
            contract=contract, actor=user, ip_address=None, pdf_sha256=contract.proposed_sha256
        )
    services.declaration_create(
        contract=contract, actor=partner.user, period_start=date(2025, 1, 1), revenue="12 345,60"
    )
    url = reverse(
        "reciprocity:certificate", kwargs={"slug": partner.organisation.slug, "year": 2025}
    )
    assert client.get(url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.force_login(partner.user)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "Attestation de réciprocité 2025",
        contract.reference,
        "Dokos",
        "12 345,60 €",
        "1 234,56 €",
    ):
        assert expected in text, expected


def _signed_contract(people, **extra):
    partner = people["partner"]
    contract = services.contract_create(
        partner=partner.organisation,
        project=people["project"],
        actor=partner.user,
        rate="10",
        base="CA HT",
        starts_on=date(2026, 1, 1),
        **extra,
    )
    contract = services.contract_propose(contract=contract, actor=partner.user)
    for user in (partner.user, people["host"].user):
        contract = services.contract_accept(
            contract=contract, actor=user, ip_address=None, pdf_sha256=contract.proposed_sha256
        )
    return contract


def test_suspend_resume_and_end_a_contract(client, people):
    contract = _signed_contract(people)
    url = reverse("reciprocity:contract_state", kwargs={"pk": contract.pk})
    client.force_login(people["partner"].user)
    client.post(url, {"state": "suspended"})  # only the host suspends
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    client.force_login(people["host"].user)
    client.post(url, {"state": "suspended"})
    contract.refresh_from_db()
    assert contract.state == ContractState.SUSPENDED
    client.post(url, {"state": "signed"})
    client.force_login(people["partner"].user)
    end = reverse("reciprocity:contract_terminate", kwargs={"pk": contract.pk})
    assert client.post(url, {"state": "terminated"})["Location"] == end  # asks first
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    money_login(client, people["partner"].user)
    client.post(end, {"confirm": "yes"})
    contract.refresh_from_db()
    assert contract.state == ContractState.TERMINATED and contract.ends_on
    # periods already ended are still declared
    services.declaration_create(
        contract=contract,
        actor=people["partner"].user,
        period_start=date(2026, 1, 1),
        revenue="100",
    )
    client.post(url, {"state": "signed"})
    contract.refresh_from_db()
    assert contract.state == ContractState.TERMINATED
    client.force_login(UserFactory())
    assert client.post(url, {"state": "suspended"}).status_code == 404


def test_a_treasurer_sets_the_one_percent_policy_from_the_page(client, people):
    treasurer = MembershipFactory(role=Role.TREASURER, organisation=people["host"].organisation)
    lqdn = MembershipFactory(role=Role.ADMIN).organisation
    url = reverse("reciprocity:policy_set", kwargs={"slug": treasurer.organisation.slug})
    client.force_login(treasurer.user)
    page = client.get(
        reverse("reciprocity:organisation", kwargs={"slug": treasurer.organisation.slug})
    )
    assert page.context["policy_form"] is not None
    client.post(url, {"year": "2027", "percent": "150", "organisations": [lqdn.pk]})
    assert not treasurer.organisation.revenue_share_policies.exists()
    client.post(
        url,
        {
            "year": "2027",
            "percent": "1",
            "base_revenue": "87 550",
            "organisations": [lqdn.pk],
            "projects": [people["project"].pk],
        },
    )
    policy = treasurer.organisation.revenue_share_policies.get()
    assert policy.beneficiaries.count() == 2
    wall = client.get("/fr/reciprocity/")
    assert "437,75" in wall.text.replace("\u202f", " ")
    member = MembershipFactory(role=Role.MEMBER, organisation=treasurer.organisation)
    client.force_login(member.user)
    page = client.get(
        reverse("reciprocity:organisation", kwargs={"slug": treasurer.organisation.slug})
    )
    assert page.context["policy_form"] is None


def test_the_page_offers_each_year_with_declarations(client, people):
    """Issue #22: /organisations/data-patch/reciprocity/ offered only last year's (empty)
    certificate; the useful one of this year was reachable only by editing the address."""
    contract = _signed_contract(people)  # from 1 January 2026, quarterly
    services.declaration_create(
        contract=contract,
        actor=people["partner"].user,
        period_start=date(2026, 1, 1),
        revenue="2 535,20",
    )
    client.force_login(people["partner"].user)
    page = client.get(
        reverse("reciprocity:organisation", kwargs={"slug": people["partner"].organisation.slug})
    ).text

    def certificate(year):
        return reverse(
            "reciprocity:certificate",
            kwargs={"slug": people["partner"].organisation.slug, "year": year},
        )

    assert certificate(2026) in page
    assert certificate(2025) not in page  # nothing was declared for it


def test_ending_a_contract_gives_three_months_notice_after_confirming(client, people):
    """Issue #22: "Mettre fin au contrat" ended it at once (1 → 2 January 2027), with no
    confirmation and no re-authentication, while its article 5 promises three months'
    notice."""
    contract = _signed_contract(people)
    partner = people["partner"].user
    end = reverse("reciprocity:contract_terminate", kwargs={"pk": contract.pk})
    client.force_login(partner)
    page = client.get(end)
    notice_end = services.termination_end(contract=contract, today=timezone.localdate())
    assert notice_end == services.contracts._months_later(timezone.localdate(), 3)
    assert page.status_code == 200 and date_format(notice_end, "DATE_FORMAT") in page.text
    response = client.post(end, {"confirm": "yes"})  # identity not confirmed a moment ago
    assert "reauthenticate" in response["Location"]
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    money_login(client, partner)
    client.post(end, {})  # without the confirmation: nothing
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNED
    client.post(end, {"confirm": "yes"})
    contract.refresh_from_db()
    assert (contract.state, contract.ends_on) == (ContractState.TERMINATED, notice_end)
    wall = selectors.reciprocity_wall(today=timezone.localdate())
    assert contract.partner in [row.partner for row in wall]  # still on it during the notice
    assert contract.partner not in [
        row.partner for row in selectors.reciprocity_wall(today=notice_end + timedelta(days=1))
    ]
    client.force_login(UserFactory())
    assert client.get(end).status_code == 404


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 1, 31), date(2026, 4, 30)),  # no 31 April: the month's last day
        (date(2026, 11, 30), date(2027, 2, 28)),
        (date(2027, 1, 2), date(2027, 4, 2)),
    ],
)
def test_the_notice_runs_three_calendar_months(people, today, expected):
    contract = _signed_contract(people)
    assert services.termination_end(contract=contract, today=today) == expected
    contract.ends_on = date(2026, 12, 31)  # a contract ending sooner ends at its own end
    assert services.termination_end(contract=contract, today=date(2026, 11, 30)) == date(
        2026, 12, 31
    )
