from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from reciprocity import services
from reciprocity.selectors import policy_amounts

pytestmark = pytest.mark.django_db


def test_the_hosting_cooperative_gives_one_percent_to_two_libre_organisations():
    treasurer = MembershipFactory(
        role=Role.TREASURER, organisation=OrganisationFactory(name="Ouvaton")
    )
    lqdn = OrganisationFactory(name="La Quadrature du Net")
    debian = OrganisationFactory(name="Debian France")
    policy = services.policy_set(
        organisation=treasurer.organisation,
        actor=treasurer.user,
        year=2023,
        percent="1",
        base_revenue="87 550",
        beneficiaries=[(lqdn, 1), (debian, 1)],
    )
    amounts = policy_amounts(policy=policy)
    assert amounts.total == Decimal("875.50")
    assert [(b.name, amount) for b, amount in amounts.shares] == [
        ("La Quadrature du Net", Decimal("437.75")),
        ("Debian France", Decimal("437.75")),
    ]


def test_weights_and_odd_cents_add_up_exactly():
    treasurer = MembershipFactory(role=Role.ADMIN)
    a, b, c = (OrganisationFactory() for _ in range(3))
    policy = services.policy_set(
        organisation=treasurer.organisation,
        actor=treasurer.user,
        year=2026,
        percent="1,5",
        base_revenue="100 001",
        beneficiaries=[(a, 2), (b, 1), (c, 1)],
        split="weights",
    )
    amounts = policy_amounts(policy=policy)
    assert amounts.total == Decimal("1500.02")  # 1 500,015 rounded half-up
    assert [amount for _b, amount in amounts.shares] == [
        Decimal("750.01"),
        Decimal("375.01"),
        Decimal("375.00"),
    ]
    assert sum(amount for _b, amount in amounts.shares) == amounts.total


def test_policies_need_a_money_role_a_rate_and_beneficiaries():
    member = MembershipFactory(role=Role.MEMBER)
    other = OrganisationFactory()
    with pytest.raises(PermissionDenied):
        services.policy_set(
            organisation=member.organisation,
            actor=member.user,
            year=2026,
            percent="1",
            beneficiaries=[(other, 1)],
        )
    treasurer = MembershipFactory(role=Role.TREASURER, organisation=member.organisation)
    for percent, beneficiaries in (("0", [(other, 1)]), ("101", [(other, 1)]), ("1", [])):
        with pytest.raises(ValidationError):
            services.policy_set(
                organisation=member.organisation,
                actor=treasurer.user,
                year=2026,
                percent=percent,
                beneficiaries=beneficiaries,
            )
    policy = services.policy_set(
        organisation=member.organisation,
        actor=treasurer.user,
        year=2026,
        percent="1",
        beneficiaries=[(other, 1)],
    )
    assert policy_amounts(policy=policy).total is None  # revenue not known yet
