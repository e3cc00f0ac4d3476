import pytest

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory


@pytest.fixture
def admin():
    """An administrator of an organisation that may host commons."""
    return MembershipFactory(role=Role.ADMIN)
