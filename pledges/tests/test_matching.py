"""#19: the matching pool is a pool rule (amount, funder, cap per commons), frozen into a
round when its vote opens, and its money really moves: from the host's own books by
internal transfer, or asked of another structure by bank transfer before the commons are
paid."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from djmoney.money import Money

from commons_fund.ledger.selectors import account_balance, ledger_totals
from commons_fund.ledger.services import account_get_or_create
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory, OrganisationFactory
from commons_fund.payments import services as payments
from commons_fund.payments.models import Charge, ChargeStatus, Payout
from commons_fund.payments.tests.factories import BankAccountFactory
from pledges import collecting, notifications, rounds, services
from pledges.models import RoundState
from pledges.services import pool_centre
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolMembershipFactory, voting_round
from .support import close_vote, transfers_received, vote

pytestmark = pytest.mark.django_db


def _matched_pool(pool, admin, **rules):
    pool = services.pool_update(
        pool=pool,
        actor=admin.user,
        round_kind="allocation",
        matching_pool="100",
        matching_cap_percent=80,
        **rules,
    )
    BankAccountFactory(organisation=pool.host)
    people = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool), amount="10").membership
        for _ in range(3)
    ]
    projects = [ProjectFactory(name=name) for name in ("Alpha", "Beta")]
    for project in projects:
        BankAccountFactory(organisation=project.host)
    return pool, people, projects


def _tallied_and_collected(pool, admin, people, projects):
    round_, (alpha, beta) = voting_round(pool, admin.user, projects)
    for person, split in zip(people, ((1000, 0), (500, 500), (0, 1000)), strict=True):
        vote(round_, person, {alpha.pk: split[0], beta.pk: split[1]})
    round_ = collecting.round_collect(round_=close_vote(round_))
    transfers_received(round_, admin.user)
    round_.refresh_from_db()
    return round_


def _bank(**where):
    return account_balance(account=account_get_or_create(purpose="bank", **where)).posted


def test_the_pools_matching_is_frozen_when_the_vote_opens(pool, admin):
    pool, _people, projects = _matched_pool(pool, admin)
    later = rounds.round_schedule(pool=pool, actor=admin.user)
    assert later.matching_pool == Money(100, "EUR")  # the pool's rule
    services.pool_update(pool=pool, actor=admin.user, matching_pool="60", matching_cap_percent=None)
    later.refresh_from_db()
    assert (later.matching_pool, later.matching_cap_percent) == (
        Money(60, "EUR"),
        None,
    )  # not voting yet
    services.pool_update(pool=pool, actor=admin.user, matching_pool="100", matching_cap_percent=80)
    round_, _candidacies = voting_round(pool, admin.user, projects)
    assert (round_.matching_pool, round_.matching_cap_percent) == (Money(100, "EUR"), 80)
    assert round_.matching_funder is None  # the host
    services.pool_update(pool=pool, actor=admin.user, matching_pool="5000")
    round_.refresh_from_db()
    assert round_.matching_pool == Money(100, "EUR")  # a vote under way keeps its rules


def test_a_host_funds_the_matching_from_its_own_books(pool, admin):
    pool, people, projects = _matched_pool(pool, admin)
    round_ = _tallied_and_collected(pool, admin, people, projects)
    shared = sum(round_.results["matching"].values())
    assert 0 < shared <= 100_00
    assert not Charge.objects.filter(credit_purpose__in=["donations", "subsidies"]).exists()

    round_ = collecting.round_pay_out(round_=round_)
    assert round_.state == RoundState.PAID_OUT and round_.results["matching_paid"] == shared
    assert sum(Payout.objects.values_list("amount", flat=True)) == 30_00 + shared
    host = pool.host
    assert _bank(centre=pool_centre(pool=pool)) == 30_00 + shared  # before the bank pays
    assert _bank(organisation=host) == -shared  # the host's own money, moved to the pool
    assert all(total == 0 for total in ledger_totals().values())


def test_another_structure_is_asked_for_the_matching_and_the_commons_wait_for_it(
    pool, admin, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://fonds.example"
    region = OrganisationFactory(name="Région Normandie", legal_form="local_authority")
    treasurer = MembershipFactory(organisation=region, role=Role.TREASURER).user
    PoolMembershipFactory(pool=pool, organisation=region, user=None)  # it joined the pool
    pool, people, projects = _matched_pool(pool, admin, matching_funder=region)
    round_ = _tallied_and_collected(pool, admin, people, projects)
    shared = sum(round_.results["matching"].values())
    asked = round_.matching_charge
    assert (asked.organisation, asked.amount, asked.status) == (
        region,
        shared,
        ChargeStatus.AWAITING_TRANSFER,
    )
    assert (asked.credit_purpose, asked.centre) == ("subsidies", pool_centre(pool=pool))

    assert notifications.round_notify(round_=round_, event="matching_due") == 1
    message = mail.outbox[-1]
    assert message.to == [treasurer.email] and asked.transfer_reference in message.body
    assert "Région Normandie" in message.body
    assert [name for name, _png, _type in message.attachments] == ["virement-qr.png"]

    # The members' money is in, the matching is not: nobody is paid yet.
    assert collecting.round_pay_out(round_=round_).state == RoundState.COLLECTING
    assert not Payout.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        payments.transfer_record_receipt(
            charge=asked,
            amount=f"{shared / 100:.2f}",
            received_on=timezone.localdate(),
            actor=admin.user,
        )
    round_.refresh_from_db()  # the settled charge moved the round at once
    assert round_.state == RoundState.PAID_OUT
    assert sum(Payout.objects.values_list("amount", flat=True)) == 30_00 + shared
    assert _bank(centre=pool_centre(pool=pool)) == 30_00 + shared
    assert all(total == 0 for total in ledger_totals().values())


def test_a_matching_never_paid_leaves_the_commons_with_the_members_money(pool, admin):
    region = OrganisationFactory(name="Région Normandie")
    PoolMembershipFactory(pool=pool, organisation=region, user=None)
    pool, people, projects = _matched_pool(pool, admin, matching_funder=region)
    round_ = _tallied_and_collected(pool, admin, people, projects)
    Charge.objects.filter(pk=round_.matching_charge_id).update(status=ChargeStatus.CANCELLED)
    round_ = collecting.round_pay_out(round_=round_)
    assert round_.state == RoundState.PAID_OUT and round_.results["matching_paid"] == 0
    assert sum(Payout.objects.values_list("amount", flat=True)) == 30_00


def test_the_round_moves_on_by_itself_once_the_vote_closes(pool, admin):
    """The beat's sweep: tally, collect, ask the funder — in one pass."""
    pool, people, projects = _matched_pool(pool, admin)
    round_, (alpha, _beta) = voting_round(pool, admin.user, projects)
    vote(round_, people[0], {alpha.pk: 1000})
    vote(round_, people[1], {alpha.pk: 1000})
    round_ = rounds.round_advance(round_=round_, now=round_.voting_closes_at + timedelta(minutes=1))
    assert round_.state == RoundState.COLLECTING


def test_a_matching_never_transferred_is_given_up_after_the_wait(
    pool, admin, settings, django_capture_on_commit_callbacks
):
    """The funder was asked and never paid nor refused: the round waited forever. After
    POOL_MATCHING_WAIT_DAYS the transfer is given up and the commons get the members' money."""
    settings.POOL_MATCHING_WAIT_DAYS = 30
    region = OrganisationFactory(name="Région Normandie")
    PoolMembershipFactory(pool=pool, organisation=region, user=None)
    pool, people, projects = _matched_pool(pool, admin, matching_funder=region)
    round_ = _tallied_and_collected(pool, admin, people, projects)
    assert collecting.round_pay_out(round_=round_).state == RoundState.COLLECTING  # waits
    Charge.objects.filter(pk=round_.matching_charge_id).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    with django_capture_on_commit_callbacks(execute=True):
        round_ = collecting.round_pay_out(round_=round_)
    asked = Charge.objects.get(pk=round_.matching_charge_id)
    assert asked.status == ChargeStatus.CANCELLED and "30" in asked.failure_message
    assert round_.state == RoundState.PAID_OUT and round_.results["matching_paid"] == 0
    assert sum(Payout.objects.values_list("amount", flat=True)) == 30_00
