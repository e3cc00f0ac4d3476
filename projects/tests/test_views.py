from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commons_fund.ledger.models import Transaction
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory, money_login
from projects import contributions, services
from projects.models import (
    BudgetLine,
    Contribution,
    ContributorPayment,
    FundingSource,
    Project,
    SourceStatus,
    Step,
    StepStatus,
)
from tests.helpers import one_use_key

from .factories import BudgetLineFactory, ProjectFactory, StepFactory

pytestmark = pytest.mark.django_db
DAY = date(2026, 10, 5)


@pytest.fixture
def project(admin):
    project = ProjectFactory(host=admin.organisation, slug="dokos", name="Dokos")
    step = StepFactory(project=project, position=1, title="Facturation")
    BudgetLineFactory(step=step, lump_sum="8000")
    return project


def _url(name, project, **kwargs):
    return reverse(f"projects:{name}", kwargs={"slug": project.slug, **kwargs})


def _client(client, user):
    """Logged in, with the second factor and a fresh confirmation money pages ask for."""
    return money_login(client, user)


def test_the_list_filters_by_kind_status_licence_and_territory(client):
    ProjectFactory(
        name="Movilab", kind="documentation", licence="CC-BY-SA-4.0", regions=[], departments=[]
    )
    ProjectFactory(name="Bouquet normand", kind="bundle", regions=["28"], status="active")
    ProjectFactory(name="Rouen", kind="third_place", departments=["76"])
    ProjectFactory(name="Rennes", kind="data", departments=["35"])

    def names(**query):
        response = client.get(reverse("projects:project_list"), query)
        assert response.status_code == 200
        return [project.name for project in response.context["page"].object_list]

    assert names() == ["Bouquet normand", "Movilab", "Rennes", "Rouen"]
    assert names(kind="documentation") == ["Movilab"]
    assert names(status="active") == ["Bouquet normand"]
    assert names(licence="CC-BY-SA-4.0") == ["Movilab"]
    assert names(territory="national") == ["Movilab"]
    assert names(territory="region:28") == ["Bouquet normand", "Rouen"]
    assert names(territory="department:76") == ["Bouquet normand", "Rouen"]
    assert names(territory="department:35") == ["Rennes"]
    assert names(territory="region:99", kind="pirate") == names()  # unknown: ignored


