from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given
from hypothesis import strategies as st

from commons_fund.ledger.models import Transaction
from commons_fund.ledger.selectors import account_balance, ledger_totals
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from projects.services import project_account
from projects.tests.factories import ProjectFactory
from reciprocity import services
from reciprocity.models import (
    ContractState,
    DeclarationStatus,
    ReciprocityContract,
    RevenueDeclaration,
)

pytestmark = pytest.mark.django_db
D = Decimal
Q1 = date(2026, 1, 1)


@pytest.fixture
def treasurer():
    return MembershipFactory(role=Role.TREASURER)


@pytest.fixture
def contract(treasurer):
    host_admin = MembershipFactory(role=Role.ADMIN)
    project = ProjectFactory(host=host_admin.organisation, name="Bouquet normand")
    contract = services.contract_create(
        partner=treasurer.organisation,
        project=project,
        actor=host_admin.user,
        rate="5",
        base="Chiffre d'affaires HT des services d'installation du bouquet",
        starts_on=date(2026, 1, 1),
        floor="50",
        ceiling="2 000",
    )
    partner_admin = MembershipFactory(role=Role.ADMIN, organisation=treasurer.organisation).user
    contract = services.contract_propose(contract=contract, actor=partner_admin)
    for user in (partner_admin, host_admin.user):
        contract = services.contract_accept(
            contract=contract, actor=user, ip_address=None, pdf_sha256=contract.proposed_sha256
        )
    assert contract.state == ContractState.SIGNED
    return contract


@pytest.mark.parametrize(
    ("revenue", "due"),
    [
        ("10 000", "500.00"),  # 5 %
        ("123,45", "50.00"),  # 6,17 € is under the 50 € minimum
        ("0", "50.00"),  # the minimum is due even without revenue
        ("100 000", "2000.00"),  # 5 000 € capped at 2 000 €
        ("1 234,57", "61.73"),  # 61,7285 rounded half-up
        ("1 234,70", "61.74"),  # 61,735 → 61,74 (half-up, not to even)
    ],
)
def test_due_is_rate_times_revenue_within_floor_and_ceiling(contract, revenue, due):
    from commons_fund.money import parse_amount

    assert services.due_for(contract=contract, revenue=parse_amount(revenue, allow_zero=True)) == D(
        due
    )


@given(revenue=st.decimals(min_value=0, max_value=10**7, places=2))
def test_due_never_leaves_the_floor_and_ceiling(revenue):
    contract = ReciprocityContract(rate=D("3.5"))
    contract.floor = None
    contract.ceiling = None
    due = services.due_for(contract=contract, revenue=revenue)
    assert due == due.quantize(D("0.01"))
    assert abs(due - revenue * D("0.035")) <= D("0.005")


def test_declaring_posts_the_due_into_the_commons_accounts(contract, treasurer):
    declaration = services.declaration_create(
        contract=contract, actor=treasurer.user, period_start=Q1, revenue="12 000"
    )
    assert (declaration.period_end, declaration.due.amount) == (date(2026, 3, 31), D("600"))
    receivable = project_account(project=contract.project, purpose="receivable")
    assert account_balance(account=receivable).posted == 60000
    assert receivable.organisation == contract.project.host
    assert all(total == 0 for total in ledger_totals().values())


def test_a_correction_supersedes_and_keeps_history(contract, treasurer):
    first = services.declaration_create(
        contract=contract, actor=treasurer.user, period_start=Q1, revenue="12 000"
    )
    second = services.declaration_correct(declaration=first, actor=treasurer.user, revenue="8 000")
    first.refresh_from_db()
    assert first.status == DeclarationStatus.SUPERSEDED and second.supersedes == first
    assert second.due.amount == D("400")
    receivable = project_account(project=contract.project, purpose="receivable")
    assert account_balance(account=receivable).posted == 40000
    assert RevenueDeclaration.objects.count() == 2
    with pytest.raises(ValidationError):
        services.declaration_correct(declaration=first, actor=treasurer.user, revenue="1")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"revenue": "-100"}, "revenue"),
        ({"revenue": "abc"}, "revenue"),
        ({"period_start": date(2026, 2, 1)}, "period_start"),  # not a quarter's first day
        ({"period_start": date(2099, 1, 1)}, "period_start"),  # not ended
        ({"period_start": date(2025, 10, 1)}, "period_start"),  # before the contract
    ],
)
def test_bad_declarations_write_nothing(contract, treasurer, changes, field):
    arguments = {"period_start": Q1, "revenue": "1000", **changes}
    with pytest.raises(ValidationError) as raised:
        services.declaration_create(contract=contract, actor=treasurer.user, **arguments)
    assert field in raised.value.message_dict
    assert not RevenueDeclaration.objects.exists() and not Transaction.objects.exists()


def test_a_period_is_declared_once_and_only_on_a_signed_contract(contract, treasurer):
    services.declaration_create(
        contract=contract, actor=treasurer.user, period_start=Q1, revenue="1000"
    )
    with pytest.raises(ValidationError):
        services.declaration_create(
            contract=contract, actor=treasurer.user, period_start=Q1, revenue="2000"
        )
    ReciprocityContract.objects.filter(pk=contract.pk).update(state=ContractState.PROPOSED)
    with pytest.raises(ValidationError):
        services.declaration_create(
            contract=contract, actor=treasurer.user, period_start=date(2026, 4, 1), revenue="2000"
        )
    assert RevenueDeclaration.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.declaration_create(
            contract=contract, actor=UserFactory(), period_start=Q1, revenue="1"
        )


@pytest.mark.parametrize(
    ("rate", "extra"),
    [("0", {}), ("100,01", {}), ("-3", {}), ("5", {"floor": "100", "ceiling": "50"})],
)
def test_bad_contracts_are_refused(treasurer, rate, extra):
    project = ProjectFactory()
    admin = MembershipFactory(role=Role.ADMIN, organisation=treasurer.organisation)
    with pytest.raises(ValidationError):
        services.contract_create(
            partner=treasurer.organisation,
            project=project,
            actor=admin.user,
            rate=rate,
            base="CA HT",
            starts_on=date(2026, 1, 1),
            **extra,
        )
    assert not ReciprocityContract.objects.exists()


def test_a_declaration_whose_payment_is_under_way_cannot_be_corrected(contract, treasurer):
    """Probe of issue #17, point 9: the correction orphaned the payment under way."""
    declaration = services.declaration_create(
        contract=contract, actor=treasurer.user, period_start=Q1, revenue="12 000"
    )
    declaration = services.declaration_pay(
        declaration=declaration, actor=treasurer.user, method="transfer"
    )
    assert declaration.charge.status == "awaiting_transfer"
    with pytest.raises(ValidationError, match=r"payment|paiement"):
        services.declaration_correct(declaration=declaration, actor=treasurer.user, revenue="1")
    declaration.refresh_from_db()
    assert declaration.status == DeclarationStatus.DUE
    assert RevenueDeclaration.objects.count() == 1
