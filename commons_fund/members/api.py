"""JSON API of members: organisations (public fields only)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.permissions import IsAuthenticatedOrReadOnly

from . import selectors, services
from .models import LegalForm, Organisation
from .territories import REGION_CHOICES


class OrganisationSerializer(serializers.ModelSerializer):
    legal_form_label = serializers.CharField(source="get_legal_form_display", read_only=True)
    url = serializers.HyperlinkedIdentityField(
        view_name="api:organisation-detail", lookup_field="slug"
    )
    page = serializers.SerializerMethodField()

    class Meta:
        model = Organisation
        fields = [
            "url",
            "page",
            "name",
            "slug",
            "legal_form",
            "legal_form_label",
            "siren",
            "siret",
            "region",
            "department",
            "founded_year",
            "website",
            "description",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        extra_kwargs = {"slug": {"required": False}}

    @extend_schema_field(serializers.URLField())
    def get_page(self, organisation: Organisation) -> str:
        return self.context["request"].build_absolute_uri(organisation.get_absolute_url())


class OrganisationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Organisations on the platform. Anyone may read; a logged-in person may create one
    and becomes its administrator."""

    serializer_class = OrganisationSerializer
    permission_classes = [IsAuthenticatedOrReadOnly]
    lookup_field = "slug"

    def get_queryset(self):
        legal_form = self.request.query_params.get("legal_form", "")
        region = self.request.query_params.get("region", "")
        return selectors.organisation_list(
            search=self.request.query_params.get("search", ""),
            legal_form=legal_form if legal_form in LegalForm.values else "",
            region=region if region in dict(REGION_CHOICES) else "",
        )

    def perform_create(self, serializer):
        serializer.instance = services.organisation_create(
            creator=self.request.user, **serializer.validated_data
        )
