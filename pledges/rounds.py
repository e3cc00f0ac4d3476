"""Writes of rounds: schedule, nominations, opening the vote (the promises become pending
commitments), tally, cancel, and `rounds_advance` that moves every round whose deadline
passed. Each transition is idempotent: called again, or for a round already past that
state, it changes nothing."""

import logging
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from djmoney.money import Money

from commons_fund.jobs import queue_after_commit
from commons_fund.ledger.models import CostCentre, Phase, TransactionKind
from commons_fund.ledger.services import (
    account_get_or_create,
    credit,
    debit,
    ledger_post,
    ledger_resolve_pending,
)
from commons_fund.logs import log_event
from commons_fund.members.models import User
from commons_fund.money import minor_units
from projects.models import Project, ProjectStatus, Step

from . import ballots, collecting, selectors, tally
from .models import (
    FAILED_STATES,
    Candidacy,
    CandidacyStatus,
    Instalment,
    InstalmentStatus,
    NominationRule,
    NoQuorumRule,
    Period,
    Pledge,
    PledgeStatus,
    Pool,
    RotationRule,
    Round,
    RoundKind,
    RoundState,
)
from .services import pool_centre, require_pool_admin

PERIOD_DAYS = {Period.MONTHLY: 30, Period.QUARTERLY: 91, Period.CUSTOM: 30}
OPEN_STATES = {RoundState.SCHEDULED, RoundState.NOMINATING, RoundState.VOTING}
MOVING_STATES = {*OPEN_STATES, RoundState.TALLIED, RoundState.COLLECTING, RoundState.PAID_OUT}

logger = logging.getLogger(__name__)


@transaction.atomic
def round_schedule(
    *,
    pool: Pool,
    actor: User,
    nominations_open_at: datetime | None = None,
    voting_opens_at: datetime | None = None,
    voting_closes_at: datetime | None = None,
    matching_pool: Money | None = None,
    matching_cap_percent: int | None = None,
) -> Round:
    """The next round of a pool. Dates default to the pool's rhythm: after the previous
    round's vote (or now), nominations, then the vote. The matching pool is the pool's
    unless given; the pool's changes reach the round until its vote opens."""
    require_pool_admin(pool, actor)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    last = pool.rounds.aggregate(number=Max("number"), closes=Max("voting_closes_at"))
    if nominations_open_at is None:
        start = timezone.now()
        if last["closes"]:
            start = max(
                start,
                last["closes"]
                + timedelta(days=PERIOD_DAYS[pool.period])
                - timedelta(days=pool.nomination_days + pool.voting_days),
            )
        nominations_open_at = start
    voting_opens_at = voting_opens_at or nominations_open_at + timedelta(days=pool.nomination_days)
    voting_closes_at = voting_closes_at or voting_opens_at + timedelta(days=pool.voting_days)
    if not nominations_open_at <= voting_opens_at < voting_closes_at:
        raise ValidationError(
            {
                "voting_closes_at": _(
                    "Nominations open before the vote, which opens before it closes."
                )
            }
        )
    if matching_pool is None:
        matching_pool = pool.matching_pool
        matching_cap_percent = pool.matching_cap_percent
    if matching_pool.amount and pool.round_kind != RoundKind.ALLOCATION:
        raise ValidationError({"matching_pool": _("Only allocation rounds have a matching pool.")})
    round_ = Round(
        pool=pool,
        number=(last["number"] or 0) + 1,
        nominations_open_at=nominations_open_at,
        voting_opens_at=voting_opens_at,
        voting_closes_at=voting_closes_at,
        matching_pool=matching_pool,
        matching_cap_percent=matching_cap_percent,
        matching_funder=pool.matching_funder if matching_pool.amount else None,
    )
    round_.full_clean()
    round_.save()
    return round_


def _log_move(round_: Round) -> None:
    log_event(logger, "round.moved", round=round_.pk, pool=round_.pool_id, state=round_.state)


def _locked(round_: Round) -> Round:
    return Round.objects.select_for_update().select_related("pool__host").get(pk=round_.pk)


@transaction.atomic
def round_open_nominations(*, round_: Round) -> Round:
    """Open the nominations; opened early (by an administrator), the round's dates say so."""
    round_ = _locked(round_)
    if round_.state == RoundState.SCHEDULED:
        round_.state = RoundState.NOMINATING
        round_.nominations_open_at = min(round_.nominations_open_at, timezone.now())
        round_.save(update_fields=["state", "nominations_open_at", "updated_at"])
        _log_move(round_)
    return round_


