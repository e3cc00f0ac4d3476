"""Ballot secrecy: `VoterRoll` says who voted, `Ballot` what was voted, with no link
between them; a `SealedBallot` waits, unreadable, until the vote closes."""

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from .pools import College, PoolMembership
from .rounds import Candidacy, Round


def random_key() -> int:
    """A random primary key: rows written one after the other get unrelated keys, so their
    order tells nothing (ballots, and the ballots waiting in the box)."""
    return secrets.randbits(62) + 1


class VoterRoll(models.Model):
    """Who voted in a round (never what, nor when): one row per member and round. It keeps a
    keyed hash (HMAC with the server's secret) of the receipt of the member's current ballot,
    so that only that receipt replaces that ballot; never the receipt or the ballot itself."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="voters")
    membership = models.ForeignKey(PoolMembership, on_delete=models.PROTECT, related_name="votes")
    receipt_digest = models.CharField(max_length=64, editable=False, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["round", "membership"], name="pledges_voter_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} – {self.round_id}"


class SealedBallot(models.Model):
    """A ballot in the box: written with the voter's roll row, then moved, among at least
    `BALLOT_BOX_MINIMUM` others in shuffled order (or all of them when the vote is counted),
    to `Ballot` by another transaction, so that nothing in the database pairs a ballot with
    its voter once it is counted."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sealed_ballots")
    college = models.ForeignKey(
        College, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt = models.CharField(max_length=32, unique=True)
    marks = models.JSONField()

    def __str__(self) -> str:
        return self.receipt


class Ballot(models.Model):
    """What was voted, with no link to who voted; the receipt lets its voter find it in the
    published results (and replace it while the vote is open)."""

    id = models.BigIntegerField(primary_key=True, default=random_key, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    college = models.ForeignKey(
        College, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    receipt = models.CharField(_("receipt"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")

    def __str__(self) -> str:
        return self.receipt


class BallotLine(models.Model):
    """One candidate's mark on a ballot: a grade index (majority judgment, 0 = "À rejeter"),
    a number of votes (quadratic), 1 (approval) or cents given (allocation)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="lines")
    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="marks")
    value = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ballot", "candidacy"], name="pledges_ballot_line_once"
            ),
        ]
        indexes = [models.Index(fields=["candidacy", "value"])]

    def __str__(self) -> str:
        return f"{self.candidacy_id}: {self.value}"
