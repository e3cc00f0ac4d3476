from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from djmoney.money import Money

from commons_fund.ledger.selectors import ledger_totals
from commons_fund.members.tests.factories import UserFactory
from commons_fund.payments.tests.factories import StripeAccountFactory
from pledges import ballots, rounds, selectors, services
from pledges.models import (
    Ballot,
    BallotLine,
    InstalmentStatus,
    PoolMembership,
    RoundState,
    SealedBallot,
    VoterRoll,
)
from pledges.voting import draw
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolMembershipFactory
from .support import close_vote, open_round, pending, vote

pytestmark = pytest.mark.django_db


def test_a_rotation_round_from_promises_to_winner(pool, admin, members, projects):
    round_, (alpha, beta, gamma) = open_round(pool, admin, projects)
    assert round_.state == RoundState.VOTING
    assert (round_.electorate, round_.voting_method) == (5, "majority_judgment")
    assert round_.seed.startswith("normandie:1:")
    assert round_.instalments.count() == 5
    assert pending(pool).pending == 5000  # 5 promises of 10 € are pending commitments
    assert pending(pool).posted == 0

    grades = [(6, 2, 1), (5, 3, 0), (5, 6, 0), (2, 5, 0)]
    receipts = [
        vote(round_, member, {alpha.pk: a, beta.pk: b, gamma.pk: c})
        for member, (a, b, c) in zip(members, grades, strict=False)
    ]
    assert len(set(receipts)) == 4
    assert VoterRoll.objects.count() == SealedBallot.objects.count() == 4  # in the box
    assert not Ballot.objects.exists()
    assert rounds.round_tally(round_=round_).state == RoundState.VOTING  # not closed yet
    round_ = close_vote(round_)
    assert round_.state == RoundState.TALLIED
    assert round_.winner == alpha
    ranking = round_.results["ranking"]
    assert [row["candidacy"] for row in ranking] == [alpha.pk, beta.pk, gamma.pk]
    assert ranking[0]["counts"] == [0, 0, 1, 0, 0, 2, 1]
    assert round_.results["pot"] == 5000 and round_.results["tie_break"] is None
    assert set(round_.instalments.values_list("status", flat=True)) == {InstalmentStatus.DUE}
    assert close_vote(round_).state == RoundState.TALLIED  # idempotent
    assert ledger_totals() == {} or all(total == 0 for total in ledger_totals().values())

    rotation = selectors.rotation(pool=pool)
    assert rotation.won == {projects[0].pk}
    assert rotation.waiting == {projects[1].pk, projects[2].pk}
    second = rounds.round_schedule(pool=pool, actor=admin.user)
    with pytest.raises(ValidationError) as raised:
        rounds.candidacy_nominate(round_=second, actor=admin.user, project=projects[0])
    assert "project" in raised.value.message_dict
    rounds.candidacy_nominate(round_=second, actor=admin.user, project=projects[1])


def test_ballots_are_secret_checked_and_replaced_only_with_the_receipt(
    pool, admin, members, projects
):
    round_, (alpha, beta, gamma) = open_round(pool, admin, projects)
    member = members[0]
    linked = {f.related_model for f in Ballot._meta.get_fields() if f.is_relation}
    assert not linked & {PoolMembership, type(member.user), VoterRoll}
    for marks in (
        {alpha.pk: 6, beta.pk: 2},
        {alpha.pk: 7, beta.pk: 2, gamma.pk: 0},
        {alpha.pk: "x", beta.pk: 2, gamma.pk: 0},
        {alpha.pk: 6, beta.pk: 2, gamma.pk: 0, 999: 1},
    ):
        with pytest.raises(ValidationError):
            vote(round_, member, marks)
    assert not VoterRoll.objects.exists() and not SealedBallot.objects.exists()
    receipt = vote(round_, member, {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})
    with pytest.raises(ValidationError):  # a second ballot without the receipt
        vote(round_, member, {alpha.pk: 0, beta.pk: 0, gamma.pk: 0})
    with pytest.raises(PermissionDenied):  # somebody else votes for the member
        ballots.ballot_cast(
            round_=round_,
            membership=member,
            actor=UserFactory(),
            marks={alpha.pk: 0, beta.pk: 0, gamma.pk: 0},
        )
    new = ballots.ballot_cast(
        round_=round_,
        membership=member,
        actor=member.user,
        marks={alpha.pk: 1, beta.pk: 1, gamma.pk: 1},
        previous_receipt=receipt.lower(),
    )
    assert new != receipt
    assert list(SealedBallot.objects.values_list("receipt", flat=True)) == [new]
    ballots.ballots_unseal(round_=round_)
    assert list(Ballot.objects.values_list("receipt", flat=True)) == [new]
    assert set(BallotLine.objects.values_list("value", flat=True)) == {1}
    outsider = PoolMembershipFactory(pool=pool)  # joined after the vote opened
    with pytest.raises(ValidationError):
        vote(round_, outsider, {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})