@transaction.atomic
def candidacy_nominate(
    *,
    round_: Round,
    actor: User,
    project: Project,
    step: Step | None = None,
) -> Candidacy:
    """A member nominates a commons (a step of it, for allocation rounds) before the vote
    opens. Under strict rotation a commons that won in the current cycle waits."""
    round_ = _locked(round_)
    membership = selectors.acting_membership(pool=round_.pool, user=actor)
    if membership is None and not selectors.pool_admin(pool=round_.pool, user=actor):
        raise PermissionDenied(_("Only members of the pool nominate commons."))
    if round_.state not in (RoundState.SCHEDULED, RoundState.NOMINATING):
        raise ValidationError(_("Nominations are closed for this round."))
    if project.status in (ProjectStatus.ARCHIVED, ProjectStatus.DORMANT):
        raise ValidationError({"project": _("This commons is not active.")})
    if step is not None and step.project_id != project.pk:
        raise ValidationError({"step": _("This step belongs to another commons.")})
    if (
        round_.pool.nomination_rule == NominationRule.LISTED
        and not round_.pool.listed_commons.filter(project=project).exists()
    ):
        raise ValidationError(
            {
                "project": _("%(name)s is not among the commons this pool funds.")
                % {"name": project.name}
            }
        )
    rotation = selectors.rotation(pool=round_.pool)
    if round_.pool.rotation_rule == RotationRule.STRICT and project.pk in rotation.won:
        raise ValidationError(
            {
                "project": _(
                    "%(name)s already received a pot in this cycle: it waits until every other "
                    "candidate has had its turn."
                )
                % {"name": project.name}
            }
        )
    candidacy, created = Candidacy.objects.get_or_create(
        round=round_,
        project=project,
        defaults={"step": step, "nominated_by": membership},
    )
    if not created and candidacy.status == CandidacyStatus.WITHDRAWN:
        candidacy.status, candidacy.step = CandidacyStatus.NOMINATED, step
        candidacy.save(update_fields=["status", "step"])
    return candidacy


def _notify(round_: Round, event: str) -> None:
    queue_after_commit("pledges.tasks.round_notify", round_.pk, event)


def _promise(round_: Round, pledge: Pledge, centre: CostCentre) -> None:
    """The pledge's promise for this round: a pending commitment in the pool's sub-accounts
    of its host's books."""
    cents = minor_units(pledge.amount.amount)
    commitment = ledger_post(
        kind=TransactionKind.PLEDGE_COMMITMENT,
        idempotency_key=f"pledge-{pledge.pk}-round-{round_.pk}",
        memo=f"{pledge.membership.name} – {round_}"[:300],
        cause=pledge,
        entries=[
            debit(
                account_get_or_create(purpose="pledges_receivable", centre=centre),
                cents,
                Phase.PENDING,
            ),
            credit(
                account_get_or_create(purpose="contributions", centre=centre),
                cents,
                Phase.PENDING,
            ),
        ],
    )
    Instalment.objects.create(
        round=round_, pledge=pledge, amount=pledge.amount, commitment=commitment
    )
    pledge.rounds_committed += 1
    pledge.save(update_fields=["rounds_committed", "updated_at"])


