"""Collecting the promises of a tallied round, and paying the pot out.

Each due collection is charged through the payments module (card or SEPA off-session, or a
bank transfer the treasurer records), one Celery task each. A failed charge is tried again
after the delays of `POOL_RETRY_DAYS` (1, 3 and 7 days by default), then the collection is
defaulted and its promise voided. When every collection of a round is settled, the pot —
what was actually collected — is paid out to the winner's hosting structure (a payout the
treasurer exports as a SEPA transfer file), and the commons' co-financing plan shows it.

Stripe is never called inside a transaction: `collection_attempt` writes the charge, then
submits it, then applies the outcome in a transaction of its own."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from commons_fund.jobs import queue, queue_after_commit
from commons_fund.ledger.models import TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    credit,
    debit,
    ledger_post,
    ledger_resolve_pending,
)
from commons_fund.logs import log_event
from commons_fund.members.models import LegalForm, User
from commons_fund.money import from_minor_units, minor_units, split_by_weights
from commons_fund.payments import services as payments
from commons_fund.payments.models import (
    FINAL_STATUSES,
    ChargeStatus,
    MethodKind,
    Payout,
    PayoutStatus,
)
from projects import services as project_services
from projects.models import SourceStatus

from .models import (
    FINAL_INSTALMENT,
    Candidacy,
    Instalment,
    InstalmentStatus,
    Round,
    RoundKind,
    RoundState,
)
from .services import pool_centre, require_pool_treasurer

logger = logging.getLogger(__name__)


def _retry_days() -> tuple[int, ...]:
    return tuple(settings.POOL_RETRY_DAYS)


@transaction.atomic
def round_collect(*, round_: Round) -> Round:
    """Tallied → collecting: one task per due promise, queued once the state is saved."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.state != RoundState.TALLIED:
        return round_
    round_.state = RoundState.COLLECTING
    round_.save(update_fields=["state", "updated_at"])
    due = list(
        round_.pot_instalments.filter(status=InstalmentStatus.DUE).values_list("pk", flat=True)
    )
    log_event(
        logger,
        "round.moved",
        round=round_.pk,
        pool=round_.pool_id,
        state=round_.state,
        due=len(due),
    )
    for pk in due:  # a broker down delays them: collections_retry_due queues them again
        queue_after_commit("pledges.tasks.collection_attempt", pk)
    _matching_ask(round_)
    return round_


def _matching_shared(round_: Round) -> int:
    return sum(round_.results.get("matching", {}).values())


def _matching_ask(round_: Round) -> None:
    """A matching pool paid by another structure than the host: that structure is asked, by
    bank transfer into the pool's sub-accounts, for the matching the vote actually shared."""
    pool = round_.pool
    shared = _matching_shared(round_)
    if not shared or round_.matching_funder_id in (None, pool.host_id):
        return
    funder = round_.matching_funder
    round_.matching_charge = payments.charge_create(
        payer=funder,
        books=pool.host,
        centre=pool_centre(pool=pool),
        amount=from_minor_units(shared),
        method=MethodKind.TRANSFER,
        credit_purpose="subsidies"
        if funder.legal_form == LegalForm.LOCAL_AUTHORITY
        else "donations",
        cause=round_,
        description=_("Matching – %(pool)s – round %(number)s")
        % {"pool": pool.name, "number": round_.number},
    )
    round_.save(update_fields=["matching_charge", "updated_at"])
    queue_after_commit("pledges.tasks.round_notify", round_.pk, "matching_due")


def _matching_from_host(round_: Round, shared: int) -> None:
    """The host pays the matching from its own money: it moves from its general books into
    the pool's sub-accounts (an internal transfer), once."""
    pool_books = pool_centre(pool=round_.pool)
    host = round_.pool.host
    ledger_post(
        kind=TransactionKind.INTERNAL_TRANSFER,
        idempotency_key=f"round-{round_.pk}-matching",
        cause=round_,
        memo=_("Matching – %(pool)s – round %(number)s")
        % {"pool": round_.pool.name, "number": round_.number},
        entries=[
            debit(account_get_or_create(purpose="bank", centre=pool_books), shared),
            credit(account_get_or_create(purpose="internal_transfers", centre=pool_books), shared),
            debit(account_get_or_create(purpose="internal_transfers", organisation=host), shared),
            credit(account_get_or_create(purpose="bank", organisation=host), shared),
        ],
    )


