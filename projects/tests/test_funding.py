from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from commons_fund.ledger.exports import fec_rows
from commons_fund.ledger.models import Account
from commons_fund.ledger.selectors import account_balance
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from projects import contributions, services
from projects.models import FundingSource, SourceStatus
from projects.selectors import project_plan
from projects.services import project_account

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def project(admin):
    project = services.project_create(
        creator=admin.user,
        host=admin.organisation,
        name="Movilab",
        kind="documentation",
        licence="CC-BY-SA-4.0",
        summary="Wiki des tiers-lieux",
    )
    step = services.step_create(project=project, actor=admin.user, title="Refonte")
    services.budget_line_add(
        step=step, actor=admin.user, kind="development", label="Dev", hours="400", hourly_rate="40"
    )  # 16 000 € HT, required
    services.budget_line_add(
        step=step,
        actor=admin.user,
        kind="coordination",
        label="Animation",
        hours="150",
        hourly_rate="40",
        required=False,
    )  # +6 000 € for the optimum
    return project


def test_movilab_plan_cofinancing_and_ademe(project, admin):
    step = project.steps.get()
    cofinancing = services.funding_source_add(
        project=project,
        actor=admin.user,
        step=step,
        kind="cofinancing",
        funder_name="Collectif",
        amount="10 000",
    )
    ademe = services.funding_source_add(
        project=project,
        actor=admin.user,
        step=step,
        kind="subsidy",
        funder_name="ADEME",
        amount="12 000",
        applied_on=date(2026, 3, 1),
    )
    services.funding_source_add(
        project=project, actor=admin.user, kind="donation", funder_name="Dons", amount="500"
    )
    plan = project_plan(project=project)
    (budget,) = plan.steps
    assert (budget.minimum, budget.optimum, budget.granted) == (D("16000"), D("22000"), 0)
    for source in (cofinancing, ademe):
        services.funding_source_decide(
            source=source, actor=admin.user, granted=True, decided_on=date(2026, 4, 1)
        )
    services.funding_source_receive(source=ademe, actor=admin.user, received_on=date(2026, 5, 2))
    plan = project_plan(project=project)
    (budget,), whole = plan.steps, plan.whole
    assert (budget.granted, budget.received) == (D("22000"), D("12000"))
    assert (budget.gap_to_minimum, budget.gap_to_optimum) == (0, 0)
    assert (whole.granted, whole.received) == (0, 0)  # the donation is only applied for

    bank = project_account(project=project, purpose="bank")
    assert bank.organisation == project.host
    assert account_balance(account=bank).posted == 1_200_000
    rows = list(fec_rows(organisation=project.host, year=2026))
    assert {row[6] for row in rows} == {"COMMUN-movilab"}
    assert {row[4] for row in rows} == {"512", "740"}


def test_receiving_twice_posts_once_and_only_treasurers_receive(project, admin):
    source = services.funding_source_add(
        project=project, actor=admin.user, kind="subsidy", funder_name="ANCT", amount="20000"
    )
    with pytest.raises(ValidationError):  # not granted yet
        services.funding_source_receive(
            source=source, actor=admin.user, received_on=date(2026, 1, 5)
        )
    services.funding_source_decide(
        source=source, actor=admin.user, granted=True, decided_on=date(2026, 1, 2)
    )
    maintainer = MembershipFactory(role=Role.MEMBER).user
    project.maintainers.add(maintainer)
    with pytest.raises(PermissionDenied):
        services.funding_source_receive(
            source=source, actor=maintainer, received_on=date(2026, 1, 5)
        )
    for _ in range(2):
        services.funding_source_receive(
            source=source, actor=admin.user, received_on=date(2026, 1, 5)
        )
    assert FundingSource.objects.get().status == SourceStatus.RECEIVED
    assert Account.objects.get(centre=services.project_centre(project=project), purpose="subsidies")
    with pytest.raises(ValidationError):
        services.funding_source_decide(
            source=source, actor=admin.user, granted=False, decided_on=date(2026, 1, 9)
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"amount": "0"},
        {"amount": "-10"},
        {"amount": "1000000000000"},
        {"amount": "x"},
        {"kind": "lottery"},
        {"funder_name": ""},
    ],
)
def test_bad_sources_are_refused_and_nothing_saved(project, admin, changes):
    arguments = {"kind": "subsidy", "funder_name": "ADEME", "amount": "100", **changes}
    with pytest.raises(ValidationError):
        services.funding_source_add(project=project, actor=admin.user, **arguments)
    assert not FundingSource.objects.exists()


def test_the_database_keeps_received_sources_in_the_ledger(project, admin):
    source = services.funding_source_add(
        project=project, actor=admin.user, kind="donation", funder_name="Dons", amount="50"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        FundingSource.objects.filter(pk=source.pk).update(status=SourceStatus.RECEIVED)


def test_plan_queries_do_not_grow(project, admin, django_assert_max_num_queries):
    def grow(number):
        step = services.step_create(project=project, actor=admin.user, title=f"É{number}")
        services.budget_line_add(
            step=step, actor=admin.user, kind="other", label="x", lump_sum="100"
        )
        services.funding_source_add(
            project=project,
            actor=admin.user,
            step=step,
            kind="subsidy",
            funder_name="Région",
            amount="50",
        )
        contributions.contribution_log(
            project=project,
            actor=admin.user,
            step=step,
            contributor=MembershipFactory().user,
            day=date(2026, 5, 2),
            hours="2",
            rate="40",
            description="x",
        )

    def count():
        with CaptureQueriesContext(connection) as captured:
            plan = project_plan(project=project)
            assert plan.debt == plan.whole.debt + sum(b.debt for b in plan.steps)
        return len(captured)

    grow(0)
    few = count()
    for number in range(1, 8):
        grow(number)
    with django_assert_max_num_queries(7):
        assert count() == few


def test_pool_rounds_granted_are_pledged_until_received(project, admin):
    step = project.steps.get()
    source = services.funding_source_add(
        project=project,
        actor=admin.user,
        step=step,
        kind="pool_round",
        funder_name="Fonds commun",
        amount="1 500",
    )
    services.funding_source_decide(
        source=source, actor=admin.user, granted=True, decided_on=date(2026, 4, 1)
    )
    plan = project_plan(project=project)
    assert (plan.steps[0].pledged, plan.pledged, plan.received) == (D("1500"), D("1500"), 0)
    services.funding_source_receive(source=source, actor=admin.user, received_on=date(2026, 5, 2))
    plan = project_plan(project=project)
    assert (plan.pledged, plan.received) == (0, D("1500"))


def test_money_never_moves_on_a_day_to_come(project, admin):
    """Probe of issue #17, point 15: a source "received" on 2199-12-31 was accepted."""
    source = services.funding_source_add(
        project=project, actor=admin.user, kind="subsidy", funder_name="ANCT", amount="20000"
    )
    with pytest.raises(ValidationError) as refused:
        services.funding_source_decide(
            source=source, actor=admin.user, granted=True, decided_on=date(2199, 12, 31)
        )
    assert "decided_on" in refused.value.message_dict
    services.funding_source_decide(
        source=source, actor=admin.user, granted=True, decided_on=date(2026, 1, 2)
    )
    with pytest.raises(ValidationError) as refused:
        services.funding_source_receive(
            source=source, actor=admin.user, received_on=date(2199, 12, 31)
        )
    assert "received_on" in refused.value.message_dict
    source.refresh_from_db()
    assert source.status == SourceStatus.GRANTED and source.transaction_id is None