@transaction.atomic
def round_open_voting(*, round_: Round) -> Round:
    """Open the vote: the pool's rules are copied into the round (they no longer change for
    it), the electorate is counted, the tie-break seed is published, and every live pledge's
    promise for this round becomes a pending commitment."""
    round_ = _locked(round_)
    if round_.state not in (RoundState.SCHEDULED, RoundState.NOMINATING):
        return round_
    pool = round_.pool
    candidates = round_.candidacies.filter(status=CandidacyStatus.NOMINATED).count()
    if not candidates:
        round_.state, round_.reason = RoundState.CANCELLED, _("No commons was nominated.")
        round_.save(update_fields=["state", "reason", "updated_at"])
        return round_
    round_.kind, round_.voting_method = pool.round_kind, pool.voting_method
    round_.quorum_percent, round_.rotation_rule = pool.quorum_percent, pool.rotation_rule
    round_.minimum_pot = pool.minimum_pot
    round_.quadratic_credits = pool.quadratic_credits
    round_.publication_threshold = pool.publication_threshold
    round_.seed = f"{pool.slug}:{round_.number}:{secrets.token_hex(8)}"
    round_.vote_opened_at = timezone.now()
    # Opened early (by an administrator): the dates shown everywhere say when it opened.
    round_.voting_opens_at = min(round_.voting_opens_at, round_.vote_opened_at)
    round_.nominations_open_at = min(round_.nominations_open_at, round_.voting_opens_at)
    round_.electorate = selectors.electorate_size(round_=round_)
    carried = Instalment.objects.filter(
        round__pool=pool, round__state=RoundState.NO_QUORUM, status=InstalmentStatus.PROMISED
    )
    round_.rolled_over = Money(carried.aggregate(total=Sum("amount"))["total"] or 0, "EUR")
    carried.update(carried_into=round_)
    pledges = (
        Pledge.objects.select_for_update(of=("self",))
        .filter(membership__pool=pool, membership__status="active", status=PledgeStatus.ACTIVE)
        .select_related("membership__user", "membership__organisation")
    )
    centre = pool_centre(pool=pool)
    for pledge in pledges:
        if pledge.rounds_total is not None and pledge.rounds_committed >= pledge.rounds_total:
            Pledge.objects.filter(pk=pledge.pk).update(status=PledgeStatus.FINISHED)
            continue
        _promise(round_, pledge, centre)
    round_.state = RoundState.VOTING
    round_.save()
    _log_move(round_)
    _notify(round_, "voting_open")
    return round_


def _void(round_: Round) -> None:
    """Release every promise of the round that is not collected: nothing is charged."""
    for instalment in round_.pot_instalments.select_for_update().exclude(
        status__in=[InstalmentStatus.SUCCEEDED, InstalmentStatus.VOIDED]
    ):
        ledger_resolve_pending(
            pending=instalment.commitment,
            kind=TransactionKind.PLEDGE_VOID,
            idempotency_key=f"collection-{instalment.pk}-void",
            memo=f"{round_}: {round_.reason}"[:300],
            cause=instalment,
        )
        instalment.status = InstalmentStatus.VOIDED
        instalment.save(update_fields=["status", "updated_at"])


def _fail(round_: Round, state: str, reason: str) -> Round:
    round_.state, round_.reason = state, reason[:300]
    _void(round_)
    collecting.round_sources_set(round_=round_, amounts={})
    round_.save(update_fields=["state", "reason", "results", "updated_at"])
    _log_move(round_)
    return round_


@transaction.atomic
def round_cancel(*, round_: Round, actor: User, reason: str) -> Round:
    """The pool's administrators cancel a round before collection starts; promises are
    voided."""
    require_pool_admin(round_.pool, actor)
    round_ = _locked(round_)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the round is cancelled.")})
    if round_.state in FAILED_STATES:
        return round_
    if round_.state not in (*OPEN_STATES, RoundState.TALLIED):
        raise ValidationError(_("Collection has started: this round can no longer be cancelled."))
    return _fail(round_, RoundState.CANCELLED, reason.strip())


# How far an administrator may push a vote's close at once.
MAX_EXTENSION = timedelta(days=30)


@transaction.atomic
def round_extend_vote(*, round_: Round, actor: User, closes_at: datetime) -> Round:
    """An administrator gives the members more time to vote: the close moves later (at most
    30 days at once), everywhere the date shows (pages, API, calendars); the reminder goes
    again before the new close."""
    require_pool_admin(round_.pool, actor)
    round_ = _locked(round_)
    if round_.state != RoundState.VOTING:
        raise ValidationError(_("Only a vote under way can be extended."))
    if closes_at <= max(round_.voting_closes_at, timezone.now()):
        raise ValidationError({"voting_closes_at": _("Choose a close later than the current one.")})
    if closes_at > round_.voting_closes_at + MAX_EXTENSION:
        raise ValidationError(
            {"voting_closes_at": _("A vote is extended by 30 days at most at once.")}
        )
    previous = round_.voting_closes_at
    round_.voting_closes_at, round_.reminded_at = closes_at, None
    round_.save(update_fields=["voting_closes_at", "reminded_at", "updated_at"])
    log_event(
        logger,
        "round.vote_extended",
        round=round_.pk,
        pool=round_.pool_id,
        actor=actor.pk,
        previous=previous.isoformat(),
        closes_at=closes_at.isoformat(),
    )
    return round_


