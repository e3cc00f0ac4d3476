"""Published ballots do not single out small colleges or allocation voters (#17.4).

A college with fewer voters than the pool's rule (5 by default) has its totals published,
not its ballots; allocation ballots are published as shares of each ballot (whole per cent),
with the amounts per candidate counted, so that the totals and the matching can be
recomputed without pairing a ballot with a promise."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from djmoney.money import Money
from rest_framework.test import APIClient

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from pledges import ballots, rounds, services
from pledges.tests.factories import PledgeFactory, PoolFactory, PoolMembershipFactory, voting_round
from pledges.voting import quadratic_funding
from projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _vote(round_, member, marks):
    return ballots.ballot_cast(round_=round_, membership=member, actor=member.user, marks=marks)


def _close(round_):
    return rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(seconds=1))


def _results(round_):
    response = APIClient().get(f"/api/v1/rounds/{round_.pk}/results/")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def admin():
    return MembershipFactory(role=Role.ADMIN)


def test_a_small_college_publishes_its_totals_not_its_ballots(admin, client):
    pool = PoolFactory(host=admin.organisation)
    local = services.college_add(
        pool=pool, actor=admin.user, name="Collectivités", weight_percent=30
    )
    users = services.college_add(pool=pool, actor=admin.user, name="Usagers", weight_percent=70)
    alone = PledgeFactory(membership=PoolMembershipFactory(pool=pool, college=local)).membership
    many = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool, college=users)).membership
        for _ in range(5)
    ]
    round_, (alpha, beta) = voting_round(pool, admin.user, [ProjectFactory(), ProjectFactory()])
    hidden = _vote(round_, alone, {alpha.pk: 1, beta.pk: 5})
    for member in many:
        _vote(round_, member, {alpha.pk: 4, beta.pk: 2})
    round_ = _close(round_)

    published = _results(round_)
    rows = {row["receipt"]: row for row in published["receipts"]["results"]}
    assert len(rows) == 6
    assert rows[hidden]["marks"] is None  # counted, findable, but its marks are not shown
    assert all(row["marks"] for receipt, row in rows.items() if receipt != hidden)
    assert published["college_totals"] == {
        "Collectivités": {"voters": 1, "marks": {str(alpha.pk): {"1": 1}, str(beta.pk): {"5": 1}}}
    }
    assert published["publication_threshold"] == 5

    page = client.post(
        f"/fr/pools/{pool.slug}/rounds/{round_.number}/receipts/", {"receipt": hidden}
    )
    assert page.status_code == 200
    assert hidden in page.text and "Collectivités" in page.text
    assert f"{alpha.project.name}: 1 · {beta.project.name}: 5" not in page.text  # no ballot
    assert f"{alpha.project.name}: 1 × 1 · {beta.project.name}: 5 × 1" in page.text  # totals
    everything = client.get(f"/fr/pools/{pool.slug}/rounds/{round_.number}/receipts/")
    assert f"{alpha.project.name}: 4" in everything.text  # the large college's ballots


def test_allocation_ballots_are_published_as_shares_with_the_amounts_counted(admin):
    pool = PoolFactory(host=admin.organisation, publication_threshold=1)
    pool = services.pool_update(pool=pool, actor=admin.user, round_kind="allocation")
    members = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool), amount=amount).membership
        for amount in ("10", "30", "37.13")
    ]
    projects = [ProjectFactory(), ProjectFactory()]
    round_, (alpha, beta) = voting_round(
        pool, admin.user, projects, matching_pool=Money(100, "EUR")
    )
    _vote(round_, members[0], {alpha.pk: 250, beta.pk: 750})
    _vote(round_, members[1], {alpha.pk: 3000})
    _vote(round_, members[2], {alpha.pk: 1000, beta.pk: 2713})
    round_ = _close(round_)

    published = _results(round_)
    lines = sorted(tuple(sorted(row["marks"].values())) for row in published["receipts"]["results"])
    assert lines == [(25, 75), (27, 73), (100,)]  # whole per cent of each ballot, never cents
    counts = published["counts"]
    assert counts == {
        str(alpha.pk): {"250": 1, "1000": 1, "3000": 1},
        str(beta.pk): {"750": 1, "2713": 1},
    }
    contributions = [
        (f"{candidacy}-{cents}-{index}", int(candidacy), Decimal(cents) / 100)
        for candidacy, amounts in counts.items()
        for cents, n in amounts.items()
        for index in range(n)
    ]
    matching = quadratic_funding(contributions, pool=Decimal(100))
    assert {int(k): v for k, v in published["matching"].items()} == {
        pk: int(value * 100) for pk, value in matching.items()
    }


def test_the_publication_threshold_is_a_pool_rule_frozen_into_the_round(admin):
    pool = PoolFactory(host=admin.organisation)
    assert pool.publication_threshold == 5
    with pytest.raises(ValidationError) as refused:
        services.pool_update(pool=pool, actor=admin.user, publication_threshold=0)
    assert "publication_threshold" in refused.value.message_dict
    services.pool_update(pool=pool, actor=admin.user, publication_threshold=2)
    member = PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership
    round_, (alpha,) = voting_round(pool, admin.user, [ProjectFactory()])
    services.pool_update(pool=pool, actor=admin.user, publication_threshold=1)
    _vote(round_, member, {alpha.pk: 3})
    round_ = _close(round_)
    assert round_.publication_threshold == 2
    published = _results(round_)
    assert published["receipts"]["results"][0]["marks"] is None  # 1 voter, fewer than 2
    assert published["college_totals"] == {"": {"voters": 1, "marks": {str(alpha.pk): {"3": 1}}}}
