"""Rounds: nominations, the vote (its rules frozen when it opens), the commons candidates,
and the collections: a round's promise to collect from one pledge, and what became of it."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from .pools import Pool, PoolMembership, RoundKind, VotingMethod
from .promises import Pledge


class RoundState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    NOMINATING = "nominating", _("Nominations open")
    VOTING = "voting", _("Vote open")
    TALLIED = "tallied", _("Tallied")
    COLLECTING = "collecting", _("Collecting the promises")
    PAID_OUT = "paid_out", _("Paid out")
    CLOSED = "closed", _("Closed")
    NO_QUORUM = "no_quorum", _("Failed: no quorum")
    BELOW_MINIMUM = "below_minimum", _("Failed: pot below the minimum")
    CANCELLED = "cancelled", _("Cancelled")


FAILED_STATES = {RoundState.NO_QUORUM, RoundState.BELOW_MINIMUM, RoundState.CANCELLED}
# Rounds whose results (and ballots) are published.
RESULT_STATES = {RoundState.TALLIED, RoundState.COLLECTING, RoundState.PAID_OUT, RoundState.CLOSED}


class Round(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveIntegerField(_("number"))
    state = models.CharField(
        _("state"), max_length=20, choices=RoundState.choices, default=RoundState.SCHEDULED
    )
    nominations_open_at = models.DateTimeField(_("nominations open"))
    voting_opens_at = models.DateTimeField(_("vote opens"))
    voting_closes_at = models.DateTimeField(_("vote closes"))
    # The rules of the election, copied from the pool when the vote opens.
    kind = models.CharField(_("kind"), max_length=20, choices=RoundKind.choices, blank=True)
    voting_method = models.CharField(
        _("voting method"), max_length=20, choices=VotingMethod.choices, blank=True
    )
    quorum_percent = models.PositiveSmallIntegerField(_("quorum (%)"), null=True, blank=True)
    minimum_pot = MoneyField(
        _("minimum pot"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        default_currency="EUR",
    )
    rotation_rule = models.CharField(_("rotation"), max_length=20, blank=True)
    quadratic_credits = models.PositiveIntegerField(null=True, blank=True)
    vote_opened_at = models.DateTimeField(_("vote opened at"), null=True, blank=True)
    seed = models.CharField(
        _("tie-break seed"),
        max_length=100,
        blank=True,
        help_text=_("Published when the vote opens."),
    )
    electorate = models.PositiveIntegerField(_("members with voting rights"), default=0)
    reopened = models.BooleanField(_("vote reopened"), default=False)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    rolled_over = MoneyField(
        _("pot rolled over from earlier rounds"),
        max_digits=12,
        decimal_places=2,
        default=0,
        default_currency="EUR",
    )
    publication_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    matching_pool = MoneyField(
        _("matching pool"), max_digits=12, decimal_places=2, default=0, default_currency="EUR"
    )
    matching_cap_percent = models.PositiveSmallIntegerField(
        _("cap per commons (% of the matching pool)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    matching_funder = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("matching pool paid by"),
        help_text=_("Empty: the hosting structure."),
    )
    matching_charge = models.OneToOneField(
        "payments.Charge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matched_round",
        verbose_name=_("matching asked of its funder"),
    )
    winner = models.ForeignKey(
        "Candidacy", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    results = models.JSONField(_("published results"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("round")
        verbose_name_plural = _("rounds")
        ordering = ["pool", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "number"], name="pledges_round_number"),
            models.CheckConstraint(
                condition=Q(state__in=RoundState.values), name="pledges_round_state_known"
            ),
            models.CheckConstraint(
                condition=Q(nominations_open_at__lte=models.F("voting_opens_at"))
                & Q(voting_opens_at__lt=models.F("voting_closes_at")),
                name="pledges_round_dates_in_order",
            ),
            models.CheckConstraint(
                condition=Q(matching_pool__gte=0) & Q(rolled_over__gte=0),
                name="pledges_round_amounts_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pool} – {_('round')} {self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "pledges:round_detail", kwargs={"slug": self.pool.slug, "number": self.number}
        )

    @property
    def pot_instalments(self):
        """The promises this round's pot is made of: its own, and those carried into it from
        earlier rounds that rolled over."""
        return Instalment.objects.filter(Q(round=self) | Q(carried_into=self))


class CandidacyStatus(models.TextChoices):
    NOMINATED = "nominated", _("Nominated")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Candidacy(models.Model):
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="candidacies")
    project = models.ForeignKey(
        "projects.Project", on_delete=models.PROTECT, related_name="candidacies"
    )
    step = models.ForeignKey(
        "projects.Step", on_delete=models.PROTECT, null=True, blank=True, related_name="candidacies"
    )
    nominated_by = models.ForeignKey(
        PoolMembership, on_delete=models.PROTECT, null=True, blank=True, related_name="nominations"
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CandidacyStatus.choices,
        default=CandidacyStatus.NOMINATED,
    )

    class Meta:
        verbose_name = _("candidacy")
        verbose_name_plural = _("candidacies")
        ordering = ["round", "project__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "project"], name="pledges_candidacy_once_per_round"
            ),
        ]

    def __str__(self) -> str:
        return str(self.project)


class InstalmentStatus(models.TextChoices):
    PROMISED = "promised", _("Promised")
    DUE = "due", _("Due")
    SUCCEEDED = "succeeded", _("Collected")
    FAILED = "failed", _("Failed, to retry")
    DEFAULTED = "defaulted", _("Defaulted")
    VOIDED = "voided", _("Voided")


FINAL_INSTALMENT = {InstalmentStatus.SUCCEEDED, InstalmentStatus.DEFAULTED, InstalmentStatus.VOIDED}


class Instalment(models.Model):
    """A pledge's instalment (échéance) for one round: promised when the vote opens (a
    pending commitment in the ledger), due once the beneficiary is known, then collected,
    defaulted or voided. Collecting it may take several attempts (charges)."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="instalments")
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="instalments")
    amount = MoneyField(_("amount"), max_digits=12, decimal_places=2, default_currency="EUR")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=InstalmentStatus.choices,
        default=InstalmentStatus.PROMISED,
    )
    commitment = models.OneToOneField(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="instalment"
    )
    charge = models.ForeignKey(
        "payments.Charge",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The latest attempt."),
    )
    carried_into = models.ForeignKey(
        Round,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried",
        verbose_name=_("carried into"),
        help_text=_(
            "The later round whose pot this promise joined (a round without quorum rolled over)."
        ),
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("instalment")
        verbose_name_plural = _("instalments")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "pledge"], name="pledges_collection_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="pledges_collection_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=InstalmentStatus.values),
                name="pledges_collection_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge} – {self.round}"
