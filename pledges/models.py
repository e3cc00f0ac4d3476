"""Pledge pools ("fonds communs", tontines virtuelles): members promise a sum per round, vote
for the commons that receives the pot, and only then is the promise collected.

Rules that decide an election are copied from the pool into each round when its vote opens,
so a round's rules never change once people vote; a change of the pool applies to the
rounds that open later. Ballot secrecy: `VoterRoll` says who voted, `Ballot` what was voted,
with no link between them."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from commons_fund.members.validators import validate_plain_text, validate_public_slug

MAX_AMOUNT = 1_000_000  # euros per pledge and round: a typo guard, not a policy
# A college (or a round without colleges) with fewer voters has its totals published, not its
# ballots; rounds whose vote opened before the rule existed keep this default.
DEFAULT_PUBLICATION_THRESHOLD = 5


class Period(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    CUSTOM = "custom", _("Custom dates")


class RoundKind(models.TextChoices):
    ROTATION = "rotation", _("Rotation: one commons receives the whole pot")
    ALLOCATION = "allocation", _("Allocation: members split their pledge, with matching")


class VotingMethod(models.TextChoices):
    MAJORITY_JUDGMENT = "majority_judgment", _("Majority judgment")
    QUADRATIC = "quadratic", _("Quadratic voting")
    APPROVAL = "approval", _("Approval voting")


class RotationRule(models.TextChoices):
    STRICT = "strict", _("A winner waits until every eligible candidate has won")
    NONE = "none", _("No rotation")


class NoQuorumRule(models.TextChoices):
    REOPEN_ONCE = "reopen_once", _("Reopen the vote once")
    ROLL_OVER = "roll_over", _("Roll the pot over to the next round")


class CollectionMethods(models.TextChoices):
    STRIPE = "stripe", _("Card or SEPA Direct Debit")
    TRANSFER = "transfer", _("Bank transfer")
    BOTH = "both", _("Card, SEPA Direct Debit or bank transfer")


class MembershipPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone may join")
    APPROVAL = "approval", _("On approval by the pool's administrators")


class Pool(models.Model):
    name = models.CharField(_("name"), max_length=120, validators=[validate_plain_text])
    slug = models.SlugField(
        _("web address"), max_length=80, unique=True, validators=[validate_public_slug]
    )
    description = models.TextField(_("description"), max_length=10000, blank=True)
    host = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        related_name="pools",
        verbose_name=_("hosting structure"),
        help_text=_("The organisation that holds the pool's money."),
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    period = models.CharField(
        _("round period"), max_length=20, choices=Period.choices, default=Period.MONTHLY
    )
    round_kind = models.CharField(
        _("kind of rounds"), max_length=20, choices=RoundKind.choices, default=RoundKind.ROTATION
    )
    voting_method = models.CharField(
        _("voting method"),
        max_length=20,
        choices=VotingMethod.choices,
        default=VotingMethod.MAJORITY_JUDGMENT,
    )
    quorum_percent = models.PositiveSmallIntegerField(
        _("quorum (% of members with voting rights)"),
        default=50,
        validators=[MaxValueValidator(100)],
    )
    minimum_pot = MoneyField(
        _("minimum pot"),
        max_digits=12,
        decimal_places=2,
        default=0,
        default_currency="EUR",
        help_text=_("Below it, promises are voided and nothing is charged."),
    )
    rotation_rule = models.CharField(
        _("rotation"), max_length=20, choices=RotationRule.choices, default=RotationRule.STRICT
    )
    no_quorum_rule = models.CharField(
        _("without quorum"),
        max_length=20,
        choices=NoQuorumRule.choices,
        default=NoQuorumRule.REOPEN_ONCE,
    )
    collection_methods = models.CharField(
        _("collection"),
        max_length=20,
        choices=CollectionMethods.choices,
        default=CollectionMethods.BOTH,
    )
    membership_policy = models.CharField(
        _("membership"),
        max_length=20,
        choices=MembershipPolicy.choices,
        default=MembershipPolicy.OPEN,
    )
    defaulters_vote = models.BooleanField(
        _("defaulting members keep their vote"),
        default=False,
        help_text=_("Whether a member whose payment defaulted votes in the next round."),
    )
    quadratic_credits = models.PositiveIntegerField(_("credits per voter (quadratic)"), default=100)
    publication_threshold = models.PositiveSmallIntegerField(
        _("fewest voters for a college's ballots to be published"),
        default=DEFAULT_PUBLICATION_THRESHOLD,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "A college with fewer voters has its totals published, not its ballots, so that "
            "no one's ballot can be singled out."
        ),
    )
    nomination_days = models.PositiveSmallIntegerField(_("days of nominations"), default=7)
    voting_days = models.PositiveSmallIntegerField(_("days of vote"), default=7)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("pool")
        verbose_name_plural = _("pools")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quorum_percent__lte=100), name="pledges_pool_quorum_percent"
            ),
            models.CheckConstraint(
                condition=Q(publication_threshold__gte=1),
                name="pledges_pool_publication_threshold_positive",
            ),
            models.CheckConstraint(
                condition=Q(minimum_pot__gte=0), name="pledges_pool_minimum_pot_positive"
            ),
            models.CheckConstraint(
                condition=Q(voting_method__in=VotingMethod.values),
                name="pledges_pool_voting_method_known",
            ),
            models.CheckConstraint(
                condition=Q(round_kind__in=RoundKind.values), name="pledges_pool_round_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(voting_days__gte=1) & Q(nomination_days__gte=0),
                name="pledges_pool_durations",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pledges:pool_detail", kwargs={"slug": self.slug})


class College(models.Model):
    """A group of members whose result counts for a share of the whole, as in a SCIC."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="colleges")
    name = models.CharField(_("name"), max_length=80, validators=[validate_plain_text])
    weight_percent = models.PositiveSmallIntegerField(
        _("weight (%)"),
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )

    class Meta:
        verbose_name = _("college")
        verbose_name_plural = _("colleges")
        ordering = ["pool", "name"]
        constraints = [
            models.UniqueConstraint(fields=["pool", "name"], name="pledges_college_unique"),
            models.CheckConstraint(
                condition=Q(weight_percent__gte=1, weight_percent__lte=100),
                name="pledges_college_weight_percent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.weight_percent} %)"


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")


class PoolMembership(models.Model):
    """A member of a pool: a person or an organisation. One member, one vote, whatever its
    pledge."""

    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pool_memberships",
    )
    organisation = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pool_memberships",
    )
    college = models.ForeignKey(
        College, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("pool member")
        verbose_name_plural = _("pool members")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(user__isnull=False, organisation__isnull=True)
                    | Q(user__isnull=True, organisation__isnull=False)
                ),
                name="pledges_member_person_or_organisation",
            ),
            models.UniqueConstraint(
                fields=["pool", "user"],
                condition=Q(user__isnull=False),
                name="pledges_member_user_once",
            ),
            models.UniqueConstraint(
                fields=["pool", "organisation"],
                condition=Q(organisation__isnull=False),
                name="pledges_member_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.organisation.name if self.organisation_id else self.user.display_name

    @property
    def payer(self):
        return self.organisation if self.organisation_id else self.user


class PledgeStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    CANCELLED = "cancelled", _("Cancelled")
    FINISHED = "finished", _("Finished")


class Pledge(models.Model):
    """A promise of an amount per round, for a number of rounds or until cancelled. Nothing
    is charged until a round's beneficiary is known."""

    membership = models.ForeignKey(PoolMembership, on_delete=models.PROTECT, related_name="pledges")
    amount = MoneyField(
        _("amount per round"), max_digits=12, decimal_places=2, default_currency="EUR"
    )
    rounds_total = models.PositiveSmallIntegerField(
        _("number of rounds"),
        null=True,
        blank=True,
        help_text=_("Empty: until cancelled."),
    )
    rounds_committed = models.PositiveSmallIntegerField(_("rounds promised so far"), default=0)
    method = models.CharField(
        _("payment method"),
        max_length=20,
        choices=[
            ("card", _("Card")),
            ("sepa_debit", _("SEPA Direct Debit")),
            ("transfer", _("Bank transfer")),
        ],
    )
    saved_method = models.ForeignKey(
        "payments.SavedPaymentMethod",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pledges",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PledgeStatus.choices, default=PledgeStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0) & Q(amount__lte=MAX_AMOUNT),
                name="pledges_pledge_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(method="transfer", saved_method__isnull=True)
                | Q(method__in=["card", "sepa_debit"], saved_method__isnull=False),
                name="pledges_pledge_method_matches",
            ),
            models.CheckConstraint(
                condition=Q(rounds_total__isnull=True) | Q(rounds_total__gte=1),
                name="pledges_pledge_rounds_total_positive",
            ),
            # One live pledge per member and pool: a change replaces the amount.
            models.UniqueConstraint(
                fields=["membership"],
                condition=Q(status__in=["active", "paused"]),
                name="pledges_pledge_one_live_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership} – {self.amount}"


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
    minimum_pot = models.BigIntegerField(_("minimum pot (cents)"), null=True, blank=True)
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
    rolled_over = models.BigIntegerField(
        _("pot rolled over from earlier rounds (cents)"), default=0
    )
    publication_threshold = models.PositiveSmallIntegerField(null=True, blank=True)
    matching_pool = models.BigIntegerField(_("matching pool (cents)"), default=0)
    matching_cap_percent = models.PositiveSmallIntegerField(
        _("cap per commons (% of the matching pool)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
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
    def pot_collections(self):
        """The promises this round's pot is made of: its own, and those carried into it from
        earlier rounds that rolled over."""
        return Collection.objects.filter(Q(round=self) | Q(carried_into=self))


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


class CollectionStatus(models.TextChoices):
    PROMISED = "promised", _("Promised")
    DUE = "due", _("Due")
    SUCCEEDED = "succeeded", _("Collected")
    FAILED = "failed", _("Failed, to retry")
    DEFAULTED = "defaulted", _("Defaulted")
    VOIDED = "voided", _("Voided")


FINAL_COLLECTION = {CollectionStatus.SUCCEEDED, CollectionStatus.DEFAULTED, CollectionStatus.VOIDED}


class Collection(models.Model):
    """A pledge's amount for one round: promised when the vote opens (a pending commitment
    in the ledger), due once the beneficiary is known, then collected, defaulted or voided."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="collections")
    pledge = models.ForeignKey(Pledge, on_delete=models.PROTECT, related_name="collections")
    amount = models.BigIntegerField(_("amount (cents)"))
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=CollectionStatus.choices,
        default=CollectionStatus.PROMISED,
    )
    commitment = models.OneToOneField(
        "ledger.Transaction", on_delete=models.PROTECT, related_name="pledge_collection"
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
        verbose_name = _("collection")
        verbose_name_plural = _("collections")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "pledge"], name="pledges_collection_once_per_round"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="pledges_collection_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CollectionStatus.values),
                name="pledges_collection_status_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pledge} – {self.round}"