def test_list_and_detail_queries_do_not_grow(client, project, admin):
    def count(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    contributions.contribution_log(
        project=project,
        actor=admin.user,
        contributor=admin.user,
        day=DAY,
        hours="1",
        rate="40",
        description="x",
    )
    list_url, detail_url = reverse("projects:project_list"), project.get_absolute_url()
    few = (count(list_url), count(detail_url))
    for number in range(6):
        ProjectFactory()
        step = StepFactory(project=project, position=number + 2)
        BudgetLineFactory(step=step)
        services.funding_source_add(
            project=project,
            actor=admin.user,
            step=step,
            kind="subsidy",
            funder_name="ANCT",
            amount="100",
        )
        contributions.contribution_log(
            project=project,
            actor=admin.user,
            step=step,
            contributor=UserFactory(),
            day=DAY,
            hours="1",
            rate="40",
            description="x",
        )
    assert (count(list_url), count(detail_url)) == few


def test_the_public_page_shows_the_plan_and_no_management_links(client, project, admin):
    step = project.steps.get()
    source = services.funding_source_add(
        project=project,
        actor=admin.user,
        step=step,
        kind="subsidy",
        funder_name="ADEME",
        amount="6000",
    )
    services.funding_source_decide(source=source, actor=admin.user, granted=True, decided_on=DAY)
    response = client.get(project.get_absolute_url())
    assert response.status_code == 200
    plan = response.context["plan"]
    assert (plan.minimum, plan.granted, plan.gap_to_minimum) == (
        Decimal("8000.00"),
        Decimal("6000.00"),
        Decimal("2000.00"),
    )
    assert plan.granted_extra_share == 75
    assert plan.minimum_mark is None  # no optional line: the minimum is the bar's end
    services.budget_line_add(
        step=step,
        actor=admin.user,
        kind="other",
        label="Traduction",
        lump_sum="2 000",
        required=False,
    )
    plan = client.get(project.get_absolute_url()).context["plan"]
    assert (plan.optimum, plan.minimum_mark, plan.granted_extra_share) == (
        Decimal("10000.00"),
        80,
        60,
    )
    assert "ADEME" in response.text
    assert 'class="progress"' in response.text
    assert _url("project_edit", project) not in response.text
    assert _url("source_receive", project, pk=source.pk) not in response.text


MANAGER_PAGES = [
    ("project_edit", {}),
    ("step_create", {}),
    ("step_edit", {"position": 1}),
    ("step_revise", {"position": 1}),
    ("source_create", {}),
    ("contribution_create", {}),
]
TREASURER_PAGES = [("contributor_payment", {})]


@pytest.mark.parametrize(("name", "kwargs"), MANAGER_PAGES + TREASURER_PAGES)
def test_management_pages_answer_404_to_outsiders(client, project, name, kwargs):
    assert client.get(_url(name, project, **kwargs)).status_code == 302  # log in first
    _client(client, MembershipFactory(organisation=project.host, role=Role.MEMBER).user)
    assert client.get(_url(name, project, **kwargs)).status_code == 404


@pytest.mark.parametrize(("name", "kwargs"), MANAGER_PAGES)
def test_maintainers_and_host_admins_edit(client, project, admin, name, kwargs):
    maintainer = UserFactory()
    project.maintainers.add(maintainer)
    for person in (maintainer, admin.user):
        assert _client(client, person).get(_url(name, project, **kwargs)).status_code == 200


def test_only_the_hosts_treasurer_pays_and_receives(client, project, admin):
    maintainer = UserFactory()
    project.maintainers.add(maintainer)
    source = services.funding_source_add(
        project=project, actor=admin.user, kind="seed", funder_name="Acteurs", amount="2000"
    )
    services.funding_source_decide(source=source, actor=admin.user, granted=True, decided_on=DAY)
    _client(client, maintainer)
    assert client.get(_url("contributor_payment", project)).status_code == 404
    assert client.get(_url("source_receive", project, pk=source.pk)).status_code == 404
    treasurer = MembershipFactory(organisation=project.host, role=Role.TREASURER).user
    _client(client, treasurer)
    response = client.post(
        _url("source_receive", project, pk=source.pk), {"received_on": "2026-10-06"}
    )
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.status == SourceStatus.RECEIVED


def test_presenting_a_commons(client, admin):
    _client(client, admin.user)
    response = client.post(
        reverse("projects:project_create"),
        {
            "host": admin.organisation.pk,
            "name": "Cahier d'activités des tiers-lieux",
            "summary": "Un cahier",
            "kind": "documentation",
            "licence": "CC-BY-SA-4.0",
            "status": "co_financing",
            "regions": ["28", "53"],
        },
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == project.get_manage_url()  # back to the workspace
    assert project.slug == "cahier-dactivites-des-tiers-lieux"
    assert list(project.maintainers.all()) == [admin.user]
    assert project.regions == ["28", "53"]


def test_presenting_needs_an_organisation_one_administers(user_client, admin):
    response = user_client.get(reverse("projects:project_create"))
    assert response.context["has_hosts"] is False
    assert reverse("members:organisation_create") in response.text
    response = user_client.post(
        reverse("projects:project_create"),
        {
            "host": admin.organisation.pk,
            "name": "X",
            "summary": "x",
            "kind": "software",
            "licence": "MIT",
            "status": "idea",
        },
    )
    assert response.status_code == 400
    assert "host" in response.context["form"].errors
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"licence": "Proprietary"}, "licence"),
        ({"name": ""}, "name"),
        ({"kind": "pirate"}, "kind"),
        ({"regions": ["99"]}, "regions"),
        ({"repository_url": "not a url"}, "repository_url"),
    ],
)
def test_bad_project_input_is_shown_next_to_the_field(client, admin, data, field):
    _client(client, admin.user)
    response = client.post(
        reverse("projects:project_create"),
        {
            "host": admin.organisation.pk,
            "name": "Dokos",
            "summary": "x",
            "kind": "software",
            "licence": "MIT",
            "status": "idea",
            **data,
        },
    )
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.text
    assert not Project.objects.exists()


