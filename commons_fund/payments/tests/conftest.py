"""Fixtures of the payments tests: a pool's host and two winners, each with a bank account."""

import pytest

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from commons_fund.payments import services


@pytest.fixture
def pool_host():
    organisation = OrganisationFactory(name="Ouvaton")
    treasurer = MembershipFactory(organisation=organisation, role=Role.TREASURER).user
    services.bank_account_set(
        organisation=organisation,
        actor=treasurer,
        holder_name="Ouvaton SA coop",
        iban="FR1420041010050500013M02606",
    )
    return organisation, treasurer


@pytest.fixture
def winners():
    result = []
    for name, iban in (
        ("Normandie Libre", "FR7630006000011234567890189"),
        ("Data Patch", "DE89 3704 0044 0532 0130 00"),
    ):
        organisation = OrganisationFactory(name=name)
        admin = MembershipFactory(organisation=organisation, role=Role.ADMIN).user
        services.bank_account_set(
            organisation=organisation,
            actor=admin,
            holder_name=name,
            iban=iban,
            bic="AGRIFRPP" if iban.startswith("FR76") else "",
        )
        result.append(organisation)
    return result
