from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from commons_fund.ledger.selectors import account_balance, ledger_totals
from commons_fund.ledger.services import account_get_or_create
from commons_fund.members.tests.factories import UserFactory
from pledges import ballots, rounds, selectors, services
from pledges.models import (
    Ballot,
    BallotLine,
    CollectionStatus,
    PoolMembership,
    RoundState,
    SealedBallot,
    VoterRoll,
)
from pledges.voting import draw
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolMembershipFactory, voting_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(pool):
    return [PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(5)]


@pytest.fixture
def projects():
    return [ProjectFactory(name=name, slug=name.lower()) for name in ("Alpha", "Beta", "Gamma")]


def _round(pool, admin, projects):
    return voting_round(pool, admin.user, projects)


def _vote(round_, membership, marks):
    return ballots.ballot_cast(
        round_=round_, membership=membership, actor=membership.user, marks=marks
    )


def _close(round_):
    return rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(seconds=1))


def _pending(pool):
    account = account_get_or_create(purpose="pledges_receivable", organisation=pool.host)
    return account_balance(account=account)


def test_a_rotation_round_from_promises_to_winner(pool, admin, members, projects):
    round_, (alpha, beta, gamma) = _round(pool, admin, projects)
    assert round_.state == RoundState.VOTING
    assert (round_.electorate, round_.voting_method) == (5, "majority_judgment")
    assert round_.seed.startswith("normandie:1:")
    assert round_.collections.count() == 5
    assert _pending(pool).pending == 5000  # 5 promises of 10 € are pending commitments
    assert _pending(pool).posted == 0

    grades = [(6, 2, 1), (5, 3, 0), (5, 6, 0), (2, 5, 0)]
    receipts = [
        _vote(round_, member, {alpha.pk: a, beta.pk: b, gamma.pk: c})
        for member, (a, b, c) in zip(members, grades, strict=False)
    ]
    assert len(set(receipts)) == 4
    assert VoterRoll.objects.count() == SealedBallot.objects.count() == 4  # in the box
    assert not Ballot.objects.exists()
    assert rounds.round_tally(round_=round_).state == RoundState.VOTING  # not closed yet
    round_ = _close(round_)
    assert round_.state == RoundState.TALLIED
    assert round_.winner == alpha
    ranking = round_.results["ranking"]
    assert [row["candidacy"] for row in ranking] == [alpha.pk, beta.pk, gamma.pk]
    assert ranking[0]["counts"] == [0, 0, 1, 0, 0, 2, 1]
    assert round_.results["pot"] == 5000 and round_.results["tie_break"] is None
    assert set(round_.collections.values_list("status", flat=True)) == {CollectionStatus.DUE}
    assert _close(round_).state == RoundState.TALLIED  # idempotent
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
    round_, (alpha, beta, gamma) = _round(pool, admin, projects)
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
            _vote(round_, member, marks)
    assert not VoterRoll.objects.exists() and not SealedBallot.objects.exists()
    receipt = _vote(round_, member, {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})
    with pytest.raises(ValidationError):  # a second ballot without the receipt
        _vote(round_, member, {alpha.pk: 0, beta.pk: 0, gamma.pk: 0})
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
        _vote(round_, outsider, {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})


def test_quadratic_and_approval_ballots(pool, admin, members, projects):
    services.pool_update(
        pool=pool, actor=admin.user, voting_method="quadratic", quadratic_credits=25
    )
    round_, (alpha, beta, gamma) = _round(pool, admin, projects)
    with pytest.raises(ValidationError) as raised:
        _vote(round_, members[0], {alpha.pk: 5, beta.pk: 1})  # 26 credits of 25
    assert "26" in raised.value.message_dict["marks"][0]
    with pytest.raises(ValidationError):
        _vote(round_, members[0], {alpha.pk: -1})
    _vote(round_, members[0], {alpha.pk: 4, beta.pk: 3})  # 16 + 9 = 25 credits
    _vote(round_, members[1], {alpha.pk: 3, beta.pk: 4})
    _vote(round_, members[2], {gamma.pk: 5})
    _vote(round_, members[3], {alpha.pk: 3})
    round_ = _close(round_)
    scores = {row["candidacy"]: row["score"] for row in round_.results["ranking"]}
    assert scores == {alpha.pk: 10, beta.pk: 7, gamma.pk: 5}
    assert round_.winner == alpha


def test_rules_are_frozen_once_the_vote_opens(pool, admin, members, projects):
    round_, (alpha, beta, gamma) = _round(pool, admin, projects)
    services.pool_update(pool=pool, actor=admin.user, voting_method="approval", quorum_percent=100)
    round_.refresh_from_db()
    assert (round_.voting_method, round_.quorum_percent) == ("majority_judgment", 50)
    for member in members[:3]:
        _vote(round_, member, {alpha.pk: 3, beta.pk: 4, gamma.pk: 0})
    assert _close(round_).winner == beta  # counted by majority judgment, quorum 50 %


