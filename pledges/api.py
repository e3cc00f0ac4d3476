"""JSON API of pools: pools and rounds (public), nominations and my ballot (members), the
published results and ballots of a tallied round (public), my pledges."""

from django.core.paginator import Paginator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from . import ballots, personal, publication, rounds, selectors, services
from .models import RESULT_STATES, Pledge, Round, RoundState
from .serializers import (
    BallotSerializer,
    CandidacySerializer,
    NominationSerializer,
    PledgeSerializer,
    PledgeUpdateSerializer,
    PoolRulesSerializer,
    PoolSerializer,
    ReceiptSerializer,
    RoundSerializer,
)

RECEIPTS_PER_PAGE = 500


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
        page = Paginator(publication.round_receipts(round_=round_), RECEIPTS_PER_PAGE).get_page(
            request.query_params.get("page")
        )
        small = publication.round_small_colleges(round_=round_)
        ballots = publication.published_ballots(
            round_=round_, ballots=page.object_list, small=small
        )
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
                "publication_threshold": publication.publication_threshold(round_=round_),
                "college_totals": publication.round_college_totals(round_=round_, small=small),
                "counts": publication.round_allocation_counts(round_=round_),
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
                pk__in=[p.pk for p in personal.pledges_of(user=self.request.user)]
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