def test_steps_and_budget_lines_from_the_pages(client, project, admin):
    _client(client, admin.user)
    response = client.post(
        _url("step_create", project),
        {
            "title": "Documentation",
            "planned_start": "2026-11-01",
            "planned_end": "2026-10-01",
        },
    )
    assert response.status_code == 400
    assert "planned_end" in response.context["form"].errors
    assert project.steps.count() == 1

    response = client.post(_url("step_create", project), {"title": "Documentation"})
    assert response["Location"] == _url("step_edit", project, position=2)
    line = {
        "kind": "coordination",
        "label": "Animation",
        "hours": "-3",
        "hourly_rate": "40",
        "vat_rate": "20",
        "required": "on",
    }
    response = client.post(_url("line_add", project, position=2), line)
    assert response.status_code == 400
    assert "hours" in response.context["line_form"].errors
    assert 'id="id_hours_error"' in response.text
    response = client.post(
        _url("line_add", project, position=2), {**line, "hourly_rate": "0", "hours": "3"}
    )
    assert "hourly_rate" in response.context["line_form"].errors
    response = client.post(
        _url("line_add", project, position=2),
        {**line, "hours": "", "hourly_rate": "", "lump_sum": "10^12"},
    )
    assert "lump_sum" in response.context["line_form"].errors
    assert not BudgetLine.objects.filter(step__position=2).exists()
    response = client.post(_url("line_add", project, position=2), {**line, "hours": "10"})
    assert response.status_code == 302
    page = client.get(_url("step_edit", project, position=2))
    assert "400,00" in page.text


def test_a_funded_step_is_revised_and_keeps_its_history(client, project, admin):
    step = project.steps.get()
    _client(client, admin.user)
    for status in (StepStatus.OPEN, StepStatus.FUNDED):
        client.post(_url("step_status", project, position=1), {"status": status})
    step.refresh_from_db()
    assert step.status == StepStatus.FUNDED
    response = client.post(
        _url("line_add", project, position=1),
        {"kind": "other", "label": "Serveur", "lump_sum": "500", "vat_rate": "20"},
    )
    assert response.status_code == 400
    assert not BudgetLine.objects.filter(label="Serveur").exists()
    response = client.post(
        _url("step_revise", project, position=1),
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "1",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-kind": "development",
            "form-0-label": "Développement",
            "form-0-lump_sum": "9000",
            "form-0-vat_rate": "20",
            "form-0-required": "on",
            "form-1-kind": "other",
            "form-1-label": "Serveur",
            "form-1-lump_sum": "500",
            "form-1-vat_rate": "20",
        },
    )
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.budget_revision == 2
    assert BudgetLine.objects.filter(step=step, revision=1).count() == 1
    assert BudgetLine.objects.filter(step=step, revision=2).count() == 2
    response = client.post(_url("step_status", project, position=1), {"status": "draft"})
    assert response.status_code == 302
    step.refresh_from_db()
    assert step.status == StepStatus.FUNDED


