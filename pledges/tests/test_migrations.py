"""Pledges 0010: a round's amounts and its instalments were cents; they become Money, to
the cent (#18, one money shape in the domain). Pledges 0011: the pools' member counts
start from the members already there."""

from decimal import Decimal

import pytest
from django.utils import timezone

from commons_fund.ledger.models import Phase, TransactionKind
from commons_fund.ledger.services import account_get_or_create, credit, debit, ledger_post
from commons_fund.members.tests.factories import OrganisationFactory, UserFactory
from pledges.models import Pool
from tests.helpers import migrations_from

from .factories import PoolMembershipFactory

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("pledges", "0009_instalments")]


def _old_pool(apps, host=None):
    """A pool as the pools' table was then (the models of today have columns it lacked)."""
    host = host or OrganisationFactory()
    number = apps.get_model("pledges", "Pool").objects.count()
    return apps.get_model("pledges", "Pool").objects.create(
        name=f"Fonds {number}", slug=f"fonds-{number}", host_id=host.pk, quorum_percent=50
    )


def _old_membership(apps, pool, status="active"):
    return apps.get_model("pledges", "PoolMembership").objects.create(
        pool_id=pool.pk, user_id=UserFactory().pk, status=status
    )


def test_cents_become_euros_to_the_cent():
    with migrations_from(BEFORE) as run:
        Round = run.apps.get_model("pledges", "Round")
        Instalment = run.apps.get_model("pledges", "Instalment")
        host = OrganisationFactory()
        pool = _old_pool(run.apps, host)
        pledge = run.apps.get_model("pledges", "Pledge").objects.create(
            membership_id=_old_membership(run.apps, pool).pk,
            amount=Decimal("10.00"),
            amount_currency="EUR",
            method="transfer",
        )
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
        books = account_get_or_create(purpose="pledges_receivable", organisation=host)
        income = account_get_or_create(purpose="contributions", organisation=host)
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
        busy, quiet = _old_pool(run.apps), _old_pool(run.apps)
        for status in ("active", "active", "pending", "left"):
            _old_membership(run.apps, busy, status=status)
        _old_membership(run.apps, quiet, status="left")

        apps = run.forward()
        counts = apps.get_model("pledges", "PoolMemberCount").objects
        assert dict(counts.values_list("pool_id", "active")) == {busy.pk: 2}
        PoolMembershipFactory(pool=Pool.objects.get(pk=quiet.pk))  # the triggers keep them
        assert counts.get(pool_id=quiet.pk).active == 1
