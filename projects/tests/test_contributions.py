from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commons_fund.ledger.models import Transaction
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from projects import services
from projects.models import Contribution, ContributorPayment
from projects.selectors import contributive_debts

pytestmark = pytest.mark.django_db
D = Decimal
DAY = date(2026, 10, 5)


@pytest.fixture
def admin():
    return MembershipFactory(role=Role.ADMIN)


@pytest.fixture
def project(admin):
    return services.project_create(
        creator=admin.user, host=admin.organisation, name="Dokos", kind="software",
        licence="AGPL-3.0-or-later", summary="Gestion de tiers-lieux",
    )


def _fund(project, admin, amount):
    source = services.funding_source_add(project=project, actor=admin.user,
                                         kind="cofinancing", funder_name="Coop",
                                         amount=amount)
    services.funding_source_decide(source=source, actor=admin.user, granted=True,
                                   decided_on=DAY)
    services.funding_source_receive(source=source, actor=admin.user, received_on=DAY)


def test_contributive_debt_per_contributor_then_paid(project, admin):
    ana, bob = UserFactory(), UserFactory()
    services.contribution_log(project=project, contributor=ana, day=DAY, hours="7,5",
                              rate="40", description="Refonte des factures")
    services.contribution_log(project=project, contributor=ana, day=DAY, hours="2",
                              rate="40", description="Revue")
    services.contribution_log(project=project, contributor=bob, day=DAY, hours="3",
                              rate="35,50", description="Traduction")
    debts = {row.contributor: row.debt for row in contributive_debts(project=project)}
    assert debts == {ana: D("380.00"), bob: D("106.50")}

    _fund(project, admin, "300")
    with pytest.raises(ValidationError) as raised:  # more than the account holds
        services.contributor_pay(project=project, contributor=ana, amount="380",
                                 paid_on=DAY, actor=admin.user)
    assert "amount" in raised.value.message_dict
    assert not ContributorPayment.objects.exists()
    transactions = Transaction.objects.count()
    with pytest.raises(ValidationError):  # more than owed to Bob
        services.contributor_pay(project=project, contributor=bob, amount="200",
                                 paid_on=DAY, actor=admin.user)
    assert Transaction.objects.count() == transactions

    services.contributor_pay(project=project, contributor=ana, amount="250", paid_on=DAY,
                             actor=admin.user)
    rows = {row.contributor: row for row in contributive_debts(project=project)}
    assert (rows[ana].value, rows[ana].paid, rows[ana].debt) == (D("380.00"), D("250.00"),
                                                                  D("130.00"))
    with pytest.raises(ValidationError):  # only 50 € left in the account
        services.contributor_pay(project=project, contributor=ana, amount="60", paid_on=DAY,
                                 actor=admin.user)


def test_only_treasurers_pay(project, admin):
    services.contribution_log(project=project, contributor=admin.user, day=DAY, hours="1",
                              rate="40", description="x")
    with pytest.raises(PermissionDenied):
        services.contributor_pay(project=project, contributor=admin.user, amount="1",
                                 paid_on=DAY, actor=UserFactory())


@pytest.mark.parametrize(
    "changes",
    [{"hours": "-2"}, {"hours": "0"}, {"hours": "25"}, {"rate": "0"}, {"rate": "-40"},
     {"rate": "1000000000000"}, {"description": ""},
     {"day": timezone.localdate() + timedelta(days=2)}],
)
def test_bad_contributions_are_refused_and_nothing_saved(project, changes):
    arguments = {"contributor": UserFactory(), "day": DAY, "hours": "2", "rate": "40",
                 "description": "Doc", **changes}
    with pytest.raises(ValidationError):
        services.contribution_log(project=project, **arguments)
    assert not Contribution.objects.exists()