def test_quadratic_and_approval_ballots(pool, admin, members, projects):
    services.pool_update(
        pool=pool, actor=admin.user, voting_method="quadratic", quadratic_credits=25
    )
    round_, (alpha, beta, gamma) = open_round(pool, admin, projects)
    with pytest.raises(ValidationError) as raised:
        vote(round_, members[0], {alpha.pk: 5, beta.pk: 1})  # 26 credits of 25
    assert "26" in raised.value.message_dict["marks"][0]
    with pytest.raises(ValidationError):
        vote(round_, members[0], {alpha.pk: -1})
    vote(round_, members[0], {alpha.pk: 4, beta.pk: 3})  # 16 + 9 = 25 credits
    vote(round_, members[1], {alpha.pk: 3, beta.pk: 4})
    vote(round_, members[2], {gamma.pk: 5})
    vote(round_, members[3], {alpha.pk: 3})
    round_ = close_vote(round_)
    scores = {row["candidacy"]: row["score"] for row in round_.results["ranking"]}
    assert scores == {alpha.pk: 10, beta.pk: 7, gamma.pk: 5}
    assert round_.winner == alpha


def test_rules_are_frozen_once_the_vote_opens(pool, admin, members, projects):
    round_, (alpha, beta, gamma) = open_round(pool, admin, projects)
    services.pool_update(pool=pool, actor=admin.user, voting_method="approval", quorum_percent=100)
    round_.refresh_from_db()
    assert (round_.voting_method, round_.quorum_percent) == ("majority_judgment", 50)
    for member in members[:3]:
        vote(round_, member, {alpha.pk: 3, beta.pk: 4, gamma.pk: 0})
    assert close_vote(round_).winner == beta  # counted by majority judgment, quorum 50 %


def test_a_tie_is_broken_by_the_published_draw(pool, admin, members, projects):
    round_, (alpha, beta, gamma) = open_round(pool, admin, projects)
    for member in members[:3]:
        vote(round_, member, {alpha.pk: 5, beta.pk: 5, gamma.pk: 1})
    round_ = close_vote(round_)
    tie = round_.results["tie_break"]
    assert sorted(tie["among"]) == sorted([alpha.pk, beta.pk])
    assert tie["order"] == draw(tie["among"], round_.seed)
    assert round_.winner_id == tie["order"][0]


def test_colleges_weigh_their_result_whatever_their_size(pool, admin, projects):
    founders = services.college_add(
        pool=pool, actor=admin.user, name="Fondateurs", weight_percent=70
    )
    users = services.college_add(pool=pool, actor=admin.user, name="Usagers", weight_percent=30)
    with pytest.raises(ValidationError):
        services.college_add(pool=pool, actor=admin.user, name="Soutiens", weight_percent=1)
    few = [PoolMembershipFactory(pool=pool, college=founders) for _ in range(2)]
    many = [PoolMembershipFactory(pool=pool, college=users) for _ in range(6)]
    round_, (alpha, beta, gamma) = open_round(pool, admin, projects)
    for member in few:
        vote(round_, member, {alpha.pk: 6, beta.pk: 0, gamma.pk: 0})
    for member in many:
        vote(round_, member, {alpha.pk: 0, beta.pk: 6, gamma.pk: 0})
    round_ = close_vote(round_)
    assert round_.winner == alpha  # 70 % of the weight, though 2 voters against 6
    counts = {row["candidacy"]: row["counts"] for row in round_.results["ranking"]}
    assert counts[alpha.pk][6] * 30 == counts[alpha.pk][0] * 70


def test_no_quorum_reopens_once_then_voids_every_promise(pool, admin, members, projects):
    round_, (alpha, beta, gamma) = open_round(pool, admin, projects)
    vote(round_, members[0], {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})
    round_ = close_vote(round_)
    assert (round_.state, round_.reopened) == (RoundState.VOTING, True)
    round_ = close_vote(round_)
    assert round_.state == RoundState.NO_QUORUM
    assert "1" in round_.reason and "5" in round_.reason
    assert set(round_.instalments.values_list("status", flat=True)) == {InstalmentStatus.VOIDED}
    assert pending(pool).pending == 0 and pending(pool).posted == 0
    assert close_vote(round_).state == RoundState.NO_QUORUM


