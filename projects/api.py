"""JSON API of commons: anyone reads the list (filtered) and a commons with its co-financing
plan; maintainers and the hosting structure's administrators write (the services decide)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from commons_fund.members.models import Organisation, User

from . import contributions, selectors, services
from .licences import FREE_LICENCES
from .models import (
    FundingSource,
    LineKind,
    Project,
    ProjectKind,
    ProjectStatus,
    SourceKind,
    Step,
)

AMOUNT = {"max_digits": 14, "decimal_places": 2, "read_only": True}


class ProjectSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api:project-detail", lookup_field="slug")
    page = serializers.SerializerMethodField()
    host = serializers.SlugRelatedField(slug_field="slug", queryset=Organisation.objects.all())
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Project
        fields = [
            "url",
            "page",
            "name",
            "slug",
            "summary",
            "kind",
            "kind_label",
            "licence",
            "status",
            "status_label",
            "host",
            "regions",
            "departments",
            "repository_url",
            "website_url",
        ]
        extra_kwargs = {"slug": {"required": False}}

    @extend_schema_field(serializers.URLField())
    def get_page(self, project: Project) -> str:
        return self.context["request"].build_absolute_uri(project.get_absolute_url())


class LineSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    hourly_rate = serializers.DecimalField(
        source="hourly_rate.amount", max_digits=12, decimal_places=2, allow_null=True
    )
    lump_sum = serializers.DecimalField(
        source="lump_sum.amount", max_digits=14, decimal_places=2, allow_null=True
    )
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    required = serializers.BooleanField()


class FiguresSerializer(serializers.Serializer):
    """The figures a step and a whole plan share (euros, excluding VAT)."""

    minimum = serializers.DecimalField(**AMOUNT)
    optimum = serializers.DecimalField(**AMOUNT)
    granted = serializers.DecimalField(**AMOUNT)
    received = serializers.DecimalField(**AMOUNT)
    pledged = serializers.DecimalField(**AMOUNT)
    gap_to_minimum = serializers.DecimalField(**AMOUNT)
    gap_to_optimum = serializers.DecimalField(**AMOUNT)
    debt = serializers.DecimalField(**AMOUNT)


class StepPlanSerializer(FiguresSerializer):
    position = serializers.IntegerField(source="step.position")
    title = serializers.CharField(source="step.title")
    deliverables = serializers.CharField(source="step.deliverables")
    status = serializers.CharField(source="step.status")
    planned_start = serializers.DateField(source="step.planned_start")
    planned_end = serializers.DateField(source="step.planned_end")
    budget_revision = serializers.IntegerField(source="step.budget_revision")
    minimum_incl_vat = serializers.DecimalField(**AMOUNT)
    optimum_incl_vat = serializers.DecimalField(**AMOUNT)
    coordination_share = serializers.DecimalField(
        max_digits=6, decimal_places=1, read_only=True, allow_null=True
    )
    warnings = serializers.ListField(child=serializers.CharField())
    lines = LineSerializer(many=True)


class SourceSerializer(serializers.ModelSerializer):
    amount = serializers.DecimalField(source="amount.amount", **AMOUNT)
    step = serializers.IntegerField(source="step.position", allow_null=True, default=None)

    class Meta:
        model = FundingSource
        fields = [
            "id",
            "kind",
            "funder_name",
            "amount",
            "step",
            "status",
            "applied_on",
            "decided_on",
            "received_on",
        ]


class DebtSerializer(serializers.Serializer):
    contributor = serializers.CharField(source="contributor.display_name")
    value = serializers.DecimalField(**AMOUNT)
    paid = serializers.DecimalField(**AMOUNT)
    debt = serializers.DecimalField(**AMOUNT)


class PlanSerializer(FiguresSerializer):
    steps = StepPlanSerializer(many=True)
    sources = SourceSerializer(many=True)
    debts = DebtSerializer(many=True)


class ProjectDetailSerializer(ProjectSerializer):
    maintainers = serializers.SerializerMethodField()
    plan = serializers.SerializerMethodField()

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "description", "maintainers", "plan"]

    def get_maintainers(self, project: Project) -> list[str]:
        return [person.display_name for person in project.maintainers.all()]

    @extend_schema_field(PlanSerializer)
    def get_plan(self, project: Project) -> dict:
        return PlanSerializer(selectors.project_plan(project=project)).data


class StepInputSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=160)
    deliverables = serializers.CharField(max_length=5000, required=False, default="")
    planned_start = serializers.DateField(required=False, allow_null=True, default=None)
    planned_end = serializers.DateField(required=False, allow_null=True, default=None)


class LineInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=LineKind.choices)
    label = serializers.CharField(max_length=200)
    hours = serializers.CharField(max_length=20, required=False, allow_blank=True)
    hourly_rate = serializers.CharField(max_length=20, required=False, allow_blank=True)
    lump_sum = serializers.CharField(max_length=30, required=False, allow_blank=True)
    vat_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, default="20"
    )
    required = serializers.BooleanField(default=True)


class SourceInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=[choice for choice in SourceKind.choices if choice[0] != SourceKind.POOL_ROUND]
    )
    funder_name = serializers.CharField(max_length=120)
    amount = serializers.CharField(max_length=30)
    step = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Position of the step; none for the whole.",
    )
    applied_on = serializers.DateField(required=False, allow_null=True, default=None)


class DecisionInputSerializer(serializers.Serializer):
    granted = serializers.BooleanField()
    decided_on = serializers.DateField()


class ContributionInputSerializer(serializers.Serializer):
    contributor = serializers.EmailField(help_text="Email of the person's account.")
    step = serializers.IntegerField(required=False, allow_null=True, default=None)
    day = serializers.DateField()
    hours = serializers.CharField(max_length=20)
    rate = serializers.CharField(max_length=20)
    description = serializers.CharField(max_length=500)

    def validate_contributor(self, email: str) -> User:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            raise serializers.ValidationError("Nobody has an account with this email address.")
        return user


def _step_of(project: Project, position: int | None) -> Step | None:
    if position is None:
        return None
    step = Step.objects.filter(project=project, position=position).first()
    if step is None:
        raise ValidationError({"step": [f"This commons has no step {position}."]})
    return step


FILTERS = {
    "kind": ProjectKind.values,
    "status": ProjectStatus.values,
    "licence": list(FREE_LICENCES),
}


@extend_schema(
    parameters=[
        OpenApiParameter("kind", enum=ProjectKind.values),
        OpenApiParameter("status", enum=ProjectStatus.values),
        OpenApiParameter("licence", enum=list(FREE_LICENCES)),
        OpenApiParameter("territory", description='"national", "region:28" or "department:76"'),
        OpenApiParameter("search"),
    ]
)
class ProjectViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Commons. Filters: kind, status, licence, territory; an unknown value is a 400 naming
    it. Writes: an administrator of the hosting structure creates; maintainers and the
    host's administrators change the commons, its steps, budget lines, funding sources and
    the hours given."""

    lookup_field = "slug"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        return ProjectSerializer if self.action == "list" else ProjectDetailSerializer

    def get_queryset(self):
        if self.action != "list":
            return Project.objects.select_related("host").prefetch_related("maintainers")
        params = self.request.query_params
        errors = {
            name: [f"Unknown value “{params[name][:40]}”; expected one of: {', '.join(values)}."]
            for name, values in FILTERS.items()
            if params.get(name) and params[name] not in values
        }
        territory = params.get("territory", "")
        parsed = selectors.parse_territory(territory) if territory else None
        if territory and parsed is None:
            errors["territory"] = ['Expected "national", "region:<code>" or "department:<code>".']
        if errors:
            raise ValidationError(errors)
        return selectors.project_list(
            search=params.get("search", "")[:100],
            territory=parsed,
            **{name: params.get(name, "") for name in FILTERS},
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.project_create(creator=self.request.user, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        if "host" in data and data["host"] != serializer.instance.host:
            raise ValidationError(
                {"host": ["The hosting structure of a commons cannot be changed here."]}
            )
        data.pop("host", None)
        serializer.instance = services.project_update(
            project=serializer.instance, actor=self.request.user, **data
        )

    def _write(self, request, serializer_class, write) -> Response:
        """Validate the body, let `write(project, data)` call a service, answer the commons
        as it now is (201)."""
        project = self.get_object()
        if not services.project_can_edit(project=project, user=request.user):
            raise PermissionDenied  # before reading the body: outsiders learn nothing from it
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        write(project, dict(data.validated_data))
        project = self.get_queryset().get(pk=project.pk)
        return Response(
            ProjectDetailSerializer(project, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=StepInputSerializer, responses={201: ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def steps(self, request, slug=None):
        return self._write(
            request,
            StepInputSerializer,
            lambda project, data: services.step_create(project=project, actor=request.user, **data),
        )

    @extend_schema(request=LineInputSerializer, responses={201: ProjectDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<position>\d+)/lines")
    def lines(self, request, slug=None, position=None):
        return self._write(
            request,
            LineInputSerializer,
            lambda project, data: services.budget_line_add(
                actor=request.user,
                **data,
                step=get_object_or_404(Step, project=project, position=position),
            ),
        )

    @extend_schema(request=SourceInputSerializer, responses={201: ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def sources(self, request, slug=None):
        return self._write(
            request,
            SourceInputSerializer,
            lambda project, data: services.funding_source_add(
                project=project,
                actor=request.user,
                **{**data, "step": _step_of(project, data["step"])},
            ),
        )

    @extend_schema(request=DecisionInputSerializer, responses={201: ProjectDetailSerializer})
    @action(detail=True, methods=["post"], url_path=r"sources/(?P<pk>\d+)/decision")
    def decision(self, request, slug=None, pk=None):
        return self._write(
            request,
            DecisionInputSerializer,
            lambda project, data: services.funding_source_decide(
                actor=request.user,
                **data,
                source=get_object_or_404(FundingSource, project=project, pk=pk),
            ),
        )

    @extend_schema(request=ContributionInputSerializer, responses={201: ProjectDetailSerializer})
    @action(detail=True, methods=["post"])
    def contributions(self, request, slug=None):
        return self._write(
            request,
            ContributionInputSerializer,
            lambda project, data: contributions.contribution_log(
                project=project,
                actor=request.user,
                **{**data, "step": _step_of(project, data["step"])},
            ),
        )
