"""The JSON shapes of pools, rounds and pledges in the API (`pledges/api.py`)."""

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from commons_fund.members.models import Organisation
from commons_fund.money import minor_units
from commons_fund.payments.models import SavedPaymentMethod
from projects.models import Project

from . import publication, selectors
from .models import POOL_RULES, Pledge, Pool, PoolMembership, Round


class PoolSerializer(serializers.ModelSerializer):
    host = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    minimum_pot = serializers.DecimalField(
        source="minimum_pot.amount", max_digits=12, decimal_places=2, read_only=True
    )
    matching_pool = serializers.DecimalField(
        source="matching_pool.amount", max_digits=12, decimal_places=2, read_only=True
    )
    matching_funder = serializers.SlugRelatedField(
        slug_field="slug",
        read_only=True,
        help_text="The structure that pays the matching pool; null: the host.",
    )
    members = serializers.IntegerField(read_only=True)
    commons = serializers.SerializerMethodField(
        help_text="The commons the pool funds (their slugs): nominations may be limited to "
        "them and the rotation cycles over them; empty: no list."
    )

    class Meta:
        model = Pool
        fields = [
            "id",
            "name",
            "slug",
            "description",
            "host",
            "currency",
            "period",
            "round_kind",
            "voting_method",
            "quorum_percent",
            "minimum_pot",
            "rotation_rule",
            "nomination_rule",
            "no_quorum_rule",
            "collection_methods",
            "membership_policy",
            "matching_pool",
            "matching_funder",
            "matching_cap_percent",
            "members",
            "commons",
        ]

    def get_commons(self, pool: Pool) -> list[str]:
        return sorted(listed.project.slug for listed in pool.listed_commons.all())


class PoolRulesSerializer(serializers.ModelSerializer):
    """A pool's name and rules as its host's administrators write them; the services check
    them (with the model's rules) and answer which field is wrong."""

    host = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    minimum_pot = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    matching_pool = serializers.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal(0), required=False
    )
    matching_funder = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        required=False,
        allow_null=True,
        help_text="The structure that pays the matching pool (a member of the pool, or one "
        "you administer); null: the host.",
    )
    commons = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Project.objects.all(),
        many=True,
        required=False,
        help_text="The commons the pool funds, by slug; given, it replaces the list.",
    )

    class Meta:
        model = Pool
        fields = ["host", *POOL_RULES, "commons"]
        validators: list = []  # the services validate, with the model's own rules


class CandidacySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    project = serializers.CharField(source="project.slug")
    name = serializers.CharField(source="project.name")
    step = serializers.IntegerField(source="step.position", allow_null=True, default=None)
    minimum = serializers.DecimalField(max_digits=14, decimal_places=2)
    optimum = serializers.DecimalField(max_digits=14, decimal_places=2)


class TurnoutSerializer(serializers.Serializer):
    voters = serializers.IntegerField()
    electorate = serializers.IntegerField()
    quorum_needed = serializers.IntegerField()
    quorum_reached = serializers.BooleanField()


class ProjectedMatchingSerializer(serializers.Serializer):
    voters = serializers.IntegerField(
        help_text="Ballots counted so far (they leave the box in shuffled groups)."
    )
    threshold = serializers.IntegerField(
        help_text="Ballots needed before the projection is shown (no ballot singled out)."
    )
    shown = serializers.BooleanField()
    matching = serializers.DictField(
        source="per_candidacy",
        child=serializers.IntegerField(),
        help_text="Candidacy id → cents of the matching pool if the vote closed now; empty "
        "until shown.",
    )


class RoundSerializer(serializers.ModelSerializer):
    pool = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    candidacies = serializers.SerializerMethodField()
    pot = serializers.SerializerMethodField()
    turnout = serializers.SerializerMethodField(
        help_text="Once the vote has opened: voters so far (a count, never who), members with "
        "a vote, the voters the quorum needs and whether it is reached; null before."
    )
    projected_matching = serializers.SerializerMethodField()

    class Meta:
        model = Round
        fields = [
            "id",
            "pool",
            "number",
            "state",
            "nominations_open_at",
            "voting_opens_at",
            "voting_closes_at",
            "kind",
            "voting_method",
            "quorum_percent",
            "quadratic_credits",
            "seed",
            "electorate",
            "reason",
            "candidacies",
            "pot",
            "turnout",
            "projected_matching",
        ]

    # A list's page is read in a few queries by RoundViewSet.get_serializer (context).
    @extend_schema_field(CandidacySerializer(many=True))
    def get_candidacies(self, round_: Round) -> list:
        candidacies = self.context.get("candidacies", {}).get(round_.pk)
        if candidacies is None:
            candidacies = selectors.round_candidacies(round_=round_)
        return CandidacySerializer(candidacies, many=True).data

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField()))
    def get_pot(self, round_: Round) -> dict:
        """In cents, as the API has always said (converted here, at the edge)."""
        pot = self.context.get("pots", {}).get(round_.pk) or selectors.round_pot(round_=round_)
        return {
            "promised": minor_units(pot.promised),
            "collected": minor_units(pot.collected),
            "voided": minor_units(pot.voided),
        }

    @extend_schema_field(TurnoutSerializer(allow_null=True))
    def get_turnout(self, round_: Round) -> dict | None:
        turnouts = self.context.get("turnouts")
        if turnouts is None:
            turnouts = selectors.rounds_turnout(rounds=[round_])
        turnout = turnouts.get(round_.pk)
        return TurnoutSerializer(turnout).data if turnout is not None else None

    @extend_schema_field(ProjectedMatchingSerializer(allow_null=True))
    def get_projected_matching(self, round_: Round) -> dict | None:
        """Allocation rounds whose vote is open, when the pool publishes it; null otherwise."""
        projected = publication.round_projected_matching(round_=round_)
        return ProjectedMatchingSerializer(projected).data if projected is not None else None


class NominationSerializer(serializers.Serializer):
    project = serializers.SlugRelatedField(slug_field="slug", queryset=Project.objects.all())


class BallotSerializer(serializers.Serializer):
    membership = serializers.IntegerField(
        required=False, help_text="The member voted for; default: yourself."
    )
    marks = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="Candidacy id → grade (0 = À rejeter … 6 = Excellent), votes, 0/1, or "
        "cents (allocation).",
    )
    previous_receipt = serializers.CharField(required=False, allow_blank=True, default="")


class ReceiptSerializer(serializers.Serializer):
    receipt = serializers.CharField()


class PledgeSerializer(serializers.ModelSerializer):
    pool = serializers.CharField(source="membership.pool.slug", read_only=True)
    amount = serializers.CharField(source="amount.amount")
    membership = serializers.PrimaryKeyRelatedField(queryset=PoolMembership.objects.all())
    saved_method = serializers.PrimaryKeyRelatedField(
        queryset=SavedPaymentMethod.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = Pledge
        fields = [
            "id",
            "pool",
            "membership",
            "amount",
            "method",
            "saved_method",
            "rounds_total",
            "rounds_committed",
            "status",
        ]
        read_only_fields = ["rounds_committed", "status"]


class PledgeUpdateSerializer(serializers.Serializer):
    amount = serializers.CharField(required=False)
    status = serializers.ChoiceField(choices=["active", "paused", "cancelled"], required=False)
