"""Reads that must stay bounded by what a page shows (#24): at ×100 the demo's data, the
pool list grouped all 50 000 memberships to show 24 pools, and "my pledges" scanned every
pledge and every person to find five, behind query counts that did not move."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, UserFactory
from pledges import collecting, personal, publication, selectors
from pledges.models import InstalmentStatus, MemberStatus, PledgeStatus, PoolMembership
from projects import services as project_services

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory
from .support import close_vote, open_round, transfers_received, vote

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

    with django_assert_num_queries(3) as captured:
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


def test_the_members_a_person_acts_for_are_found_by_index(pool, members):
    """`user_id = … OR organisation_id IN (SELECT …)` made PostgreSQL scan the 50 000
    memberships of the pool on every pool and round page at ×100; with the organisations
    read first, both sides are index scans."""
    me = members[0].user
    association = MembershipFactory(user=me, role=Role.ADMIN).organisation
    ours = PoolMembershipFactory(pool=pool, user=None, organisation=association)
    reader = MembershipFactory(user=me, role=Role.MEMBER).organisation
    PoolMembershipFactory(pool=pool, user=None, organisation=reader)

    acting = selectors.memberships_of(pool=pool, user=me)

    assert list(acting) == [members[0], ours]  # oneself first
    assert "IN (SELECT" not in _sql(acting)
    assert selectors.acting_membership(pool=pool, user=me) == members[0]
    assert "IN (SELECT" not in _sql(personal._acted_for(user=me))
    assert set(personal._acted_for(user=me)) == {members[0], ours}


def test_a_pool_s_members_are_listed_in_the_order_they_joined(pool, members):
    """Sorting 50 000 members by their names (a column of another table) read and sorted
    all of them to show a hundred; the order they joined is one of the membership's own."""
    listed = selectors.pool_members(pool=pool)
    assert list(listed) == sorted(members, key=lambda member: member.pk)
    assert 'ORDER BY "PLEDGES_POOLMEMBERSHIP"."ID"' in _sql(listed)


def test_the_members_waiting_for_approval_are_counted_without_grouping_the_pool(admin, pool):
    PoolMembershipFactory.create_batch(3, pool=pool)
    PoolMembershipFactory.create_batch(2, pool=pool, status=MemberStatus.PENDING)
    quiet = PoolFactory(host=admin.organisation)
    PoolMembershipFactory(pool=quiet)

    waiting = personal.pools_awaiting_approval(user=admin.user)

    assert [(shown.pk, shown.waiting) for shown in waiting] == [(pool.pk, 2)]
    assert "GROUP BY" not in _sql(waiting)
    assert personal.pools_awaiting_approval(user=UserFactory()).count() == 0


def test_a_counted_round_s_turnout_is_read_from_its_results_not_its_roll(
    pool, admin, members, projects, django_assert_num_queries
):
    """The API's list of rounds counted every voter of every round shown (100 000 rows at
    ×100); once the vote is counted, the results hold the number of voters for good."""
    counted, candidacies = open_round(pool, admin, projects)
    for member in members[:3]:
        vote(counted, member, {c.pk: 5 for c in candidacies})
    counted = close_vote(counted)
    assert counted.results["voters"] == 3
    others = [project for project in projects if project.pk != counted.winner.project_id]
    running, candidacies = open_round(pool, admin, others)  # the winner waits its turn
    vote(running, members[0], {c.pk: 5 for c in candidacies})

    with django_assert_num_queries(1) as captured:
        turnouts = selectors.rounds_turnout(rounds=[counted, running])

    assert (turnouts[counted.pk].voters, turnouts[running.pk].voters) == (3, 1)
    assert f"IN ({running.pk})" in captured.captured_queries[0]["sql"]  # the open one only
    with django_assert_num_queries(0):
        assert selectors.rounds_turnout(rounds=[counted])[counted.pk].voters == 3


def test_the_total_collected_is_read_from_the_pools_books_not_from_every_collection(
    pool, admin, members, projects
):
    """#24: the home page summed every collection of every round (a sequential scan of all
    of them); it reads what the pools' contributions accounts hold, one row per pool."""
    round_, candidacies = open_round(pool, admin, projects)
    for member in members[:3]:
        vote(round_, member, {c.pk: 5 for c in candidacies})
    round_ = collecting.round_collect(round_=close_vote(round_))
    transfers_received(round_, admin.user)
    expected = sum(
        instalment.amount.amount
        for instalment in round_.pot_instalments.filter(status=InstalmentStatus.SUCCEEDED)
    )
    assert expected > 0
    MembershipFactory(organisation=projects[0].host, user=admin.user, role=Role.ADMIN)
    seed = project_services.funding_source_add(  # a commons' own income is not the pools'
        project=projects[0], actor=admin.user, kind="seed", funder_name="Coop", amount="700"
    )
    project_services.funding_source_decide(
        source=seed, actor=admin.user, granted=True, decided_on=timezone.localdate()
    )
    project_services.funding_source_receive(
        source=seed, actor=admin.user, received_on=timezone.localdate()
    )
    with CaptureQueriesContext(connection) as captured:
        assert selectors.collected_total() == expected
    assert not any("pledges_instalment" in query["sql"] for query in captured.captured_queries)


def test_a_counted_round_s_small_colleges_are_read_from_its_results_not_its_ballots(
    pool, admin, members, projects, django_assert_num_queries
):
    """#21: the results API and the receipts page grouped every ballot of the round by
    college on each request (50 000 at ×100); the tally keeps each college's number of
    voters with the results, ballots being final once counted."""
    round_, candidacies = open_round(pool, admin, projects)
    for member in members[:3]:
        vote(round_, member, {c.pk: 5 for c in candidacies})
    round_ = close_vote(round_)
    with django_assert_num_queries(0):
        small = publication.round_small_colleges(round_=round_)
    assert small == {None: 3}  # three voters without a college, under the threshold
