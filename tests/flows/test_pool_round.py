"""A pool round from the promises to the payout, with a real Celery worker and the local
Stripe stand-in over HTTP: 12 members pledge (cards, SEPA mandates, a transfer, a card that
is declined), 3 commons are nominated, 10 members vote, the round is tallied, the promises
are collected (the declined card tried again, then defaulted), the pot is paid out, and the
next round leaves the winner out by rotation. At every step the ledger balances and the pot
is what was collected."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from commons_fund.ledger.models import Phase
from commons_fund.ledger.selectors import account_balance, ledger_totals
from commons_fund.ledger.services import account_get_or_create
from commons_fund.members.models import Role
from commons_fund.members.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UserFactory,
)
from commons_fund.money import minor_units
from commons_fund.payments import services as payments
from commons_fund.payments.models import Charge, ChargeStatus, Payout, PayoutStatus
from commons_fund.payments.tests.factories import connected_host, saved_card
from pledges import ballots, collecting, rounds, selectors, services
from pledges.models import InstalmentStatus, RoundState
from projects.models import FundingSource, SourceStatus
from projects.selectors import project_plan
from projects.tests.factories import ProjectFactory
from tests.helpers import wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("stripe_api")]

VISA, DECLINED = "4242424242424242", "4000000000000341"
IBAN = "FR1420041010050500013M02606"


def _assert_books_balance(pool, round_):
    assert all(total == 0 for total in ledger_totals().values()), ledger_totals()
    pot = selectors.round_pot(round_=round_)
    succeeded = sum(
        Charge.objects.filter(status=ChargeStatus.SUCCEEDED, books=pool.host).values_list(
            "amount", flat=True
        )
    )
    assert minor_units(pot.collected) == succeeded
    income = account_get_or_create(purpose="contributions", centre=services.pool_centre(pool=pool))
    assert -account_balance(account=income).posted == succeeded


def test_a_pool_round_from_promises_to_payout(celery_worker, settings):
    settings.POOL_RETRY_DAYS = [0]  # the declined card is tried again at once, then defaulted
    host = OrganisationFactory(name="Normandie Libre", slug="normandie-libre")
    treasurer = MembershipFactory(organisation=host, role=Role.ADMIN).user
    payments.bank_account_set(
        organisation=host,
        actor=treasurer,
        holder_name="Normandie Libre",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
    )
    pool = services.pool_create(creator=treasurer, host=host, name="Fonds commun normand")
    connected_host(host)

    people = [UserFactory() for _ in range(12)]
    members = [services.pool_join(pool=pool, actor=person) for person in people]
    methods = (
        [("card", saved_card(person, host, VISA)) for person in people[:8]]
        + [
            (
                "sepa_debit",
                payments.payment_method_save_sepa(
                    payer=person,
                    books=host,
                    iban=IBAN,
                    holder_name=person.display_name,
                    email=person.email,
                ),
            )
            for person in people[8:10]
        ]
        + [("transfer", None), ("card", saved_card(people[11], host, DECLINED))]
    )
    for person, member, (kind, method) in zip(people, members, methods, strict=True):
        services.pledge_create(
            membership=member, actor=person, amount="20", method=kind, saved_method=method
        )

    winners_host = OrganisationFactory(name="Movilab")
    payments.bank_account_set(
        organisation=winners_host,
        actor=MembershipFactory(organisation=winners_host, role=Role.ADMIN).user,
        holder_name="Movilab",
        iban="DE89370400440532013000",
    )
    commons = [
        ProjectFactory(name="Movilab", host=winners_host),
        ProjectFactory(name="Dokos"),
        ProjectFactory(name="Bouquet normand"),
    ]
    now = timezone.now()
    round_ = rounds.round_schedule(
        pool=pool,
        actor=treasurer,
        nominations_open_at=now - timedelta(days=2),
        voting_opens_at=now - timedelta(hours=1),
        voting_closes_at=now + timedelta(days=1),
    )
    candidacies = [
        rounds.candidacy_nominate(round_=round_, actor=people[index], project=project)
        for index, project in enumerate(commons)
    ]
    assert rounds.rounds_advance(now=now) == 1
    round_.refresh_from_db()
    assert round_.state == RoundState.VOTING and round_.electorate == 12
    assert (
        account_balance(
            account=account_get_or_create(
                purpose="pledges_receivable", centre=services.pool_centre(pool=pool)
            )
        ).pending
        == 12 * 2000
    )
    assert wait_for(lambda: len(mail.outbox) >= 12), "the vote's opening was not announced"
    _assert_books_balance(pool, round_)

    movilab, dokos, bouquet = candidacies
    for index, person in enumerate(people[:10]):
        grades = {movilab.pk: 5 if index < 7 else 2, dokos.pk: 3, bouquet.pk: 1}
        ballots.ballot_cast(round_=round_, membership=members[index], actor=person, marks=grades)

    mail.outbox.clear()
    rounds.rounds_advance(now=round_.voting_closes_at + timedelta(minutes=1))
    round_.refresh_from_db()
    assert round_.winner == movilab
    assert round_.results["voters"] == 10 and round_.results["pot"] == 24000
    # The worker charged every promise; the declined card was tried twice then defaulted.
    assert wait_for(
        lambda: (
            not round_.instalments.filter(
                status__in=[InstalmentStatus.DUE, InstalmentStatus.FAILED],
                pledge__method__in=["card", "sepa_debit"],
            ).exists()
            or _retry_and_wait(round_)
        ),
        timeout=60,
    )
    statuses = dict(round_.instalments.values_list("pledge__membership", "status"))
    assert [statuses[m.pk] for m in members[:10]] == [InstalmentStatus.SUCCEEDED] * 10
    assert statuses[members[11].pk] == InstalmentStatus.DEFAULTED
    assert statuses[members[10].pk] == InstalmentStatus.DUE  # the transfer is awaited
    declined = round_.instalments.get(pledge__membership=members[11])
    assert declined.attempts == 2
    assert Charge.objects.filter(cause_id=str(declined.pk)).count() == 2
    plan = project_plan(project=commons[0])
    assert plan.pledged == 240  # pledged through the pool while it is collected
    _assert_books_balance(pool, round_)

    transfer = round_.instalments.get(pledge__membership=members[10])
    payments.transfer_record_receipt(
        charge=transfer.charge, amount="20", received_on=timezone.localdate(), actor=treasurer
    )
    # Collected at once (payments' charge_settled), not by the sweep.
    assert round_.instalments.get(pk=transfer.pk).status == InstalmentStatus.SUCCEEDED
    assert collecting.collections_follow_charges() == 0
    rounds.rounds_advance()
    round_.refresh_from_db()
    assert round_.state == RoundState.PAID_OUT
    assert round_.results["collected"] == 11 * 2000
    _assert_books_balance(pool, round_)
    payout = Payout.objects.get()
    assert (payout.beneficiary, payout.amount, payout.books) == (winners_host, 22000, host)
    source = FundingSource.objects.get(round=round_)
    assert (source.project, source.status, source.amount.amount) == (
        commons[0],
        SourceStatus.GRANTED,
        220,
    )

    batch = payments.payout_batch_export(
        books=host, payouts=[payout], actor=treasurer, execution_date=timezone.localdate()
    )
    payments.payout_batch_mark_paid(batch=batch, actor=treasurer, paid_on=timezone.localdate())
    assert Payout.objects.get().status == PayoutStatus.PAID
    # Closed at once (payments' payouts_paid), not by the sweep; and the commons' plan shows
    # the money received, in its host's books (issue #22: it stayed "promised by pools").
    round_.refresh_from_db()
    assert round_.state == RoundState.CLOSED
    source.refresh_from_db()
    assert (source.status, source.received_on) == (SourceStatus.RECEIVED, timezone.localdate())
    assert project_plan(project=commons[0]).received == 220
    _assert_books_balance(pool, round_)
    assert all(
        total == 0 for (currency, phase), total in ledger_totals().items() if phase == Phase.PENDING
    )

    following = rounds.round_schedule(pool=pool, actor=treasurer)
    with pytest.raises(Exception, match="cycle"):
        rounds.candidacy_nominate(round_=following, actor=people[0], project=commons[0])
    rounds.candidacy_nominate(round_=following, actor=people[0], project=commons[1])
    assert selectors.rotation(pool=pool).won == {commons[0].pk}


def _retry_and_wait(round_) -> bool:
    """Failed collections whose retry is due are queued again (what beat does hourly)."""
    collecting.collections_retry_due()
    return False