def test_pot_below_minimum_voids_and_cancel_voids(pool, admin, members, projects):
    services.pool_update(pool=pool, actor=admin.user, minimum_pot="100")
    round_, (alpha, beta, gamma) = open_round(pool, admin, projects)
    for member in members:
        vote(round_, member, {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})
    round_ = close_vote(round_)
    assert round_.state == RoundState.BELOW_MINIMUM
    assert pending(pool).pending == 0

    services.pool_update(pool=pool, actor=admin.user, minimum_pot="0")
    second, _candidacies = open_round(pool, admin, projects)
    assert pending(pool).pending == 5000
    with pytest.raises(PermissionDenied):
        rounds.round_cancel(round_=second, actor=members[0].user, reason="non")
    with pytest.raises(ValidationError):
        rounds.round_cancel(round_=second, actor=admin.user, reason=" ")
    second = rounds.round_cancel(round_=second, actor=admin.user, reason="Erreur de dates")
    assert second.state == RoundState.CANCELLED
    assert pending(pool).pending == 0
    assert all(total == 0 for total in ledger_totals().values())


def test_rounds_advance_moves_rounds_whose_deadline_passed(pool, admin, members, projects):
    now = timezone.now()
    round_ = rounds.round_schedule(
        pool=pool,
        actor=admin.user,
        nominations_open_at=now,
        voting_opens_at=now + timedelta(days=1),
        voting_closes_at=now + timedelta(days=2),
    )
    assert rounds.rounds_advance(now=now) == 1
    for project in projects:
        rounds.candidacy_nominate(round_=round_, actor=members[0].user, project=project)
    assert rounds.rounds_advance(now=now) == 0
    assert rounds.rounds_advance(now=now + timedelta(days=1)) == 1
    round_.refresh_from_db()
    assert round_.state == RoundState.VOTING


def test_pledges_follow_the_pool_rules(pool, admin):
    person = UserFactory()
    pool = services.pool_update(
        pool=pool, actor=admin.user, membership_policy="approval", collection_methods="stripe"
    )
    membership = services.pool_join(pool=pool, actor=person)
    assert membership.status == "pending"
    with pytest.raises(ValidationError):
        services.pledge_create(membership=membership, actor=person, amount="10", method="transfer")
    services.membership_approve(membership=membership, actor=admin.user)
    membership.refresh_from_db()
    with pytest.raises(ValidationError, match="Stripe") as raised:  # its host takes transfers
        services.pledge_create(membership=membership, actor=person, amount="10", method="card")
    assert "method" in raised.value.message_dict
    StripeAccountFactory(organisation=pool.host)  # the host connects its Stripe account
    with pytest.raises(ValidationError) as raised:
        services.pledge_create(membership=membership, actor=person, amount="10", method="transfer")
    assert "method" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        services.pledge_create(membership=membership, actor=person, amount="10", method="card")
    assert "saved_method" in raised.value.message_dict
    services.pool_update(pool=pool, actor=admin.user, collection_methods="both")
    for amount in ("-5", "0", "10^12", "2000000"):
        with pytest.raises(ValidationError):
            services.pledge_create(
                membership=membership, actor=person, amount=amount, method="transfer"
            )
    with pytest.raises(PermissionDenied):
        services.pledge_create(
            membership=membership, actor=UserFactory(), amount="10", method="transfer"
        )
    pledge = services.pledge_create(
        membership=membership, actor=person, amount="12,50", method="transfer", rounds_total=2
    )
    with pytest.raises(ValidationError):
        services.pledge_create(membership=membership, actor=person, amount="5", method="transfer")
    pledge = services.pledge_change(pledge=pledge, actor=person, amount="15")
    pledge = services.pledge_set_status(pledge=pledge, actor=person, status="paused")
    pledge = services.pledge_set_status(pledge=pledge, actor=person, status="cancelled")
    with pytest.raises(ValidationError):
        services.pledge_set_status(pledge=pledge, actor=person, status="active")


def test_without_quorum_the_pot_rolls_over_into_the_next_round(pool, admin, members, projects):
    pool = services.pool_update(pool=pool, actor=admin.user, no_quorum_rule="roll_over")
    first, _candidacies = open_round(pool, admin, projects)
    first = close_vote(first)
    assert first.state == RoundState.NO_QUORUM
    assert set(first.instalments.values_list("status", flat=True)) == {
        InstalmentStatus.PROMISED
    }  # nothing charged, nothing voided
    assert pending(pool).pending == 5000
    second, (alpha, beta, gamma) = open_round(pool, admin, projects)
    assert second.rolled_over == Money(50, "EUR")
    assert second.pot_instalments.count() == 10
    for member in members[:3]:
        vote(second, member, {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})
    second = close_vote(second)
    assert second.state == RoundState.TALLIED
    assert second.results["pot"] == 10000
    assert second.pot_instalments.filter(status=InstalmentStatus.DUE).count() == 10
    assert pending(pool).pending == 10000


