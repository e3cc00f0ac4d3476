import pytest

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory


@pytest.fixture
def admin():
    """An administrator of the organisation hosting `pool`."""
    return MembershipFactory(role=Role.ADMIN)


@pytest.fixture
def pool(admin):
    return PoolFactory(host=admin.organisation, slug="normandie", name="Fonds normand")


@pytest.fixture
def members(pool):
    """Five members of `pool`, each with a pledge."""
    return [PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(5)]


@pytest.fixture
def projects():
    return [ProjectFactory(name=name, slug=name.lower()) for name in ("Alpha", "Beta", "Gamma")]
