"""Reads that must stay bounded by what a page shows (#24): at ×100 the demo's data, the
pool list grouped all 50 000 memberships to show 24 pools, and "my pledges" scanned every
pledge and every person to find five, behind query counts that did not move."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from pledges import personal, selectors
from pledges.models import MemberStatus, PledgeStatus, PoolMembership

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory

pytestmark = pytest.mark.django_db


def _sql(queryset) -> str:
    return str(queryset.query).upper()


def test_the_pool_list_counts_the_members_of_the_pools_it_shows_only(pool, members):
    other = PoolFactory(name="Autre pot")
    PoolMembershipFactory(pool=other)
    PoolMembershipFactory(pool=other, status=MemberStatus.LEFT)
    PoolMembershipFactory(pool=pool, status=MemberStatus.PENDING)

    counts = {shown.pk: shown.members for shown in selectors.pool_list()}

    assert counts == {pool.pk: len(members), other.pk: 1}  # active members only
    # A GROUP BY over the join aggregates every membership of every pool before the page
    # is cut; a count per pool shown reads only that pool's rows.
    assert "GROUP BY" not in _sql(selectors.pool_list())


def test_a_pool_without_members_shows_none():
    empty = PoolFactory()
    assert selectors.pool_list().get(pk=empty.pk).members == 0


def test_my_pledges_are_found_from_my_memberships_not_from_every_pledge(
    pool, members, django_assert_num_queries
):
    me = members[0].user
    association = MembershipFactory(user=me, role=Role.TREASURER).organisation
    ours = PledgeFactory(
        membership=PoolMembershipFactory(pool=pool, user=None, organisation=association)
    )
    reader = MembershipFactory(user=me, role=Role.MEMBER).organisation  # not acting for it
    PledgeFactory(membership=PoolMembershipFactory(pool=pool, user=None, organisation=reader))
    old = members[0].pledges.get()
    old.status = PledgeStatus.CANCELLED
    old.save()
    again = PledgeFactory(membership=members[0])

    with django_assert_num_queries(2) as captured:
        found = personal.pledges_of(user=me)

    assert {pledge.pk for pledge in found} == {old.pk, again.pk, ours.pk}
    pledge_query = captured.captured_queries[-1]["sql"].upper()
    # `user_id = … OR organisation_id IN (subquery)` made PostgreSQL scan every pledge.
    assert " OR " not in pledge_query


def test_someone_with_no_membership_has_no_pledges(django_assert_max_num_queries):
    nobody = UserFactory()
    with django_assert_max_num_queries(2):
        assert personal.pledges_of(user=nobody) == []


def test_the_counts_follow_every_way_members_come_and_go(admin, pool):
    """The counts are kept by triggers: joins, approvals, departures, a member moved, the
    admin's bulk update and deletion all keep them equal to a fresh count."""
    other = PoolFactory()

    def shown() -> dict[int, int]:
        return {p.pk: p.members for p in selectors.pool_list().filter(pk__in=[pool.pk, other.pk])}

    def counted() -> dict[int, int]:
        return {
            p.pk: p.memberships.filter(status=MemberStatus.ACTIVE).count() for p in (pool, other)
        }

    people = [PoolMembershipFactory(pool=pool) for _ in range(3)]
    waiting = PoolMembershipFactory(pool=pool, status=MemberStatus.PENDING)
    assert shown() == counted() == {pool.pk: 3, other.pk: 0}
    waiting.status = MemberStatus.ACTIVE
    waiting.save()
    people[0].status = MemberStatus.LEFT
    people[0].save()
    people[1].pool = other
    people[1].save()
    assert shown() == counted() == {pool.pk: 2, other.pk: 1}
    PoolMembership.objects.filter(pool=pool).update(status=MemberStatus.LEFT)
    assert shown() == counted() == {pool.pk: 0, other.pk: 1}
    PoolMembership.objects.filter(pool=pool).update(status=MemberStatus.ACTIVE)
    people[2].delete()
    assert shown() == counted() == {pool.pk: 2, other.pk: 1}
    other.memberships.all().delete()
    other.delete()
    assert selectors.pool_list().get(pk=pool.pk).members == 2


@settings(max_examples=25, deadline=None)
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["join", "pending", "approve", "leave", "rejoin", "delete"]),
            st.integers(min_value=0, max_value=5),
        ),
        max_size=20,
    )
)
def test_any_sequence_of_changes_leaves_the_count_exact(steps):
    pool = PoolFactory()
    for action, index in steps:
        members = list(pool.memberships.order_by("pk"))
        member = members[index % len(members)] if members else None
        if action in {"join", "pending"} or member is None:
            status = MemberStatus.PENDING if action == "pending" else MemberStatus.ACTIVE
            PoolMembershipFactory(pool=pool, status=status)
        elif action == "delete":
            member.pledges.all().delete()
            member.delete()
        else:
            member.status = {
                "approve": MemberStatus.ACTIVE,
                "leave": MemberStatus.LEFT,
                "rejoin": MemberStatus.ACTIVE,
            }[action]
            member.save()
        expected = pool.memberships.filter(status=MemberStatus.ACTIVE).count()
        assert selectors.pool_list().get(pk=pool.pk).members == expected