def test_the_advance_rounds_command_runs_the_same_service(pool, admin, members, projects):
    from io import StringIO

    from django.core.management import call_command

    now = timezone.now()
    round_ = rounds.round_schedule(
        pool=pool,
        actor=admin.user,
        nominations_open_at=now - timedelta(hours=1),
        voting_opens_at=now + timedelta(days=1),
        voting_closes_at=now + timedelta(days=2),
    )
    out = StringIO()
    call_command("advance_rounds", stdout=out)
    assert "1 round" in out.getvalue()
    round_.refresh_from_db()
    assert round_.state == RoundState.NOMINATING


def test_an_allocation_round_splits_promises_and_matches_by_quadratic_funding(pool, admin):
    from pledges import collecting
    from pledges.voting import quadratic_funding

    pool = services.pool_update(pool=pool, actor=admin.user, round_kind="allocation")
    amounts = ["10", "20", "30", "40"]
    members = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool), amount=amount).membership
        for amount in amounts
    ]
    now = timezone.now()
    round_ = rounds.round_schedule(
        pool=pool,
        actor=admin.user,
        nominations_open_at=now - timedelta(days=2),
        voting_opens_at=now - timedelta(days=1),
        voting_closes_at=now + timedelta(days=1),
        matching_pool=Money(100, "EUR"),
        matching_cap_percent=60,
    )
    alpha, beta = (
        rounds.candidacy_nominate(
            round_=round_, actor=admin.user, project=ProjectFactory(slug=slug)
        )
        for slug in ("alpha", "beta")
    )
    round_ = rounds.round_open_voting(round_=round_)
    assert round_.kind == "allocation"
    with pytest.raises(ValidationError):  # 9 € of a 10 € promise
        vote(round_, members[0], {alpha.pk: 500, beta.pk: 400})
    vote(round_, members[0], {alpha.pk: 500, beta.pk: 500})
    vote(round_, members[1], {alpha.pk: 2000})
    vote(round_, members[2], {beta.pk: 3000})  # members[3] (40 €) does not vote
    round_ = close_vote(round_)
    shares = {int(k): v for k, v in round_.results["shares"].items()}
    # 25 € to alpha and 35 € to beta from the voters; the 40 € left shared 25:35.
    assert shares == {alpha.pk: 2500 + 1667, beta.pk: 3500 + 2333}
    assert sum(shares.values()) == 10_000
    matching = {int(k): v for k, v in round_.results["matching"].items()}
    expected = quadratic_funding(
        [(0, alpha.pk, 5), (0, beta.pk, 5), (1, alpha.pk, 20), (2, beta.pk, 30)],
        pool=100,
        cap="0.6",
    )
    assert matching == {pk: int(value * 100) for pk, value in expected.items()}
    assert sum(matching.values()) == 10_000 and max(matching.values()) <= 6_000
    payouts = collecting.payout_amounts(round_, 10_000)
    assert payouts == {pk: shares[pk] + matching[pk] for pk in shares}


def test_opening_early_moves_the_dates_to_now(pool, admin, members, projects, client):
    """#19: "Ouvrir le vote maintenant" left the old dates on the page and in the API."""
    later = timezone.now() + timedelta(days=3)
    round_ = rounds.round_schedule(
        pool=pool,
        actor=admin.user,
        nominations_open_at=later,
        voting_opens_at=later + timedelta(days=7),
        voting_closes_at=later + timedelta(days=14),
    )
    before = timezone.now()
    round_ = rounds.round_open_nominations(round_=round_)
    assert before <= round_.nominations_open_at <= timezone.now()
    rounds.candidacy_nominate(round_=round_, actor=admin.user, project=projects[0])
    round_ = rounds.round_open_voting(round_=round_)
    round_.refresh_from_db()
    assert round_.state == RoundState.VOTING
    assert before <= round_.voting_opens_at <= timezone.now()
    assert round_.voting_closes_at == later + timedelta(days=14)
    shown = client.get(f"/api/v1/rounds/{round_.pk}/").json()
    assert shown["voting_opens_at"].startswith(
        timezone.localtime(round_.voting_opens_at).date().isoformat()
    )
