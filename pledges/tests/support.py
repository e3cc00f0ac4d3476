"""Steps the round tests share: open a vote, cast a ballot, close the vote, read what the
pool's host is still owed."""

from datetime import timedelta

from commons_fund.ledger.selectors import account_balance
from commons_fund.ledger.services import account_get_or_create
from pledges import ballots, rounds

from .factories import voting_round


def open_round(pool, admin, projects):
    return voting_round(pool, admin.user, projects)


def vote(round_, membership, marks):
    return ballots.ballot_cast(
        round_=round_, membership=membership, actor=membership.user, marks=marks
    )


def close_vote(round_):
    return rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(seconds=1))


def pending(pool):
    account = account_get_or_create(purpose="pledges_receivable", organisation=pool.host)
    return account_balance(account=account)