def test_a_tie_is_broken_by_the_published_draw(pool, admin, members, projects):
    round_, (alpha, beta, gamma) = _round(pool, admin, projects)
    for member in members[:3]:
        _vote(round_, member, {alpha.pk: 5, beta.pk: 5, gamma.pk: 1})
    round_ = _close(round_)
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
    round_, (alpha, beta, gamma) = _round(pool, admin, projects)
    for member in few:
        _vote(round_, member, {alpha.pk: 6, beta.pk: 0, gamma.pk: 0})
    for member in many:
        _vote(round_, member, {alpha.pk: 0, beta.pk: 6, gamma.pk: 0})
    round_ = _close(round_)
    assert round_.winner == alpha  # 70 % of the weight, though 2 voters against 6
    counts = {row["candidacy"]: row["counts"] for row in round_.results["ranking"]}
    assert counts[alpha.pk][6] * 30 == counts[alpha.pk][0] * 70


def test_no_quorum_reopens_once_then_voids_every_promise(pool, admin, members, projects):
    round_, (alpha, beta, gamma) = _round(pool, admin, projects)
    _vote(round_, members[0], {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})
    round_ = _close(round_)
    assert (round_.state, round_.reopened) == (RoundState.VOTING, True)
    round_ = _close(round_)
    assert round_.state == RoundState.NO_QUORUM
    assert "1" in round_.reason and "5" in round_.reason
    assert set(round_.collections.values_list("status", flat=True)) == {CollectionStatus.VOIDED}
    assert _pending(pool).pending == 0 and _pending(pool).posted == 0
    assert _close(round_).state == RoundState.NO_QUORUM


def test_pot_below_minimum_voids_and_cancel_voids(pool, admin, members, projects):
    services.pool_update(pool=pool, actor=admin.user, minimum_pot="100")
    round_, (alpha, beta, gamma) = _round(pool, admin, projects)
    for member in members:
        _vote(round_, member, {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})
    round_ = _close(round_)
    assert round_.state == RoundState.BELOW_MINIMUM
    assert _pending(pool).pending == 0

    services.pool_update(pool=pool, actor=admin.user, minimum_pot="0")
    second, _candidacies = _round(pool, admin, projects)
    assert _pending(pool).pending == 5000
    with pytest.raises(PermissionDenied):
        rounds.round_cancel(round_=second, actor=members[0].user, reason="non")
    with pytest.raises(ValidationError):
        rounds.round_cancel(round_=second, actor=admin.user, reason=" ")
    second = rounds.round_cancel(round_=second, actor=admin.user, reason="Erreur de dates")
    assert second.state == RoundState.CANCELLED
    assert _pending(pool).pending == 0
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
    first, _candidacies = _round(pool, admin, projects)
    first = _close(first)
    assert first.state == RoundState.NO_QUORUM
    assert set(first.collections.values_list("status", flat=True)) == {
        CollectionStatus.PROMISED
    }  # nothing charged, nothing voided
    assert _pending(pool).pending == 5000
    second, (alpha, beta, gamma) = _round(pool, admin, projects)
    assert second.rolled_over == 5000
    assert second.pot_collections.count() == 10
    for member in members[:3]:
        _vote(second, member, {alpha.pk: 6, beta.pk: 2, gamma.pk: 0})
    second = _close(second)
    assert second.state == RoundState.TALLIED
    assert second.results["pot"] == 10000
    assert second.pot_collections.filter(status=CollectionStatus.DUE).count() == 10
    assert _pending(pool).pending == 10000


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
        matching_pool=10_000,
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
        _vote(round_, members[0], {alpha.pk: 500, beta.pk: 400})
    _vote(round_, members[0], {alpha.pk: 500, beta.pk: 500})
    _vote(round_, members[1], {alpha.pk: 2000})
    _vote(round_, members[2], {beta.pk: 3000})  # members[3] (40 €) does not vote
    round_ = _close(round_)
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


