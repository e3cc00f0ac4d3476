"""Pledges 0010: a round's amounts and its instalments were cents; they become Money, to
the cent (#18, one money shape in the domain). Pledges 0011: the pools' member counts
start from the members already there."""

from decimal import Decimal

import pytest
from django.utils import timezone

from commons_fund.ledger.models import Phase, TransactionKind
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post
from commons_fund.members.tests.factories import OrganisationFactory
from tests.helpers import migrations_from

from .factories import PledgeFactory, PoolFactory, PoolMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("pledges", "0009_instalments")]


def test_cents_become_euros_to_the_cent():
    with migrations_from(BEFORE) as run:
        Round = run.apps.get_model("pledges", "Round")
        Instalment = run.apps.get_model("pledges", "Instalment")
        pool = PoolFactory(host=OrganisationFactory())  # the pools' table did not change
        pledge = PledgeFactory(membership__pool=pool)
        now = timezone.now()
        round_ = Round.objects.create(
            pool_id=pool.pk,
            number=1,
            nominations_open_at=now,
            voting_opens_at=now,
            voting_closes_at=now + timezone.timedelta(days=1),
            minimum_pot=25_050,
            matching_pool=100_001,
            rolled_over=1,
        )
        books = account_get_or_create(purpose="pledges_receivable", organisation=pool.host)
        income = account_get_or_create(purpose="contributions", organisation=pool.host)
        commitment = ledger_post(
            kind=TransactionKind.PLEDGE_COMMITMENT,
            idempotency_key="migration-test",
            entries=[debit(books, 1_099, Phase.PENDING), credit(income, 1_099, Phase.PENDING)],
        )
        instalment = Instalment.objects.create(
            round_id=round_.pk, pledge_id=pledge.pk, amount=1_099, commitment_id=commitment.pk
        )

        apps = run.forward()
        Round = apps.get_model("pledges", "Round")
        Instalment = apps.get_model("pledges", "Instalment")
        migrated = Round.objects.get(pk=round_.pk)
        assert (migrated.minimum_pot.amount, migrated.matching_pool.amount) == (
            Decimal("250.50"),
            Decimal("1000.01"),
        )
        assert migrated.rolled_over.amount == Decimal("0.01")
        assert migrated.minimum_pot.currency.code == "EUR"
        assert Instalment.objects.get(pk=instalment.pk).amount.amount == Decimal("10.99")


def test_the_member_counts_start_from_the_members_already_there():
    with migrations_from([("pledges", "0010_money_in_rounds")]) as run:
        busy, quiet = PoolFactory(host=OrganisationFactory()), PoolFactory()
        for status in ("active", "active", "pending", "left"):  # the table did not change
            PoolMembershipFactory(pool=busy, status=status)
        PoolMembershipFactory(pool=quiet, status="left")

        apps = run.forward()
        counts = apps.get_model("pledges", "PoolMemberCount").objects
        assert dict(counts.values_list("pool_id", "active")) == {busy.pk: 2}
        PoolMembershipFactory(pool=quiet)  # and the triggers keep them from then on
        assert counts.get(pool_id=quiet.pk).active == 1
