import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from projects import services
from projects.models import BudgetLine, Project, Step, StepStatus
from projects.selectors import project_budgets

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def project(admin):
    return services.project_create(
        creator=admin.user,
        host=admin.organisation,
        name="Movilab",
        kind="documentation",
        licence="CC-BY-SA-4.0",
        summary="Wiki des tiers-lieux",
    )


@pytest.fixture
def step(project, admin):
    return services.step_create(project=project, actor=admin.user, title="Refonte du wiki")


def test_the_creator_maintains_the_commons(project, admin):
    assert project.slug == "movilab"
    assert list(project.maintainers.all()) == [admin.user]
    assert project.is_national


def test_a_non_free_licence_is_refused_naming_the_accepted_ones(admin):
    with pytest.raises(ValidationError) as raised:
        services.project_create(
            creator=admin.user,
            host=admin.organisation,
            name="X",
            kind="software",
            licence="CC-BY-NC-4.0",
            summary="x",
        )
    message = " ".join(raised.value.message_dict["licence"])
    assert "CC-BY-NC-4.0" in message and "AGPL-3.0-or-later" in message
    assert not Project.objects.exists()


def test_the_database_refuses_a_non_free_licence(project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.filter(pk=project.pk).update(licence="proprietary")


def test_only_the_hosts_admins_create_and_only_editors_edit(admin, project):
    member = MembershipFactory(organisation=admin.organisation, role=Role.TREASURER).user
    with pytest.raises(PermissionDenied):
        services.project_create(
            creator=member,
            host=admin.organisation,
            name="Y",
            kind="data",
            licence="ODbL-1.0",
            summary="y",
        )
    with pytest.raises(PermissionDenied):
        services.step_create(project=project, actor=UserFactory(), title="Hack")
    assert not Step.objects.exists()


@pytest.mark.parametrize(
    "territory", [{"regions": ["99"]}, {"departments": ["2C"]}, {"regions": "28"}]
)
def test_territories_are_checked(admin, territory):
    with pytest.raises(ValidationError):
        services.project_create(
            creator=admin.user,
            host=admin.organisation,
            name="Z",
            kind="bundle",
            licence="MIT",
            summary="z",
            **territory,
        )


def test_reversed_dates_are_refused_by_the_service_and_the_database(project, admin, step):
    with pytest.raises(ValidationError):
        services.step_create(
            project=project,
            actor=admin.user,
            title="Back in time",
            planned_start=date(2026, 6, 1),
            planned_end=date(2026, 5, 1),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Step.objects.filter(pk=step.pk).update(
            planned_start=date(2026, 6, 1), planned_end=date(2026, 5, 1)
        )
    assert Step.objects.count() == 1


@pytest.mark.parametrize(
    "spec",
    [
        {"kind": "development", "label": "Dev", "hours": "-5", "hourly_rate": "40"},
        {"kind": "development", "label": "Dev", "hours": "10", "hourly_rate": "0"},
        {"kind": "other", "label": "Serveur", "lump_sum": "1000000000000"},
        {"kind": "other", "label": "Serveur", "lump_sum": "abc"},
        {"kind": "other", "label": "Both", "lump_sum": "100", "hours": "2", "hourly_rate": "40"},
        {"kind": "other", "label": "Nothing"},
        {"kind": "magic", "label": "Dev", "lump_sum": "100"},
        {"kind": "other", "label": "<b>x</b>", "lump_sum": "100"},
        {"kind": "other", "label": "TVA", "lump_sum": "100", "vat_rate": "120"},
    ],
)
def test_bad_budget_lines_are_refused_and_nothing_saved(step, admin, spec):
    with pytest.raises(ValidationError):
        services.budget_line_add(step=step, actor=admin.user, **spec)
    assert not BudgetLine.objects.exists()


def _lines(step, admin, coordination_hours):
    services.budget_line_add(
        step=step, actor=admin.user, kind="development", label="Dev", hours="100", hourly_rate="40"
    )
    services.budget_line_add(
        step=step,
        actor=admin.user,
        kind="coordination",
        label="Animation",
        hours=coordination_hours,
        hourly_rate="40",
    )


@pytest.mark.parametrize(
    ("hours", "warned"), [("9", True), ("10", False), ("25", False), ("26", True)]
)
def test_coordination_share_warning_bounds(step, admin, hours, warned):
    _lines(step, admin, hours)
    (budget,) = project_budgets(project=step.project)
    assert budget.coordination_share == D(hours)
    assert bool(budget.warnings) is warned


def test_hourly_rates_outside_the_range_are_flagged(step, admin):
    services.budget_line_add(
        step=step,
        actor=admin.user,
        kind="development",
        label="Junior",
        hours="10",
        hourly_rate="25",
    )
    services.budget_line_add(
        step=step,
        actor=admin.user,
        kind="development",
        label="Senior",
        hours="10",
        hourly_rate="45",
    )
    (budget,) = project_budgets(project=step.project)
    assert len([w for w in budget.warnings if "Junior" in w]) == 1
    assert not [w for w in budget.warnings if "Senior" in w]


def test_minimum_and_optimum_with_and_without_vat(step, admin):
    services.budget_line_add(
        step=step,
        actor=admin.user,
        kind="development",
        label="Dev",
        hours="12.5",
        hourly_rate="38,50",
    )  # 481.25
    services.budget_line_add(
        step=step,
        actor=admin.user,
        kind="other",
        label="Salle",
        lump_sum="200",
        vat_rate="0",
        required=False,
    )
    (budget,) = project_budgets(project=step.project)
    assert (budget.minimum, budget.optimum) == (D("481.25"), D("681.25"))
    assert (budget.minimum_incl_vat, budget.optimum_incl_vat) == (D("577.50"), D("777.50"))


def test_a_funded_steps_budget_changes_only_by_a_revision_that_keeps_history(step, admin):
    _lines(step, admin, "15")
    services.step_set_status(step=step, actor=admin.user, status=StepStatus.OPEN)
    services.step_set_status(step=step, actor=admin.user, status=StepStatus.FUNDED)
    step.refresh_from_db()
    with pytest.raises(ValidationError):
        services.budget_line_add(
            step=step, actor=admin.user, kind="other", label="Extra", lump_sum="10"
        )
    services.step_budget_revise(
        step=step,
        actor=admin.user,
        lines=[
            {"kind": "development", "label": "Dev", "hours": "120", "hourly_rate": "40"},
            {"kind": "coordination", "label": "Animation", "hours": "20", "hourly_rate": "40"},
        ],
    )
    step.refresh_from_db()
    assert step.budget_revision == 2
    assert BudgetLine.objects.filter(step=step, revision=1).count() == 2  # kept as it was
    (budget,) = project_budgets(project=step.project)
    assert budget.optimum == D("5600.00")


def test_step_status_moves(step, admin):
    with pytest.raises(ValidationError):
        services.step_set_status(step=step, actor=admin.user, status=StepStatus.DELIVERED)
    services.step_set_status(step=step, actor=admin.user, status=StepStatus.ABANDONED)
    with pytest.raises(ValidationError):
        services.step_set_status(step=step, actor=admin.user, status=StepStatus.OPEN)


def test_budget_queries_do_not_grow_with_steps_and_lines(project, admin):
    def count():
        with CaptureQueriesContext(connection) as captured:
            project_budgets(project=project)
        return len(captured)

    first = services.step_create(project=project, actor=admin.user, title="Étape 1")
    _lines(first, admin, "15")
    few = count()
    for number in range(6):
        extra = services.step_create(project=project, actor=admin.user, title=f"É{number}")
        _lines(extra, admin, "12")
    assert count() == few == 2


def test_budget_warnings_write_numbers_as_french_readers_do(step, admin):
    """Issue #22: "5.0 %" and "50.00 € HT" in the budget warnings."""
    _lines(step, admin, "5")
    services.budget_line_add(
        step=step,
        actor=admin.user,
        kind="development",
        label="Senior",
        hours="10",
        hourly_rate="50",
    )
    with translation.override("fr"):
        (budget,) = project_budgets(project=step.project)
    text = " ".join(budget.warnings).replace("\u202f", " ").replace("\xa0", " ")
    assert "5.0" not in text and "50.00" not in text
    assert "50,00 € HT" in text and "30,00 €–45,00 €" in text
    assert re.search(r"représentent [\d,]+ % du développement", text)
