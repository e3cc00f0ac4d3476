"""JSON API of pools: pools and rounds (public), nominations and my ballot (members), the
published results and ballots of a tallied round (public), my pledges."""

from decimal import Decimal

from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from commons_fund.members.models import Organisation
from commons_fund.payments.models import SavedPaymentMethod
from projects.models import Project

from . import ballots, rounds, selectors, services
from .models import RESULT_STATES, Pledge, Pool, PoolMembership, Round, RoundState

RECEIPTS_PER_PAGE = 500


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
        fields = [
            "host",
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
            "commons",
        ]
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
        pot = self.context.get("pots", {}).get(round_.pk) or selectors.round_pot(round_=round_)
        return {"promised": pot.promised, "collected": pot.collected, "voided": pot.voided}

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
        projected = selectors.round_projected_matching(round_=round_)
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


class PoolViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Pools, with their rules. Anyone may read; an organisation's administrators create its
    pools (POST) and change their rules (PATCH), which apply from the next vote."""

    serializer_class = PoolSerializer
    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.pool_list()

    def get_serializer_class(self):
        return (
            PoolRulesSerializer if self.action in ("create", "partial_update") else PoolSerializer
        )

    @extend_schema(request=PoolRulesSerializer, responses={201: PoolSerializer})
    def create(self, request, *args, **kwargs):
        data = PoolRulesSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rules = dict(data.validated_data)
        pool = services.pool_create(creator=request.user, host=rules.pop("host"), **rules)
        shown = selectors.pool_list().get(pk=pool.pk)
        return Response(PoolSerializer(shown).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PoolRulesSerializer, responses={200: PoolSerializer})
    def partial_update(self, request, *args, **kwargs):
        pool = self.get_object()
        if not selectors.pool_admin(pool=pool, user=request.user):
            raise NotFound()
        data = PoolRulesSerializer(pool, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rules = dict(data.validated_data)
        if "host" in rules:
            raise ValidationError({"host": ["A pool keeps its host."]})
        services.pool_update(pool=pool, actor=request.user, **rules)
        return Response(PoolSerializer(selectors.pool_list().get(pk=pool.pk)).data)


@extend_schema(
    parameters=[
        OpenApiParameter("pool", description="a pool's slug"),
        OpenApiParameter("state", enum=RoundState.values),
    ]
)
class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Rounds with their candidates and pot; members nominate and vote; the results and
    ballots are published once the round is tallied."""

    serializer_class = RoundSerializer

    def get_queryset(self):
        rounds_ = Round.objects.select_related("pool").order_by("pool__slug", "number")
        params = self.request.query_params
        if params.get("state"):
            if params["state"] not in RoundState.values:
                raise ValidationError(
                    {"state": [f"Expected one of: {', '.join(RoundState.values)}."]}
                )
            rounds_ = rounds_.filter(state=params["state"])
        if params.get("pool"):
            rounds_ = rounds_.filter(pool__slug=params["pool"][:80])
        return rounds_

    def get_serializer(self, *args, **kwargs):
        """A page of rounds: their candidacies, pots and turnouts in five queries, not five per
        row."""
        if kwargs.get("many") and args:
            page = list(args[0])
            kwargs["context"] = {
                **self.get_serializer_context(),
                "candidacies": selectors.rounds_candidacies(rounds=page),
                "pots": selectors.rounds_pots(rounds=page),
                "turnouts": selectors.rounds_turnout(rounds=page),
            }
            args = (page, *args[1:])
        return super().get_serializer(*args, **kwargs)

    @extend_schema(request=NominationSerializer, responses={201: CandidacySerializer})
    @action(detail=True, methods=["post"], permission_classes=[IsAuthenticated])
    def candidacies(self, request, pk=None):
        round_ = self.get_object()
        data = NominationSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        candidacy = rounds.candidacy_nominate(
            round_=round_, actor=request.user, project=data.validated_data["project"]
        )
        row = next(c for c in selectors.round_candidacies(round_=round_) if c.pk == candidacy.pk)
        return Response(CandidacySerializer(row).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=BallotSerializer, responses={201: ReceiptSerializer})
    @action(detail=True, methods=["post", "put"], permission_classes=[IsAuthenticated])
    def ballot(self, request, pk=None):
        """Cast my ballot (POST) or replace it with the previous receipt (PUT). The receipt
        is answered once; keep it."""
        round_ = self.get_object()
        data = BallotSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        mine = selectors.memberships_of(pool=round_.pool, user=request.user)
        membership = (
            mine.filter(pk=values["membership"]).first() if "membership" in values else mine.first()
        )
        if membership is None:
            raise NotFound("You are not a member of this pool.")
        if request.method == "PUT" and not values["previous_receipt"]:
            raise ValidationError(
                {"previous_receipt": ["Give the receipt of the ballot to replace."]}
            )
        receipt = ballots.ballot_cast(
            round_=round_,
            membership=membership,
            actor=request.user,
            marks=values["marks"],
            previous_receipt=values["previous_receipt"],
        )
        return Response({"receipt": receipt}, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[OpenApiParameter("page", int)])
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Ranking, counts per grade (worst first) or scores, the tie-break seed and order,
        and the published ballots with their receipts (500 per page). A college with fewer
        voters than `publication_threshold` has its ballots listed without marks and its
        totals in `college_totals` ("" for voters without a college); allocation ballots
        show whole per cents of each ballot, and `counts` gives, per candidacy, how many
        ballots gave each amount in cents."""
        round_ = self.get_object()
        if round_.state not in RESULT_STATES:
            raise NotFound("The results are published once the round is tallied.")
        page = Paginator(selectors.round_receipts(round_=round_), RECEIPTS_PER_PAGE).get_page(
            request.query_params.get("page")
        )
        small = selectors.round_small_colleges(round_=round_)
        ballots = selectors.published_ballots(round_=round_, ballots=page.object_list, small=small)
        published = round_.results
        return Response(
            {
                **{
                    key: published.get(key)
                    for key in (
                        "kind",
                        "method",
                        "voters",
                        "electorate",
                        "pot",
                        "collected",
                        "seed",
                        "tie_break",
                        "winner",
                        "ranking",
                        "shares",
                        "matching",
                        "weights",
                    )
                },
                "grades_worst_first": [
                    "À rejeter",
                    "Insuffisant",
                    "Passable",
                    "Assez bien",
                    "Bien",
                    "Très bien",
                    "Excellent",
                ],
                "publication_threshold": selectors.publication_threshold(round_=round_),
                "college_totals": selectors.round_college_totals(round_=round_, small=small),
                "counts": selectors.round_allocation_counts(round_=round_),
                "receipts": {
                    "count": page.paginator.count,
                    "page": page.number,
                    "pages": page.paginator.num_pages,
                    "results": [
                        {
                            "receipt": ballot.receipt,
                            "college": ballot.college or None,
                            "marks": None
                            if ballot.marks is None
                            else {str(key): value for key, value in ballot.marks.items()},
                        }
                        for ballot in ballots
                    ],
                },
            }
        )


class PledgeViewSet(
    mixins.ListModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """My pledges (and those of the organisations whose accounts I keep)."""

    serializer_class = PledgeSerializer
    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return (
            Pledge.objects.filter(
                pk__in=[p.pk for p in selectors.pledges_of(user=self.request.user)]
            )
            .select_related("membership__pool")
            .order_by("pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.pledge_create(
            actor=self.request.user,
            membership=data["membership"],
            amount=data["amount"]["amount"],
            method=data["method"],
            saved_method=data.get("saved_method"),
            rounds_total=data.get("rounds_total"),
        )

    @extend_schema(request=PledgeUpdateSerializer, responses={200: PledgeSerializer})
    def partial_update(self, request, *args, **kwargs):
        pledge = self.get_object()  # a malformed id is a 404, not a 500
        data = PledgeUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "amount" in data.validated_data:
            pledge = services.pledge_change(
                pledge=pledge, actor=request.user, amount=data.validated_data["amount"]
            )
        if "status" in data.validated_data:
            pledge = services.pledge_set_status(
                pledge=pledge, actor=request.user, status=data.validated_data["status"]
            )
        return Response(PledgeSerializer(pledge).data)
