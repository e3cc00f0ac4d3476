"""Pools, their colleges and their members; the rules a pool sets for its rounds."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from djmoney.models.fields import MoneyField

from commons_fund.members.validators import validate_plain_text, validate_public_slug
from commons_fund.translations import TranslationsValidator

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


class NominationRule(models.TextChoices):
    ANY = "any", _("Any active commons may be nominated")
    LISTED = "listed", _("Only the commons the pool funds may be nominated")


class NoQuorumRule(models.TextChoices):
    REOPEN_ONCE = "reopen_once", _("Reopen the vote once")
    ROLL_OVER = "roll_over", _("Roll the pot over to the next round")


class CollectionMethods(models.TextChoices):
    STRIPE = "stripe", _("Card or SEPA Direct Debit")
    TRANSFER = "transfer", _("Bank transfer")
    BOTH = "both", _("Card, SEPA Direct Debit or bank transfer")


# The ways each collection rule takes promises; a host without a connected Stripe account
# takes transfers only, whatever the rule (pledges.selectors.methods_offered).
METHODS_ALLOWED = {
    CollectionMethods.STRIPE: {"card", "sepa_debit"},
    CollectionMethods.TRANSFER: {"transfer"},
    CollectionMethods.BOTH: {"card", "sepa_debit", "transfer"},
}


class MembershipPolicy(models.TextChoices):
    OPEN = "open", _("Open: anyone may join")
    APPROVAL = "approval", _("On approval by the pool's administrators")


class Pool(models.Model):
    name = models.CharField(_("name"), max_length=120, validators=[validate_plain_text])
    slug = models.SlugField(
        _("web address"), max_length=80, unique=True, validators=[validate_public_slug]
    )
    description = models.TextField(_("description"), max_length=10000, blank=True)
    translations = models.JSONField(
        _("translations"),
        default=dict,
        blank=True,
        validators=[TranslationsValidator("description")],
    )
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
    nomination_rule = models.CharField(
        _("nominations"),
        max_length=20,
        choices=NominationRule.choices,
        default=NominationRule.ANY,
        help_text=_(
            "With a list of the commons the pool funds, the rotation cycles over that list "
            "whatever this rule."
        ),
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
    projected_match_public = models.BooleanField(
        _("show the projected matching during the vote"),
        default=False,
        help_text=_(
            "Allocation rounds: while the vote is open, show what each commons would receive "
            "from the matching pool if the vote closed now (once enough members have voted "
            "that no ballot can be singled out)."
        ),
    )
    matching_pool = MoneyField(
        _("matching pool per round"),
        max_digits=12,
        decimal_places=2,
        default=0,
        default_currency="EUR",
        help_text=_(
            "Allocation rounds: a sum added to the members' promises, shared among the commons "
            "by quadratic funding (many small contributions weigh more than a few large ones)."
        ),
    )
    matching_funder = models.ForeignKey(
        "members.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pools_matched",
        verbose_name=_("matching pool paid by"),
        help_text=_(
            "Empty: the hosting structure. Another structure is asked for the matching "
            "actually shared, by bank transfer, once the vote is counted."
        ),
    )
    matching_cap_percent = models.PositiveSmallIntegerField(
        _("cap per commons (% of the matching pool)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Empty: no cap."),
    )
    nomination_days = models.PositiveSmallIntegerField(_("days of nominations"), default=7)
    voting_days = models.PositiveSmallIntegerField(_("days of vote"), default=7)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("pool")
        verbose_name_plural = _("pools")
        ordering = ["name"]
        # The pool list and the API read a page of pools in this order, not all of them.
        indexes = [models.Index(fields=["name", "id"], name="pledges_pool_by_name")]
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
                condition=Q(nomination_rule__in=NominationRule.values),
                name="pledges_pool_nomination_rule_known",
            ),
            models.CheckConstraint(
                condition=Q(voting_days__gte=1) & Q(nomination_days__gte=0),
                name="pledges_pool_durations",
            ),
            models.CheckConstraint(
                condition=Q(matching_pool=0) | Q(matching_pool__gt=0, round_kind="allocation"),
                name="pledges_pool_matching_for_allocation",
            ),
            models.CheckConstraint(
                condition=Q(matching_cap_percent__isnull=True)
                | Q(matching_cap_percent__gte=1, matching_cap_percent__lte=100),
                name="pledges_pool_matching_cap_percent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("pledges:pool_detail", kwargs={"slug": self.slug})

    def clean(self) -> None:
        if self.matching_pool.amount < 0:
            raise ValidationError({"matching_pool": _("The matching pool cannot be negative.")})
        if self.matching_pool.amount and self.round_kind != RoundKind.ALLOCATION:
            raise ValidationError(
                {"matching_pool": _("Only allocation rounds have a matching pool.")}
            )


# A pool's rules, as its administrators set them (pages, API) and in the order shown.
POOL_RULES = (
    "name",
    "description",
    "period",
    "round_kind",
    "voting_method",
    "quadratic_credits",
    "quorum_percent",
    "no_quorum_rule",
    "minimum_pot",
    "rotation_rule",
    "nomination_rule",
    "collection_methods",
    "membership_policy",
    "defaulters_vote",
    "publication_threshold",
    "projected_match_public",
    "matching_pool",
    "matching_funder",
    "matching_cap_percent",
    "nomination_days",
    "voting_days",
)


class PoolCommons(models.Model):
    """A commons the pool funds: nominations may be limited to them, and the rotation cycles
    over them."""

    pool = models.ForeignKey(
        Pool, on_delete=models.CASCADE, related_name="listed_commons", verbose_name=_("pool")
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        related_name="funding_pools",
        verbose_name=_("commons"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("commons of a pool")
        verbose_name_plural = _("commons of pools")
        constraints = [
            models.UniqueConstraint(fields=["pool", "project"], name="pledges_pool_commons_once")
        ]

    def __str__(self) -> str:
        return f"{self.pool} → {self.project}"


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
        indexes = [
            # A pool's page of members, in the order they joined.
            models.Index(fields=["pool", "id"], name="pledges_member_pool_order"),
            # The members waiting for approval, counted without reading the others.
            models.Index(
                fields=["pool"],
                condition=Q(status="pending"),
                name="pledges_member_pending",
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


class PoolMemberCount(models.Model):
    """How many active members a pool has, kept by database triggers on `PoolMembership`
    (`pledges/triggers.py`) whatever writes it (services, admin, SQL), so that a list of
    pools reads one row per pool shown instead of counting every membership. Never written
    by Django: no row means no member."""

    pool = models.OneToOneField(
        Pool, on_delete=models.CASCADE, primary_key=True, related_name="member_count"
    )
    active = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("pool member count")

    def __str__(self) -> str:
        return f"{self.pool_id}: {self.active}"