def _void(instalment: Instalment, status: str, memo: str) -> None:
    ledger_resolve_pending(
        pending=instalment.commitment,
        kind=TransactionKind.PLEDGE_VOID,
        idempotency_key=f"collection-{instalment.pk}-void",
        memo=memo[:300],
        cause=instalment,
    )
    instalment.status = status
    instalment.next_attempt_at = None
    instalment.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
    log_event(
        logger,
        f"collection.{status}",
        instalment=instalment.pk,
        round=instalment.round_id,
        attempts=instalment.attempts,
    )


def collection_attempt(*, instalment: Instalment, now: datetime | None = None) -> Instalment:
    """Charge a due promise (or try a failed one again when its time has come)."""
    now = now or timezone.now()
    with transaction.atomic():
        instalment = (
            Instalment.objects.select_for_update(of=("self",))
            .select_related(
                "pledge__membership__user",
                "pledge__membership__organisation",
                "pledge__saved_method",
                "round__pool__host",
                "charge",
            )
            .get(pk=instalment.pk)
        )
        retry_due = (
            instalment.status == InstalmentStatus.FAILED
            and instalment.next_attempt_at is not None
            and instalment.next_attempt_at <= now
        )
        if (instalment.status == InstalmentStatus.DUE and instalment.charge is None) or retry_due:
            pledge, round_ = instalment.pledge, instalment.round
            saved = pledge.saved_method if pledge.method != "transfer" else None
            instalment.attempts += 1
            try:
                charge = payments.charge_create(
                    payer=pledge.membership.payer,
                    books=round_.pool.host,
                    centre=pool_centre(pool=round_.pool),
                    amount=instalment.amount.amount,
                    method=pledge.method,
                    saved_method=saved,
                    credit_purpose="contributions",
                    cause=instalment,
                    description=_("%(pool)s – round %(number)s")
                    % {"pool": round_.pool.name, "number": round_.number},
                )
            except ValidationError:
                # The card or mandate is gone or no longer usable: a failed attempt, so the
                # member is told and has until the next try to choose another one.
                _attempt_failed(instalment, now)
                return instalment
            instalment.charge = charge
            instalment.status, instalment.next_attempt_at = InstalmentStatus.DUE, None
            instalment.save(
                update_fields=["charge", "attempts", "status", "next_attempt_at", "updated_at"]
            )
            if instalment.attempts == 1:
                _notify(instalment, "due")
        elif instalment.status == InstalmentStatus.DUE and instalment.charge is not None:
            # A try cut short (its worker was lost) and delivered again: send the same charge
            # again; its idempotency key makes Stripe answer the first PaymentIntent.
            charge = instalment.charge
        else:
            charge = None
    if charge is not None and charge.method != "transfer":
        payments.charge_submit(charge=charge)
    return collection_follow_charge(instalment=instalment, now=now)


@transaction.atomic
def collection_follow_charge(*, instalment: Instalment, now: datetime | None = None) -> Instalment:
    """Follow the latest charge: collected, failed (to retry, or defaulted after the last
    try), or still under way."""
    now = now or timezone.now()
    instalment = (
        Instalment.objects.select_for_update(of=("self",))
        .select_related("charge", "round")
        .get(pk=instalment.pk)
    )
    charge = instalment.charge
    if instalment.status in FINAL_INSTALMENT or charge is None:
        return instalment
    if charge.status == ChargeStatus.SUCCEEDED:
        ledger_resolve_pending(
            pending=instalment.commitment,
            kind=TransactionKind.PLEDGE_COLLECTION,
            idempotency_key=f"collection-{instalment.pk}-collected",
            memo=f"{instalment.round} (#{charge.pk})",
            cause=instalment,
        )
        instalment.status = InstalmentStatus.SUCCEEDED
        instalment.save(update_fields=["status", "updated_at"])
        log_event(
            logger,
            "collection.collected",
            instalment=instalment.pk,
            round=instalment.round_id,
            charge=charge.pk,
            amount=str(instalment.amount.amount),
        )
    elif charge.status == ChargeStatus.FAILED and instalment.status == InstalmentStatus.DUE:
        _attempt_failed(instalment, now)
    return instalment


