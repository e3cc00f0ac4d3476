"""Casting a ballot. Who voted (`VoterRoll`) and what was voted are written apart, with
nothing linking them; the voter gets a receipt, shown once, that finds their ballot in the
published results and lets them replace it while the vote is open.

What someone reading the database learns: who voted (the roll), and the ballots, under
random keys and receipts. What they cannot learn: which ballot is whose. The roll keeps no
time and only a keyed hash (HMAC, server secret) of its member's current receipt. A ballot
waits in the box (`SealedBallot`, written by the voter's transaction) until at least
`BALLOT_BOX_MINIMUM` are there or the vote is counted; then another transaction moves them
to `Ballot` in shuffled order. While a ballot is in the box, PostgreSQL's row versions
(`xmin`) still pair it with its roll row: the box's minimum is the crowd it hides in.

Double submission (two tabs, a double click, concurrent requests) never makes two ballots:
the roll is unique per member and round in the database, and the first insert wins."""

import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from commons_fund.logs import log_event
from commons_fund.members.models import User

from . import selectors
from .models import (
    Ballot,
    BallotLine,
    CandidacyStatus,
    PoolMembership,
    Round,
    RoundKind,
    RoundState,
    SealedBallot,
    VoterRoll,
    VotingMethod,
)
from .services import _may_act_for
from .voting import BallotError, rules

logger = logging.getLogger(__name__)

RECEIPT_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"


def _receipt() -> str:
    body = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{body[:4]}-{body[4:8]}-{body[8:]}"


def _receipt_digest(round_: Round, receipt: str) -> str:
    return salted_hmac(
        "pledges.ballots.receipt", f"{round_.pk}:{receipt}", algorithm="sha256"
    ).hexdigest()


# What a refused ballot tells the voter, per rule of `voting/rules.py`.
BALLOT_MESSAGES = {
    "whole": _lazy("Marks are whole numbers."),
    "not_candidate": _lazy("A mark is for a commons that is not a candidate."),
    "ungraded": _lazy("Give a grade to every candidate."),
    "grade": _lazy("Choose grades from the list."),
    "negative": _lazy("Votes cannot be negative."),
    "credits": _lazy("These votes cost %(spent)s credits; you have %(credits)s."),
    "approval": _lazy("Approve a candidate (1) or not (0)."),
    "no_promise": _lazy("Splitting a pot needs a pledge for this round."),
    "split": _lazy("The amounts must add up to your promise for this round."),
}


def _checked_marks(round_: Round, membership: PoolMembership, marks: dict) -> dict[int, int]:
    """The marks read as whole numbers (a form or the API sends text), then checked by the
    round's method's rule (`voting/rules.py`)."""
    candidacies = set(
        round_.candidacies.filter(status=CandidacyStatus.NOMINATED).values_list("pk", flat=True)
    )
    try:
        marks = {int(key): int(value) for key, value in marks.items()}
    except (TypeError, ValueError) as error:
        raise ValidationError({"marks": BALLOT_MESSAGES["whole"]}) from error
    try:
        if round_.kind == RoundKind.ALLOCATION:
            promise = selectors.member_promise(round_=round_, membership=membership)
            return rules.allocation_ballot(marks, promise=promise, candidates=candidacies)
        if round_.voting_method == VotingMethod.MAJORITY_JUDGMENT:
            return rules.majority_judgment_ballot(marks, candidates=candidacies)
        if round_.voting_method == VotingMethod.QUADRATIC:
            return rules.quadratic_ballot(
                marks, credits=round_.quadratic_credits or 0, candidates=candidacies
            )
        return rules.approval_ballot(marks, candidates=candidacies)
    except BallotError as error:
        message = str(BALLOT_MESSAGES[error.code])
        raise ValidationError(
            {"marks": message % error.params if error.params else message}
        ) from error


@transaction.atomic
def ballot_cast(
    *,
    round_: Round,
    membership: PoolMembership,
    actor: User,
    marks: dict,
    previous_receipt: str = "",
) -> str:
    """Vote for a member, or replace that member's vote with the receipt of the previous
    ballot; returns the new receipt."""
    if not _may_act_for(membership, actor):
        raise PermissionDenied(_("You cannot vote for this member."))
    round_ = Round.objects.select_related("pool").get(pk=round_.pk)
    now = timezone.now()
    if round_.state != RoundState.VOTING or now >= round_.voting_closes_at:
        raise ValidationError(_("The vote is not open."))
    if membership.pool_id != round_.pool_id or not selectors.has_vote(
        round_=round_, membership=membership
    ):
        raise ValidationError(_("This member has no vote in this round."))
    lines = _checked_marks(round_, membership, marks)
    receipt = _receipt()
    roll = VoterRoll.objects.select_for_update().filter(round=round_, membership=membership).first()
    if roll is None:
        try:
            with transaction.atomic():
                VoterRoll.objects.create(
                    round=round_,
                    membership=membership,
                    receipt_digest=_receipt_digest(round_, receipt),
                )
        except IntegrityError as error:  # a concurrent request voted first
            raise ValidationError(_("This member has already voted in this round.")) from error
    else:
        given = previous_receipt.strip().upper()
        if not given or not constant_time_compare(
            _receipt_digest(round_, given), roll.receipt_digest
        ):
            raise ValidationError(
                {
                    "previous_receipt": _(
                        "This member has already voted: give the receipt of that ballot to change "
                        "it."
                    )
                }
            )
        SealedBallot.objects.filter(round=round_, receipt=given).delete()
        Ballot.objects.filter(round=round_, receipt=given).delete()
        roll.receipt_digest = _receipt_digest(round_, receipt)
        roll.save(update_fields=["receipt_digest"])
    SealedBallot.objects.create(
        round=round_,
        receipt=receipt,
        college=membership.college,
        marks={str(candidacy): value for candidacy, value in lines.items()},
    )
    return receipt


@transaction.atomic
def ballots_unseal(*, round_: Round, minimum: int = 1) -> int:
    """Move the ballots waiting in the round's box to the counted ballots, in shuffled order,
    when at least `minimum` wait; returns how many were moved."""
    sealed = list(SealedBallot.objects.select_for_update().filter(round=round_))
    if not sealed or len(sealed) < minimum:
        return 0
    secrets.SystemRandom().shuffle(sealed)
    counted = Ballot.objects.bulk_create(
        [Ballot(round=round_, receipt=box.receipt, college_id=box.college_id) for box in sealed]
    )
    BallotLine.objects.bulk_create(
        [
            BallotLine(ballot=ballot, candidacy_id=int(candidacy), value=value)
            for ballot, box in zip(counted, sealed, strict=True)
            for candidacy, value in box.marks.items()
        ]
    )
    SealedBallot.objects.filter(pk__in=[box.pk for box in sealed]).delete()
    log_event(logger, "ballots.unsealed", round=round_.pk, ballots=len(sealed))
    return len(sealed)


def ballots_unseal_waiting() -> int:
    """Celery beat: open the boxes of the rounds under vote that hold enough ballots."""
    rounds = (
        SealedBallot.objects.filter(round__state=RoundState.VOTING)
        .values("round")
        .annotate(waiting=Count("pk"))
        .filter(waiting__gte=settings.BALLOT_BOX_MINIMUM)
        .values_list("round", flat=True)
    )
    return sum(
        ballots_unseal(round_=round_, minimum=settings.BALLOT_BOX_MINIMUM)
        for round_ in Round.objects.filter(pk__in=list(rounds))
    )
