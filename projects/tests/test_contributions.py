from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commons_fund.ledger.models import Transaction
from commons_fund.members.tests.factories import UserFactory
from projects import contributions, services
from projects.models import Contribution, ContributorPayment
from projects.selectors import contributive_debts, project_plan

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 10, 5)


@pytest.fixture
def project(admin):
    return services.project_create(
        creator=admin.user,
        host=admin.organisation,
        name="Dokos",
        kind="software",
        licence="AGPL-3.0-or-later",
        summary="Gestion de tiers-lieux",
    )


def _fund(project, admin, amount):
    source = services.funding_source_add(
        project=project, actor=admin.user, kind="cofinancing", funder_name="Coop", amount=amount
    )
    services.funding_source_decide(source=source, actor=admin.user, granted=True, decided_on=DAY)
    services.funding_source_receive(source=source, actor=admin.user, received_on=DAY)


def test_contributive_debt_per_contributor_then_paid(project, admin):
    ana, bob = UserFactory(), UserFactory()
    contributions.contribution_log(
        project=project,
        actor=admin.user,
        contributor=ana,
        day=DAY,
        hours="7,5",
        rate="40",
        description="Refonte des factures",
    )
    contributions.contribution_log(
        project=project,
        actor=admin.user,
        contributor=ana,
        day=DAY,
        hours="2",
        rate="40",
        description="Revue",
    )
    contributions.contribution_log(
        project=project,
        actor=admin.user,
        contributor=bob,
        day=DAY,
        hours="3",
        rate="35,50",
        description="Traduction",
    )
    debts = {row.contributor: row.debt for row in contributive_debts(project=project)}
    assert debts == {ana: D("380.00"), bob: D("106.50")}

    _fund(project, admin, "300")
    with pytest.raises(ValidationError) as raised:  # more than the account holds
        contributions.contributor_pay(
            project=project,
            contributor=ana,
            amount="380",
            paid_on=DAY,
            actor=admin.user,
            request_key="k1",
        )
    assert "amount" in raised.value.message_dict
    assert not ContributorPayment.objects.exists()
    transactions = Transaction.objects.count()
    with pytest.raises(ValidationError):  # more than owed to Bob
        contributions.contributor_pay(
            project=project,
            contributor=bob,
            amount="200",
            paid_on=DAY,
            actor=admin.user,
            request_key="k2",
        )
    assert Transaction.objects.count() == transactions

    contributions.contributor_pay(
        project=project,
        contributor=ana,
        amount="250",
        paid_on=DAY,
        actor=admin.user,
        request_key="k3",
    )
    rows = {row.contributor: row for row in contributive_debts(project=project)}
    assert (rows[ana].value, rows[ana].paid, rows[ana].debt) == (
        D("380.00"),
        D("250.00"),
        D("130.00"),
    )
    with pytest.raises(ValidationError):  # only 50 € left in the account
        contributions.contributor_pay(
            project=project,
            contributor=ana,
            amount="60",
            paid_on=DAY,
            actor=admin.user,
            request_key="k4",
        )


def test_only_treasurers_pay(project, admin):
    contributions.contribution_log(
        project=project,
        actor=admin.user,
        contributor=admin.user,
        day=DAY,
        hours="1",
        rate="40",
        description="x",
    )
    with pytest.raises(PermissionDenied):
        contributions.contributor_pay(
            project=project,
            contributor=admin.user,
            amount="1",
            paid_on=DAY,
            actor=UserFactory(),
            request_key="k",
        )


@pytest.mark.parametrize(
    "changes",
    [
        {"hours": "-2"},
        {"hours": "0"},
        {"hours": "25"},
        {"rate": "0"},
        {"rate": "-40"},
        {"rate": "1000000000000"},
        {"description": ""},
        {"day": timezone.localdate() + timedelta(days=2)},
    ],
)
def test_bad_contributions_are_refused_and_nothing_saved(project, admin, changes):
    arguments = {
        "contributor": UserFactory(),
        "day": DAY,
        "hours": "2",
        "rate": "40",
        "description": "Doc",
        **changes,
    }
    with pytest.raises(ValidationError):
        contributions.contribution_log(project=project, actor=admin.user, **arguments)
    assert not Contribution.objects.exists()


def test_the_same_payment_request_pays_once(project, admin):
    ana = UserFactory()
    contributions.contribution_log(
        project=project,
        actor=admin.user,
        contributor=ana,
        day=DAY,
        hours="10",
        rate="40",
        description="Doc",
    )
    _fund(project, admin, "1000")
    first = contributions.contributor_pay(
        project=project,
        contributor=ana,
        amount="100",
        paid_on=DAY,
        actor=admin.user,
        request_key="same",
    )
    again = contributions.contributor_pay(
        project=project,
        contributor=ana,
        amount="100",
        paid_on=DAY,
        actor=admin.user,
        request_key="same",
    )
    assert again == first
    assert ContributorPayment.objects.count() == 1
    (row,) = contributive_debts(project=project)
    assert row.debt == D("300.00")
    contributions.contributor_pay(
        project=project,
        contributor=ana,
        amount="100",
        paid_on=DAY,
        actor=admin.user,
        request_key="other",
    )
    assert ContributorPayment.objects.count() == 2


def test_only_editors_log_hours(project):
    outsider = UserFactory()
    with pytest.raises(PermissionDenied):
        contributions.contribution_log(
            project=project,
            actor=outsider,
            contributor=outsider,
            day=DAY,
            hours="3",
            rate="40",
            description="Spam",
        )
    assert not Contribution.objects.exists()


def test_debt_per_step_settles_earliest_steps_first(project, admin):
    first = services.step_create(project=project, actor=admin.user, title="Étape 1")
    second = services.step_create(project=project, actor=admin.user, title="Étape 2")
    ana = UserFactory()
    for step, hours in ((second, "5"), (first, "2"), (None, "1")):
        contributions.contribution_log(
            project=project,
            actor=admin.user,
            contributor=ana,
            day=DAY,
            hours=hours,
            rate="40",
            description="x",
            step=step,
        )
    _fund(project, admin, "1000")
    plan = project_plan(project=project)
    assert [b.debt for b in plan.steps] == [D("80.00"), D("200.00")]
    assert plan.whole.debt == D("40.00")
    contributions.contributor_pay(
        project=project,
        contributor=ana,
        amount="100",
        paid_on=DAY,
        actor=admin.user,
        request_key="p1",
    )
    plan = project_plan(project=project)
    assert [b.debt for b in plan.steps] == [D("0.00"), D("180.00")]
    assert (plan.whole.debt, plan.debt) == (D("40.00"), D("220.00"))
