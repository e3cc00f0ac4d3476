"""#19: during an allocation vote, the matching each commons would get if the vote closed now,
published only when the pool says so and once enough members voted that no ballot stands out;
it is the tally's own computation, so the projection at the last ballot is the result."""

import pytest
from djmoney.money import Money
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pledges import ballots, services
from pledges.publication import round_projected_matching
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory, voting_round
from .support import close_vote, vote

pytestmark = pytest.mark.django_db


def _allocation_round(pool, admin, *, public=True, threshold=2, members=4):
    pool = services.pool_update(
        pool=pool,
        actor=admin.user,
        round_kind="allocation",
        projected_match_public=public,
        publication_threshold=threshold,
    )
    people = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool), amount="40").membership
        for _ in range(members)
    ]
    projects = [ProjectFactory(name=name) for name in ("Alpha", "Beta")]
    round_, candidacies = voting_round(
        pool, admin.user, projects, matching_pool=Money(100, "EUR"), matching_cap_percent=80
    )
    return round_, candidacies, people


def _api(client, round_):
    return client.get(f"/api/v1/rounds/{round_.pk}/").json()["projected_matching"]


def test_the_projection_shows_once_enough_have_voted_and_moves_with_the_ballots(
    client, pool, admin
):
    round_, (alpha, beta), people = _allocation_round(pool, admin)
    page = client.get(round_.get_absolute_url()).text
    assert "Abondement projeté" in page and "(0 jusqu’ici)" in page
    assert _api(client, round_) == {"voters": 0, "threshold": 2, "shown": False, "matching": {}}

    vote(round_, people[0], {alpha.pk: 4000})
    ballots.ballots_unseal(round_=round_)
    assert _api(client, round_)["matching"] == {}  # one ballot would be singled out
    vote(round_, people[1], {alpha.pk: 1000, beta.pk: 3000})
    assert _api(client, round_)["voters"] == 1  # still in the box: not counted yet
    ballots.ballots_unseal(round_=round_)
    first = _api(client, round_)
    assert first["shown"] is True and set(first["matching"]) == {str(alpha.pk), str(beta.pk)}
    assert sum(first["matching"].values()) <= 100_00
    page = client.get(round_.get_absolute_url()).text.replace("\u202f", " ")
    assert "Alpha" in page and "€" in page and 'class="progress-received"' in page

    vote(round_, people[2], {beta.pk: 4000})
    vote(round_, people[3], {beta.pk: 4000})
    ballots.ballots_unseal(round_=round_)
    moved = _api(client, round_)["matching"]
    assert moved[str(beta.pk)] > first["matching"][str(beta.pk)]  # more people back Beta
    round_ = close_vote(round_)
    assert round_.results["matching"] == moved  # the projection was the tally


def test_nothing_is_projected_unless_the_pool_publishes_it(client, pool, admin):
    round_, (alpha, _beta), people = _allocation_round(pool, admin, public=False)
    for person in people:
        vote(round_, person, {alpha.pk: 4000})
    assert _api(client, round_) is None
    assert "Abondement projeté" not in client.get(round_.get_absolute_url()).text


def test_a_rotation_round_has_no_projection(client, pool, admin):
    PledgeFactory(membership=PoolMembershipFactory(pool=pool))
    round_, _candidacies = voting_round(pool, admin.user, [ProjectFactory()])
    services.pool_update(pool=pool, actor=admin.user, projected_match_public=True)
    assert _api(client, round_) is None


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(splits=st.lists(st.integers(min_value=0, max_value=4000), min_size=2, max_size=4))
def test_the_projection_at_the_last_ballot_is_the_result_to_the_cent(admin, splits):
    pool = PoolFactory(host=admin.organisation)  # a new pool per example
    round_, (alpha, beta), people = _allocation_round(pool, admin, members=len(splits))
    for person, to_alpha in zip(people, splits, strict=True):
        marks = {alpha.pk: to_alpha, beta.pk: 4000 - to_alpha}
        vote(round_, person, {pk: cents for pk, cents in marks.items() if cents})
    ballots.ballots_unseal(round_=round_)
    projected = round_projected_matching(round_=round_)
    assert projected is not None and projected.shown
    round_ = close_vote(round_)
    assert round_.results["matching"] == {str(k): v for k, v in projected.per_candidacy.items()}