def _attempt_failed(instalment: Instalment, now: datetime) -> None:
    """After a failed attempt: try again after the next delay, or default after the last."""
    delays = _retry_days()
    if instalment.attempts > len(delays):
        _void(instalment, InstalmentStatus.DEFAULTED, f"{instalment.round}: defaulted")
        _notify(instalment, "defaulted")
    else:
        instalment.status = InstalmentStatus.FAILED
        instalment.next_attempt_at = now + timedelta(days=delays[instalment.attempts - 1])
        instalment.save(update_fields=["status", "attempts", "next_attempt_at", "updated_at"])
        log_event(
            logger,
            "collection.failed",
            level=logging.WARNING,
            instalment=instalment.pk,
            round=instalment.round_id,
            attempts=instalment.attempts,
            retry_at=instalment.next_attempt_at.isoformat(),
        )
        _notify(instalment, "failed")


def _notify(instalment: Instalment, event: str) -> None:
    queue_after_commit("pledges.tasks.collection_notify", instalment.pk, event)


@transaction.atomic
def collection_default(*, instalment: Instalment, actor: User) -> Instalment:
    """A treasurer gives up on a promise (a transfer that never came): it is voided."""
    instalment = (
        Instalment.objects.select_for_update().select_related("round__pool").get(pk=instalment.pk)
    )
    require_pool_treasurer(instalment.round.pool, actor)
    if instalment.status in FINAL_INSTALMENT:
        return instalment
    if instalment.round.state != RoundState.COLLECTING:
        raise ValidationError(_("Only a promise being collected can be marked as defaulted."))
    _void(instalment, InstalmentStatus.DEFAULTED, f"{instalment.round}: defaulted")
    _notify(instalment, "defaulted")
    return instalment


def collection_retry_now(*, instalment: Instalment, actor: User) -> Instalment:
    """A treasurer tries a failed collection again without waiting for its date."""
    require_pool_treasurer(instalment.round.pool, actor)
    now = timezone.now()
    Instalment.objects.filter(pk=instalment.pk, status=InstalmentStatus.FAILED).update(
        next_attempt_at=now
    )
    return collection_attempt(instalment=instalment, now=now)


# A promise still due without a charge this long after its round started collecting was
# never queued (the broker was down): the sweep queues it again.
UNQUEUED_AFTER = timedelta(minutes=10)


def collections_retry_due(*, now: datetime | None = None) -> int:
    """Celery beat: queue the failed collections whose next try has come, and the due ones
    that were never tried (their task could not be queued)."""
    now = now or timezone.now()
    failed = Q(status=InstalmentStatus.FAILED, next_attempt_at__lte=now)
    never_tried = Q(
        status=InstalmentStatus.DUE,
        charge__isnull=True,
        round__state=RoundState.COLLECTING,
        updated_at__lte=now - UNQUEUED_AFTER,
    )
    due = list(Instalment.objects.filter(failed | never_tried).values_list("pk", flat=True))
    for pk in due:
        queue("pledges.tasks.collection_attempt", pk)
    return len(due)


def collections_follow_charges() -> int:
    """Follow the charges still under way (SEPA debits, transfers, confirmations)."""
    open_ = list(
        Instalment.objects.filter(status=InstalmentStatus.DUE, charge__isnull=False).values_list(
            "pk", flat=True
        )
    )
    for pk in open_:
        collection_follow_charge(instalment=Instalment(pk=pk))
    return len(open_)


def payout_amounts(round_: Round, pot: int, *, matching: bool = True) -> dict[int, int]:
    """Cents per candidacy out of `pot`: all of it to the winner (rotation); the members'
    splits, scaled to the pot, plus the matching unless its funder did not pay it
    (allocation)."""
    if round_.kind != RoundKind.ALLOCATION:
        return {round_.winner_id: pot} if pot and round_.winner_id else {}
    shares = {int(k): v for k, v in round_.results.get("shares", {}).items() if v}
    amounts = dict.fromkeys(shares, 0)
    if pot and shares:
        keys = sorted(shares)
        parts = split_by_weights(from_minor_units(pot), [shares[k] for k in keys])
        amounts.update({k: minor_units(p) for k, p in zip(keys, parts, strict=True)})
    for key, value in round_.results.get("matching", {}).items() if matching else ():
        amounts[int(key)] = amounts.get(int(key), 0) + value
    return {key: value for key, value in amounts.items() if value}


def round_sources_set(*, round_: Round, amounts: dict[int, int]) -> None:
    """The elected commons' plans show the round's money: pledged while it is collected
    (granted, not received), then what was actually collected (projects' service)."""
    candidacies = Candidacy.objects.select_related("project", "step").in_bulk(list(amounts))
    project_services.pool_round_sources_set(
        round_=round_,
        funder=round_.pool.host,
        funder_name=round_.pool.name,
        grants={
            candidacies[pk].project: (candidacies[pk].step, from_minor_units(cents))
            for pk, cents in amounts.items()
        },
    )


