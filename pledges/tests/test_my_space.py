"""My space says what awaits me in the pools (#19): the votes not cast yet, per member I act
for; the payments due or failed; the members waiting for my approval."""

import pytest
from django.urls import reverse

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from pledges import ballots
from pledges.models import Instalment, InstalmentStatus
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory, voting_round

pytestmark = pytest.mark.django_db


def test_my_space_lists_the_votes_payments_and_approvals_awaiting_me(client):
    admin = MembershipFactory(role=Role.ADMIN)
    pool = PoolFactory(host=admin.organisation, name="Fonds normand")
    mine = PledgeFactory(membership=PoolMembershipFactory(pool=pool, user=admin.user)).membership
    PoolMembershipFactory(pool=pool, status="pending")
    round_, (alpha,) = voting_round(pool, admin.user, [ProjectFactory()])
    client.force_login(admin.user)
    url = reverse("members:my_space")

    page = client.get(url)
    assert f"{round_.get_absolute_url()}?for={mine.pk}" in page.text  # a vote to cast
    assert reverse("pledges:pool_edit", kwargs={"slug": pool.slug}) in page.text  # 1 waiting

    ballots.ballot_cast(round_=round_, membership=mine, actor=admin.user, marks={alpha.pk: 5})
    Instalment.objects.filter(round=round_).update(status=InstalmentStatus.FAILED)
    page = client.get(url)
    assert f"?for={mine.pk}" not in page.text  # voted
    assert "Fonds normand" in page.text and reverse("pledges:my_pledges") in page.text
    assert page.context["awaiting"]["payments"]


def test_my_space_costs_the_same_queries_whatever_the_pools(client, django_assert_max_num_queries):
    admin = MembershipFactory(role=Role.ADMIN)
    for _ in range(6):
        pool = PoolFactory(host=admin.organisation)
        PledgeFactory(membership=PoolMembershipFactory(pool=pool, user=admin.user))
        voting_round(pool, admin.user, [ProjectFactory()])
    client.force_login(admin.user)
    with django_assert_max_num_queries(20):
        assert client.get(reverse("members:my_space")).status_code == 200
