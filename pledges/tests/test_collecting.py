"""A round's collections: attempts, failures, retries and faults on the way."""

from datetime import timedelta

import pytest
from celery.app.task import Task
from django.utils import timezone
from kombu.exceptions import OperationalError

from commons_fund.payments import services as payments
from commons_fund.payments import stripe_client
from commons_fund.payments.models import Charge, ChargeStatus, Customer, SavedPaymentMethod
from commons_fund.payments.tests.factories import saved_card
from pledges import collecting, tasks
from pledges.models import (
    InstalmentStatus,
    RoundState,
)

from .factories import PledgeFactory, PoolMembershipFactory
from .support import close_vote, open_round, pending, vote

pytestmark = pytest.mark.django_db


def test_a_card_no_longer_usable_fails_the_attempt_then_defaults(pool, admin, projects, settings):
    settings.POOL_RETRY_DAYS = [0]
    member = PoolMembershipFactory(pool=pool)
    customer = Customer.objects.create(user=member.user, stripe_id="cus_gone")
    card = SavedPaymentMethod.objects.create(
        customer=customer, stripe_id="pm_gone", kind="card", label="Visa •••• 4242", active=True
    )
    PledgeFactory(membership=member, method="card", saved_method=card)
    round_, _candidacies = open_round(pool, admin, projects)
    vote(round_, member, {c.pk: 3 for c in round_.candidacies.all()})
    round_ = collecting.round_collect(round_=close_vote(round_))
    SavedPaymentMethod.objects.filter(pk=card.pk).update(active=False)  # detached meanwhile
    instalment = round_.pot_instalments.get()
    instalment = collecting.collection_attempt(instalment=instalment)
    assert (instalment.status, instalment.attempts, instalment.charge) == (
        InstalmentStatus.FAILED,
        1,
        None,
    )
    instalment = collecting.collection_attempt(instalment=instalment)
    assert (instalment.status, instalment.attempts) == (InstalmentStatus.DEFAULTED, 2)
    assert pending(pool).pending == 0
    # Nothing was collected, so nothing is left to pay: the round closes at once.
    assert collecting.round_pay_out(round_=round_).state == RoundState.CLOSED


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("stripe_api")
def test_a_try_cut_short_and_delivered_again_sends_the_same_charge_once(
    pool, admin, projects, monkeypatch, settings
):
    """A worker lost after writing the charge, or after Stripe created the PaymentIntent but
    before the answer was saved: the task, delivered again, sends the same charge with the
    same idempotency key — one PaymentIntent, one collection."""
    member = PoolMembershipFactory(pool=pool)
    card = saved_card(member.user, pool.host)
    PledgeFactory(membership=member, method="card", saved_method=card)
    round_, _candidacies = open_round(pool, admin, projects)
    vote(round_, member, {c.pk: 3 for c in round_.candidacies.all()})
    round_ = collecting.round_collect(round_=close_vote(round_))
    instalment = round_.pot_instalments.get()
    # The first try wrote its charge, then its worker died before Stripe answered.
    with monkeypatch.context() as patched:
        patched.setattr(payments, "charge_submit", lambda *, charge: charge)
        instalment = collecting.collection_attempt(instalment=instalment)
    assert (instalment.status, instalment.charge.status) == (
        InstalmentStatus.DUE,
        ChargeStatus.PENDING,
    )
    # Stripe did receive it once (same idempotency key and parameters as charge_submit's:
    # Stripe refuses a key sent again with other ones) …
    charge = instalment.charge
    stripe_client.payment_intent_create_off_session(
        amount=charge.amount,
        currency=charge.currency,
        customer_id=card.customer.stripe_id,
        payment_method_id=card.stripe_id,
        idempotency_key=f"charge-{charge.pk}",
        metadata={"charge_id": str(charge.pk), "site": settings.SITE_URL},
        account=charge.stripe_account,
        description=charge.description,
    )
    # … and the task is delivered again, twice.
    for _delivery in range(2):
        instalment = collecting.collection_attempt(instalment=instalment)
    assert (instalment.status, instalment.attempts) == (InstalmentStatus.SUCCEEDED, 1)
    assert Charge.objects.filter(cause_id=str(instalment.pk)).count() == 1
    intents = stripe_client.client().v1.payment_intents.list(
        params={"limit": 100}, options={"stripe_account": instalment.charge.stripe_account}
    )
    assert [intent.id for intent in intents.data] == [instalment.charge.stripe_payment_intent]
    assert pending(pool).pending == 0


@pytest.mark.django_db(transaction=True)  # the tasks are queued when the collection commits
def test_a_round_collected_while_the_broker_is_down_is_charged_once_it_is_back(
    pool, admin, projects, monkeypatch
):
    """Probe of issue #17, point 6: a round whose collection started while the broker was down
    stayed with its promises due and no charge, for ever. Queuing now never fails the
    request, and the hourly sweep queues the promises left without a charge."""

    members = [
        PledgeFactory(membership=PoolMembershipFactory(pool=pool)).membership for _ in range(3)
    ]
    round_, _candidacies = open_round(pool, admin, projects)
    for member in members:
        vote(round_, member, {c.pk: 3 for c in round_.candidacies.all()})

    def broker_down(*args, **kwargs):
        raise OperationalError("[Errno 111] Connection refused")

    sent = []
    with monkeypatch.context() as patched:
        patched.setattr(Task, "apply_async", broker_down)
        round_ = collecting.round_collect(round_=close_vote(round_))  # no exception for the caller
    assert round_.state == RoundState.COLLECTING
    assert set(round_.pot_instalments.values_list("status", flat=True)) == {InstalmentStatus.DUE}
    assert not Charge.objects.exists()

    monkeypatch.setattr(tasks.collection_attempt, "delay", lambda pk: sent.append(pk))
    later = timezone.now() + timedelta(minutes=11)
    assert collecting.collections_retry_due(now=later) == 3
    for pk in sent:  # what the worker does with each queued task
        tasks.collection_attempt(pk)
    assert Charge.objects.count() == 3
    assert set(round_.pot_instalments.values_list("charge__method", flat=True)) == {"transfer"}
    sent.clear()
    assert collecting.collections_retry_due(now=later) == 0  # charged once, never again