def test_funding_sources_and_hours_from_the_pages(client, project, admin):
    _client(client, admin.user)
    step = project.steps.get()
    response = client.post(
        _url("source_create", project),
        {"kind": "subsidy", "funder_name": "ADEME", "amount": "1 000 000 000 000", "step": step.pk},
    )
    assert "amount" in response.context["form"].errors
    assert not FundingSource.objects.exists()
    client.post(
        _url("source_create", project),
        {"kind": "subsidy", "funder_name": "ADEME", "amount": "12 000", "step": step.pk},
    )
    source = FundingSource.objects.get()
    client.post(
        _url("source_decide", project, pk=source.pk), {"granted": "yes", "decided_on": "2026-10-01"}
    )
    source.refresh_from_db()
    assert source.status == SourceStatus.GRANTED

    contributor = UserFactory()
    hours = {
        "contributor": contributor.email,
        "step": step.pk,
        "day": "2026-10-02",
        "hours": "4",
        "rate": "40",
        "description": "Tests",
        "request_key": one_use_key(client.get(_url("contribution_create", project))),
    }
    for bad, field in (
        ({"rate": "0"}, "rate"),
        ({"hours": "-1"}, "hours"),
        ({"contributor": "nobody@example.org"}, "contributor"),
        ({"day": "2099-01-01"}, "day"),
    ):
        response = client.post(_url("contribution_create", project), {**hours, **bad})
        assert response.status_code == 400
        assert field in response.context["form"].errors, bad
    assert not Contribution.objects.exists()
    assert client.post(_url("contribution_create", project), hours).status_code == 302
    assert Contribution.objects.get().value.amount == Decimal("160.00")


def test_paying_a_contributor_twice_from_the_same_form_pays_once(client, project, admin):
    contributor = UserFactory()
    contributions.contribution_log(
        project=project,
        actor=admin.user,
        contributor=contributor,
        day=DAY,
        hours="5",
        rate="40",
        description="Doc",
    )
    source = services.funding_source_add(
        project=project, actor=admin.user, kind="seed", funder_name="Acteurs", amount="150"
    )
    services.funding_source_decide(source=source, actor=admin.user, granted=True, decided_on=DAY)
    services.funding_source_receive(source=source, actor=admin.user, received_on=DAY)
    _client(client, admin.user)
    form = client.get(_url("contributor_payment", project)).context["form"]
    key = form.initial["request_key"]
    payment = {
        "contributor": contributor.pk,
        "amount": "160",
        "paid_on": "2026-10-06",
        "request_key": key,
    }
    transactions = Transaction.objects.count()
    response = client.post(_url("contributor_payment", project), payment)
    assert response.status_code == 400  # more than the account holds (150 €)
    assert "amount" in response.context["form"].errors
    assert (ContributorPayment.objects.count(), Transaction.objects.count()) == (0, transactions)
    payment["amount"] = "100"
    for _attempt in range(2):
        assert client.post(_url("contributor_payment", project), payment).status_code == 302
    assert ContributorPayment.objects.count() == 1
    assert Transaction.objects.count() == transactions + 1


def test_removing_a_line_of_a_draft_step(client, project, admin):
    line = BudgetLine.objects.get()
    _client(client, admin.user)
    client.post(_url("line_remove", project, position=1, pk=line.pk))
    assert not BudgetLine.objects.exists()
    assert Step.objects.count() == 1


def test_the_contributive_debt_is_listed_by_pages_largest_first(client, project, admin):
    """#24: a commons page listed every contributor's debt at once."""
    for number in range(27):
        contributions.contribution_log(
            project=project,
            actor=admin.user,
            contributor=UserFactory(first_name=f"Contributor{number:02}", last_name="X"),
            day=DAY,
            hours="1",
            rate=str(10 + number),
            description="x",
        )
    first = client.get(project.get_absolute_url()).content.decode()
    assert first.count("Contributor") == 25
    assert "Contributor26" in first and "Contributor01" not in first  # largest first
    assert "?debts=2#debt-title" in first
    second = client.get(project.get_absolute_url(), {"debts": 2}).content.decode()
    assert "Contributor01" in second and "Contributor00" in second
    assert "Contributor26" not in second
    assert "621,00" in first.replace("\u202f", " ").replace("\xa0", " ")  # the total of all 27
