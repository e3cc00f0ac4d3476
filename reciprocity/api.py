"""JSON API of reciprocity: my contracts (those I may see), the public wall, the public
revenue-share policies with their amounts."""

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from commons_fund.members.models import Membership, Role

from . import selectors
from .models import ReciprocityContract

AMOUNT = {"max_digits": 14, "decimal_places": 2}


class ContractSerializer(serializers.ModelSerializer):
    partner = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    floor = serializers.DecimalField(source="floor.amount", allow_null=True, **AMOUNT)
    ceiling = serializers.DecimalField(source="ceiling.amount", allow_null=True, **AMOUNT)
    pdf = serializers.SerializerMethodField()

    class Meta:
        model = ReciprocityContract
        fields = [
            "id",
            "reference",
            "partner",
            "project",
            "rate",
            "base",
            "floor",
            "ceiling",
            "period",
            "starts_on",
            "ends_on",
            "state",
            "language",
            "signed_at",
            "signed_sha256",
            "pdf",
        ]

    @extend_schema_field(serializers.URLField())
    def get_pdf(self, contract) -> str:
        return self.context["request"].build_absolute_uri(
            f"/reciprocity/contracts/{contract.pk}/pdf/"
        )


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The contracts I may see: my organisations' as partner, those of the commons my
    organisations host (administrators and treasurers), all for staff."""

    serializer_class = ContractSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        contracts = ReciprocityContract.objects.select_related("partner", "project").order_by(
            "reference"
        )
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return contracts.none()
        if user.is_staff:
            return contracts
        mine = Membership.objects.filter(user=user)
        return contracts.filter(
            Q(partner__in=mine.values("organisation"))
            | Q(
                project__host__in=mine.filter(role__in=[Role.ADMIN, Role.TREASURER]).values(
                    "organisation"
                )
            )
        )


class WallRowSerializer(serializers.Serializer):
    partner = serializers.CharField(source="partner.slug")
    name = serializers.CharField(source="partner.name")
    commons = serializers.SerializerMethodField()
    up_to_date = serializers.SerializerMethodField()
    given = serializers.SerializerMethodField()

    def get_commons(self, row) -> list[str]:
        return [project.slug for project in row.commons]

    def get_up_to_date(self, row) -> bool:
        return not row.late

    @extend_schema_field(serializers.DictField(child=serializers.CharField(), allow_null=True))
    def get_given(self, row) -> dict | None:
        """Euros given back per year; null when the partner shows only its status."""
        if row.hides_amounts:
            return None
        return {str(year): str(amount) for year, amount in row.given.items()}


class WallViewSet(viewsets.ViewSet):
    """The reciprocity wall: partners under contract, their status and what they gave."""

    permission_classes = [AllowAny]

    @extend_schema(responses=WallRowSerializer(many=True))
    def list(self, request):
        rows = selectors.reciprocity_wall(today=timezone.localdate())
        return Response(WallRowSerializer(rows, many=True).data)


class PolicySerializer(serializers.Serializer):
    organisation = serializers.CharField(source="policy.organisation.slug")
    year = serializers.IntegerField(source="policy.year")
    percent = serializers.DecimalField(source="policy.percent", max_digits=5, decimal_places=2)
    base_revenue = serializers.DecimalField(source="base", allow_null=True, **AMOUNT)
    total = serializers.DecimalField(allow_null=True, **AMOUNT)
    beneficiaries = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.DictField()))
    def get_beneficiaries(self, amounts) -> list[dict]:
        return [
            {
                "name": beneficiary.name,
                "weight": beneficiary.weight,
                "amount": str(amount) if amount is not None else None,
            }
            for beneficiary, amount in amounts.shares
        ]


class PolicyViewSet(viewsets.ViewSet):
    """Revenue-share policies: per year, the base revenue, the total given and the amount
    per beneficiary."""

    permission_classes = [AllowAny]

    @extend_schema(responses=PolicySerializer(many=True))
    def list(self, request):
        return Response(PolicySerializer(selectors.policies_with_amounts(), many=True).data)
