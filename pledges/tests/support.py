"""Steps the round tests share: open a vote, cast a ballot, close the vote, collect the
promises, read what the pool's host is still owed."""

from datetime import timedelta

from django.utils import timezone

from commons_fund.ledger.selectors import account_balance
from commons_fund.ledger.services import account_get_or_create
from commons_fund.payments import services as payments
from pledges import ballots, collecting, rounds
from pledges.services import pool_centre

from .factories import voting_round


def open_round(pool, admin, projects):
    return voting_round(pool, admin.user, projects)


def vote(round_, membership, marks):
    return ballots.ballot_cast(
        round_=round_, membership=membership, actor=membership.user, marks=marks
    )


def close_vote(round_):
    return rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(seconds=1))


def collected(pool, admin, members, projects):
    """A round voted by the first three members and collected: each promise tried once."""
    round_, candidacies = open_round(pool, admin, projects)
    for member in members[:3]:
        vote(round_, member, {c.pk: 5 for c in candidacies})
    round_ = collecting.round_collect(round_=close_vote(round_))
    return [collecting.collection_attempt(instalment=c) for c in round_.pot_instalments.all()]


def pending(pool):
    account = account_get_or_create(purpose="pledges_receivable", centre=pool_centre(pool=pool))
    return account_balance(account=account)


def transfers_received(round_, actor):
    """Every promise of a collecting round tried, and its bank transfer received in full."""
    for instalment in round_.pot_instalments.all():
        instalment = collecting.collection_attempt(instalment=instalment)
        payments.transfer_record_receipt(
            charge=instalment.charge,
            amount=str(instalment.amount.amount),
            received_on=timezone.localdate(),
            actor=actor,
        )
        collecting.collection_follow_charge(instalment=instalment)
