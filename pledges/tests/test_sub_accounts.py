"""#19: each pool keeps its own sub-accounts in its host's books (a host may run several),
and a pot won by a commons the pool's own host keeps moves inside those books — no payout
from the host to itself."""

from decimal import Decimal

import pytest
from django.utils import timezone

from cms.selectors import home_figures
from commons_fund.ledger.exports import fec_rows
from commons_fund.ledger.selectors import account_balance, ledger_totals
from commons_fund.ledger.services import account_get_or_create
from commons_fund.payments.models import Payout
from commons_fund.payments.tests.factories import BankAccountFactory
from pledges import collecting
from pledges.models import RoundState
from pledges.services import pool_centre
from projects.models import SourceStatus
from projects.services import project_centre
from projects.tests.factories import ProjectFactory

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory
from .support import close_vote, open_round, transfers_received, vote

pytestmark = pytest.mark.django_db


def _paid_out(round_, admin):
    """Collect the closed round's promises (transfers, received in full) and pay it out."""
    round_ = collecting.round_collect(round_=close_vote(round_))
    transfers_received(round_, admin.user)
    return collecting.round_pay_out(round_=round_)


def _collected_and_paid_out(pool, admin, projects, members):
    round_, candidacies = open_round(pool, admin, projects)
    for member in members:
        vote(round_, member, {c.pk: 6 if c.project == projects[0] else 0 for c in candidacies})
    return _paid_out(round_, admin)


def _balance(purpose, centre):
    return account_balance(account=account_get_or_create(purpose=purpose, centre=centre)).posted


def _members(pool, count=3):
    return [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(count)
    ]


def test_two_pools_of_one_host_keep_their_money_apart_and_the_fec_names_each(admin, projects):
    host = admin.organisation
    BankAccountFactory(organisation=host)
    for project in projects:
        BankAccountFactory(organisation=project.host)
    first = PoolFactory(host=host, slug="fonds-a", name="Fonds A")
    second = PoolFactory(host=host, slug="fonds-b", name="Fonds B")
    _collected_and_paid_out(first, admin, projects, _members(first, 3))
    _collected_and_paid_out(second, admin, projects, _members(second, 2))

    a, b = pool_centre(pool=first), pool_centre(pool=second)
    assert (a.code, b.code) == ("FONDS-fonds-a", "FONDS-fonds-b")
    assert (-_balance("contributions", a), -_balance("contributions", b)) == (3000, 2000)
    assert (_balance("bank", a), _balance("bank", b)) == (3000, 2000)
    # The payouts wait for the bank, each from its pool's sub-accounts.
    assert sorted(Payout.objects.values_list("centre__code", "amount")) == [
        ("FONDS-fonds-a", 3000),
        ("FONDS-fonds-b", 2000),
    ]
    auxiliaries = {
        (row[6], row[7]) for row in fec_rows(organisation=host, year=timezone.localdate().year)
    }
    assert {("FONDS-fonds-a", "Fonds A"), ("FONDS-fonds-b", "Fonds B")} <= auxiliaries
    assert all(total == 0 for total in ledger_totals().values())


def test_a_pot_won_by_a_commons_of_the_same_host_is_an_internal_transfer(admin):
    host = admin.organisation
    BankAccountFactory(organisation=host)
    pool = PoolFactory(host=host, slug="fonds-interne", name="Fonds interne")
    own = ProjectFactory(name="Commun maison", slug="commun-maison", host=host)
    other = ProjectFactory(name="Ailleurs", slug="ailleurs")
    round_ = _collected_and_paid_out(pool, admin, [own, other], _members(pool, 3))

    assert not Payout.objects.exists()  # no SEPA line from the host to itself
    assert round_.state == RoundState.CLOSED  # nothing waits for a bank
    source = round_.funding_sources.get(project=own)
    assert (source.status, source.received_on) == (SourceStatus.RECEIVED, timezone.localdate())
    pool_books, commons_books = pool_centre(pool=pool), project_centre(project=own)
    assert (_balance("bank", pool_books), _balance("bank", commons_books)) == (0, 3000)
    # Neither income nor expense for the host: 580 goes through and back.
    assert _balance("internal_transfers", pool_books) == 3000
    assert _balance("internal_transfers", commons_books) == -3000
    assert not account_get_or_create(purpose="grants_paid", centre=pool_books).entries.exists()
    assert source.transaction.kind == "internal_transfer"
    assert all(total == 0 for total in ledger_totals().values())
    # The home page counts it as paid out to commons, as it counts a payout paid by bank.
    assert home_figures()["totals"]["paid_out"] == Decimal("30.00")


def test_a_pot_split_between_an_own_commons_and_another_hosts_pays_only_the_other(admin):
    """Allocation rounds may pay several commons: only the outside ones get a payout."""
    host = admin.organisation
    BankAccountFactory(organisation=host)
    pool = PoolFactory(host=host, slug="fonds-mixte", name="Fonds mixte", round_kind="allocation")
    own = ProjectFactory(name="Commun maison", slug="commun-maison", host=host)
    other = ProjectFactory(name="Ailleurs", slug="ailleurs")
    BankAccountFactory(organisation=other.host)
    members = _members(pool, 2)
    round_, candidacies = open_round(pool, admin, [own, other])
    for member in members:
        vote(round_, member, {c.pk: 500 for c in candidacies})
    round_ = _paid_out(round_, admin)

    assert round_.state == RoundState.PAID_OUT  # the outside commons' payout waits
    assert list(Payout.objects.values_list("beneficiary", "amount")) == [(other.host_id, 1000)]
    assert round_.funding_sources.get(project=own).status == SourceStatus.RECEIVED
    assert round_.funding_sources.get(project=other).status == SourceStatus.GRANTED
    assert _balance("bank", project_centre(project=own)) == 1000


def test_the_books_page_shows_each_pool_and_commons_apart(client, admin):
    host = admin.organisation
    BankAccountFactory(organisation=host)
    pool = PoolFactory(host=host, slug="fonds-interne", name="Fonds interne")
    own = ProjectFactory(name="Commun maison", slug="commun-maison", host=host)
    _collected_and_paid_out(pool, admin, [own], _members(pool, 2))
    client.force_login(admin.user)
    page = client.get(f"/fr/organisations/{host.slug}/books/")
    rows = {row["code"]: (row["held"], row["awaited"]) for row in page.context["centres"]}
    assert rows == {"COMMUN-commun-maison": (2000, 0), "FONDS-fonds-interne": (0, 0)}
    assert "Sous-comptes" in page.text and "Fonds interne" in page.text