def test_a_card_no_longer_usable_fails_the_attempt_then_defaults(pool, admin, projects, settings):
    from commons_fund.payments.models import Customer, SavedPaymentMethod
    from pledges import collecting

    settings.POOL_RETRY_DAYS = [0]
    member = PoolMembershipFactory(pool=pool)
    customer = Customer.objects.create(user=member.user, stripe_id="cus_gone")
    card = SavedPaymentMethod.objects.create(
        customer=customer, stripe_id="pm_gone", kind="card", label="Visa •••• 4242", active=True
    )
    PledgeFactory(membership=member, method="card", saved_method=card)
    round_, _candidacies = _round(pool, admin, projects)
    _vote(round_, member, {c.pk: 3 for c in round_.candidacies.all()})
    round_ = collecting.round_collect(round_=_close(round_))
    SavedPaymentMethod.objects.filter(pk=card.pk).update(active=False)  # detached meanwhile
    collection = round_.pot_collections.get()
    collection = collecting.collection_attempt(collection=collection)
    assert (collection.status, collection.attempts, collection.charge) == (
        CollectionStatus.FAILED,
        1,
        None,
    )
    collection = collecting.collection_attempt(collection=collection)
    assert (collection.status, collection.attempts) == (CollectionStatus.DEFAULTED, 2)
    assert _pending(pool).pending == 0
    assert collecting.round_pay_out(round_=round_).state == RoundState.PAID_OUT


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("stripe_api")
def test_a_try_cut_short_and_delivered_again_sends_the_same_charge_once(
    pool, admin, projects, monkeypatch
):
    """A worker lost after writing the charge, or after Stripe created the PaymentIntent but
    before the answer was saved: the task, delivered again, sends the same charge with the
    same idempotency key — one PaymentIntent, one collection."""
    from commons_fund.payments import services as payments
    from commons_fund.payments import stripe_client
    from commons_fund.payments.models import Charge, ChargeStatus
    from pledges import collecting

    member = PoolMembershipFactory(pool=pool)
    method = stripe_client.client().v1.payment_methods.create(
        params={
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    )
    card = payments.payment_method_save_card(payer=member.user, stripe_payment_method=method.id)
    PledgeFactory(membership=member, method="card", saved_method=card)
    round_, _candidacies = _round(pool, admin, projects)
    _vote(round_, member, {c.pk: 3 for c in round_.candidacies.all()})
    round_ = collecting.round_collect(round_=_close(round_))
    collection = round_.pot_collections.get()
    # The first try wrote its charge, then its worker died before Stripe answered.
    with monkeypatch.context() as patched:
        patched.setattr(payments, "charge_submit", lambda *, charge: charge)
        collection = collecting.collection_attempt(collection=collection)
    assert (collection.status, collection.charge.status) == (
        CollectionStatus.DUE,
        ChargeStatus.PENDING,
    )
    # Stripe did receive it once (same idempotency key as charge_submit's) …
    charge = collection.charge
    stripe_client.payment_intent_create_off_session(
        amount=charge.amount,
        currency=charge.currency,
        customer_id=card.customer.stripe_id,
        payment_method_id=card.stripe_id,
        idempotency_key=f"charge-{charge.pk}",
        metadata={"charge_id": str(charge.pk)},
        description=charge.description,
    )
    # … and the task is delivered again, twice.
    for _delivery in range(2):
        collection = collecting.collection_attempt(collection=collection)
    assert (collection.status, collection.attempts) == (CollectionStatus.SUCCEEDED, 1)
    assert Charge.objects.filter(cause_id=str(collection.pk)).count() == 1
    intents = stripe_client.client().v1.payment_intents.list(params={"limit": 100})
    assert [intent.id for intent in intents.data] == [collection.charge.stripe_payment_intent]
    assert _pending(pool).pending == 0


@pytest.mark.django_db(transaction=True)  # the tasks are queued when the collection commits
def test_a_round_collected_while_the_broker_is_down_is_charged_once_it_is_back(
    pool, admin, projects, monkeypatch
):
    """Probe of issue #17, point 6: a round whose collection started while the broker was down
    stayed with its promises due and no charge, for ever. Queuing now never fails the
    request, and the hourly sweep queues the promises left without a charge."""
    from datetime import timedelta

    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    from commons_fund.payments.models import Charge
    from pledges import collecting, tasks

    members = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(3)
    ]
    round_, _candidacies = _round(pool, admin, projects)
    for member in members:
        _vote(round_, member, {c.pk: 3 for c in round_.candidacies.all()})

    def broker_down(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    sent = []
    with monkeypatch.context() as patched:
        patched.setattr(Task, "apply_async", broker_down)
        round_ = collecting.round_collect(round_=_close(round_))  # no exception for the caller
    assert round_.state == RoundState.COLLECTING
    assert set(round_.pot_collections.values_list("status", flat=True)) == {CollectionStatus.DUE}
    assert not Charge.objects.exists()

    monkeypatch.setattr(tasks.collection_attempt, "delay", lambda pk: sent.append(pk))
    later = timezone.now() + timedelta(minutes=11)
    assert collecting.collections_retry_due(now=later) == 3
    for pk in sent:  # what the worker does with each queued task
        tasks.collection_attempt(pk)
    assert Charge.objects.count() == 3
    assert set(round_.pot_collections.values_list("charge__method", flat=True)) == {"transfer"}
    sent.clear()
    assert collecting.collections_retry_due(now=later) == 0  # charged once, never again


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