@transaction.atomic
def round_pay_out(*, round_: Round) -> Round:
    """Collecting → paid out once every promise is settled: the payouts to the beneficiaries'
    hosting structures are prepared and the commons' plans show the money granted. A commons
    the pool's own host keeps gets its share at once by an internal transfer (no bank line
    from the host to itself); a round with nothing left to pay by bank is closed."""
    round_ = (
        Round.objects.select_for_update(of=("self",))
        .select_related("pool__host", "matching_charge")
        .get(pk=round_.pk)
    )
    if round_.state != RoundState.COLLECTING:
        return round_
    if round_.pot_instalments.exclude(status__in=FINAL_INSTALMENT).exists():
        return round_
    asked = round_.matching_charge
    waited = timedelta(days=settings.POOL_MATCHING_WAIT_DAYS)
    if asked is not None and asked.status not in FINAL_STATUSES:
        if asked.created_at > timezone.now() - waited:
            return round_  # the matching's funder has not paid (nor refused) yet
        asked = payments.transfer_give_up(
            charge=asked,
            reason=_("The matching did not arrive within %(days)s days.") % {"days": waited.days},
        )
        if asked.status not in FINAL_STATUSES:
            return round_  # part of it arrived: the treasurer settles it
    matched = asked is None or asked.status == ChargeStatus.SUCCEEDED
    collected = minor_units(  # cents: what payments and the published results count in
        round_.pot_instalments.filter(status=InstalmentStatus.SUCCEEDED).aggregate(
            total=Sum("amount")
        )["total"]
        or 0
    )
    amounts = payout_amounts(round_, collected, matching=matched)
    matching = _matching_shared(round_) if matched else 0
    if matching and asked is None:
        _matching_from_host(round_, matching)
    candidacies = Candidacy.objects.select_related("project__host").in_bulk(amounts)
    centre = pool_centre(pool=round_.pool)
    internal = {pk for pk, c in candidacies.items() if c.project.host_id == round_.pool.host_id}
    for pk, cents in amounts.items():
        candidacy = candidacies[pk]
        if pk in internal:
            continue
        description = _("%(pool)s – round %(number)s – %(project)s") % {
            "pool": round_.pool.name,
            "number": round_.number,
            "project": candidacy.project.name,
        }
        payments.payout_prepare(
            books=round_.pool.host,
            beneficiary=candidacy.project.host,
            amount=cents,
            description=description,
            cause=round_,
            centre=centre,
        )
    round_sources_set(round_=round_, amounts=amounts)
    today = timezone.localdate()
    for source in round_.funding_sources.filter(
        project__in=[candidacies[pk].project_id for pk in internal]
    ):
        project_services.funding_source_receive(
            source=source, actor=None, received_on=today, from_centre=centre
        )
    round_.results = {
        **round_.results,
        "collected": collected,
        "matching_paid": matching,
        "paid": {str(k): v for k, v in amounts.items()},
    }
    round_.state = RoundState.PAID_OUT
    round_.save(update_fields=["state", "results", "updated_at"])
    log_event(
        logger,
        "round.moved",
        round=round_.pk,
        pool=round_.pool_id,
        state=round_.state,
        collected=collected,
        payouts=len(amounts),
    )
    queue_after_commit("pledges.tasks.round_notify", round_.pk, "payout")
    return round_close(round_=round_)


@transaction.atomic
def round_close(*, round_: Round) -> Round:
    """Paid out → closed once the bank has paid every payout of the round: the commons'
    plans then show the money received (posted in their hosts' books)."""
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.state != RoundState.PAID_OUT:
        return round_
    payouts = Payout.objects.filter(
        cause_type=ContentType.objects.get_for_model(Round), cause_id=str(round_.pk)
    )
    if payouts.exclude(status=PayoutStatus.PAID).exists():
        return round_
    paid_on = payouts.aggregate(last=Max("batch__paid_on"))["last"] or timezone.localdate()
    for source in round_.funding_sources.filter(status=SourceStatus.GRANTED):
        project_services.funding_source_receive(source=source, actor=None, received_on=paid_on)
    round_.state = RoundState.CLOSED
    round_.save(update_fields=["state", "updated_at"])
    log_event(logger, "round.moved", round=round_.pk, pool=round_.pool_id, state=round_.state)
    return round_
