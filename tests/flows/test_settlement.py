"""Settlement as events: when Stripe's webhook (or a treasurer's record of a transfer) settles
a charge, the pool's collection is collected and the reciprocity declaration paid at once —
no sweep runs in these tests (`collections_follow_charges`, `declarations_follow_charges`)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commons_fund.members.models import Role
from commons_fund.members.tests.factories import MembershipFactory
from commons_fund.payments import services as payments
from commons_fund.payments import stripe_client
from commons_fund.payments.models import Charge, ChargeStatus
from commons_fund.payments.tests.factories import connected_host
from commons_fund.payments.tests.test_stripe import three_d_secure_card
from pledges import ballots, collecting, rounds
from pledges import services as pledges
from pledges.models import Instalment, InstalmentStatus
from pledges.tests.factories import PoolFactory, PoolMembershipFactory, voting_round
from projects.tests.factories import ProjectFactory
from reciprocity import services as reciprocity
from reciprocity.models import DeclarationStatus, RevenueDeclaration
from reciprocity.tests.factories import signed_declaration
from tests.helpers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def connected(host):
    connected_host(host)
    return host


def _collection(method: str, saved_method=None) -> Instalment:
    admin = MembershipFactory(role=Role.ADMIN)
    pool = PoolFactory(host=admin.organisation)
    member = PoolMembershipFactory(pool=pool)
    if method == "card":
        saved_method = three_d_secure_card(member.user, connected(pool.host))
    pledges.pledge_create(
        membership=member, actor=member.user, amount="12", method=method, saved_method=saved_method
    )
    round_, (candidacy,) = voting_round(pool, admin.user, [ProjectFactory()])
    ballots.ballot_cast(
        round_=round_, membership=member, actor=member.user, marks={candidacy.pk: 6}
    )
    round_ = rounds.round_tally(round_=round_, now=round_.voting_closes_at + timedelta(seconds=1))
    round_ = collecting.round_collect(round_=round_)
    instalment = collecting.collection_attempt(instalment=round_.pot_instalments.get())
    instalment.host_admin = admin.user
    return instalment


def _authenticate(charge) -> None:
    """The payer confirms with the bank (what Stripe.js does); the stand-in then tells the
    site by a signed webhook, nothing else."""
    stripe_client.client().raw_request(
        "post",
        f"/v1/payment_intents/{charge.stripe_payment_intent}/_authenticate",
        client_secret=charge.client_secret,
        success="true",
        stripe_account=charge.stripe_account,
    )


@pytest.mark.usefixtures("stripe_webhooks")
def test_a_webhook_collects_a_collection_and_pays_a_declaration_at_once():
    instalment = _collection("card")
    declaration = signed_declaration()
    declaration = reciprocity.declaration_pay(
        declaration=declaration,
        actor=declaration.partner_admin,
        method="card",
        saved_method=three_d_secure_card(
            declaration.contract.partner, connected(declaration.contract.project.host)
        ),
    )
    charges = [Charge.objects.get(pk=instalment.charge_id), declaration.charge]
    assert [charge.status for charge in charges] == [ChargeStatus.REQUIRES_ACTION] * 2
    assert (instalment.status, declaration.status) == (
        InstalmentStatus.DUE,
        DeclarationStatus.DUE,
    )
    for charge in charges:
        _authenticate(charge)
    assert wait_for(
        lambda: Instalment.objects.get(pk=instalment.pk).status == InstalmentStatus.SUCCEEDED
    )
    assert wait_for(
        lambda: RevenueDeclaration.objects.get(pk=declaration.pk).status == DeclarationStatus.PAID
    )


def test_a_transfer_recorded_in_full_collects_at_once():
    instalment = _collection("transfer")
    payments.transfer_record_receipt(
        charge=instalment.charge,
        amount="5",
        received_on=timezone.localdate(),
        actor=instalment.host_admin,
    )
    assert Instalment.objects.get(pk=instalment.pk).status == InstalmentStatus.DUE  # part only
    payments.transfer_record_receipt(
        charge=instalment.charge,
        amount="7",
        received_on=timezone.localdate(),
        actor=instalment.host_admin,
    )
    assert Instalment.objects.get(pk=instalment.pk).status == InstalmentStatus.SUCCEEDED
    assert collecting.collections_follow_charges() == 0  # nothing left for the sweep
