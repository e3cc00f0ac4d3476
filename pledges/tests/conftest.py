import pytest

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory

from .factories import PoolFactory


@pytest.fixture
def admin():
    """An administrator of the organisation hosting `pool`."""
    return MembershipFactory(role=Role.ADMIN)


@pytest.fixture
def pool(admin):
    return PoolFactory(host=admin.organisation, slug="normandie", name="Fonds normand")