@transaction.atomic
def round_tally(*, round_: Round, now: datetime | None = None) -> Round:
    """Count the votes once the vote has closed. Without quorum the vote reopens once (or the
    round fails, per the pool's rule); a pot under the minimum voids every promise; otherwise
    the winner is published and the promises become due."""
    round_ = _locked(round_)
    now = now or timezone.now()
    if round_.state != RoundState.VOTING or now < round_.voting_closes_at:
        return round_
    ballots.ballots_unseal(round_=round_)
    voters = round_.voters.count()
    if voters * 100 < (round_.quorum_percent or 0) * round_.electorate or not voters:
        rule = round_.pool.no_quorum_rule
        if rule == NoQuorumRule.REOPEN_ONCE and not round_.reopened:
            round_.reopened = True
            round_.voting_closes_at = now + timedelta(days=round_.pool.voting_days)
            round_.save(update_fields=["reopened", "voting_closes_at", "updated_at"])
            log_event(
                logger, "round.vote_reopened", round=round_.pk, pool=round_.pool_id, voters=voters
            )
            return round_
        reason = _("%(voters)s of %(electorate)s members voted; the quorum is %(quorum)s %%.") % {
            "voters": voters,
            "electorate": round_.electorate,
            "quorum": round_.quorum_percent,
        }
        if rule == NoQuorumRule.ROLL_OVER:
            # Nothing is charged; the promises stay pending and join the next round's pot.
            round_.state, round_.reason = RoundState.NO_QUORUM, reason[:300]
            round_.save(update_fields=["state", "reason", "updated_at"])
            _log_move(round_)
            return round_
        return _fail(round_, RoundState.NO_QUORUM, reason)
    pot = Money(round_.pot_instalments.aggregate(total=Sum("amount"))["total"] or 0, "EUR")
    # The published results count in cents, as the ballots of allocation rounds do.
    cents = minor_units(pot.amount)
    round_.results = tally.round_results(round_=round_, voters=voters, pot=cents)
    if round_.minimum_pot is not None and pot < round_.minimum_pot:
        return _fail(
            round_,
            RoundState.BELOW_MINIMUM,
            _("The promises add up to less than the pool's minimum pot."),
        )
    if round_.results.get("winner"):
        round_.winner_id = round_.results["winner"]
    round_.pot_instalments.filter(status=InstalmentStatus.PROMISED).update(
        status=InstalmentStatus.DUE
    )
    round_.state = RoundState.TALLIED
    round_.save()
    _log_move(round_)
    collecting.round_sources_set(round_=round_, amounts=collecting.payout_amounts(round_, cents))
    _notify(round_, "results")
    return round_


def round_advance(*, round_: Round, now: datetime | None = None) -> Round:
    """Move a round as far as its dates and its collection allow (each step in its own
    transaction)."""
    now = now or timezone.now()
    if round_.state == RoundState.SCHEDULED and now >= round_.nominations_open_at:
        round_ = round_open_nominations(round_=round_)
    if round_.state == RoundState.NOMINATING and now >= round_.voting_opens_at:
        round_ = round_open_voting(round_=round_)
    if round_.state == RoundState.VOTING and now >= round_.voting_closes_at:
        round_ = round_tally(round_=round_, now=now)
    if round_.state == RoundState.TALLIED:
        round_ = collecting.round_collect(round_=round_)
    if round_.state == RoundState.COLLECTING:
        round_ = collecting.round_pay_out(round_=round_)
    if round_.state == RoundState.PAID_OUT:
        round_ = collecting.round_close(round_=round_)
    return round_


def rounds_advance(*, now: datetime | None = None) -> int:
    """Every round whose deadline passed, moved on; returns how many changed state."""
    now = now or timezone.now()
    moved = 0
    for round_ in list(Round.objects.filter(state__in=MOVING_STATES).order_by("pk")):
        if round_advance(round_=round_, now=now).state != round_.state:
            moved += 1
    return moved


REMINDER_BEFORE = timedelta(hours=48)


def rounds_remind(*, now: datetime | None = None) -> int:
    """Two days before a vote closes, remind the members who have not voted (once)."""
    now = now or timezone.now()
    due = Round.objects.filter(
        state=RoundState.VOTING,
        reminded_at__isnull=True,
        voting_closes_at__lte=now + REMINDER_BEFORE,
        voting_closes_at__gt=now,
    )
    reminded = 0
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            if Round.objects.filter(pk=pk, reminded_at__isnull=True).update(reminded_at=now):
                _notify(Round(pk=pk), "reminder")
                reminded += 1
    return reminded
