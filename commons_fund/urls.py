from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from pledges.api import PledgeViewSet, PoolViewSet, RoundViewSet
from projects.api import ProjectViewSet
from reciprocity.api import ContractViewSet, PolicyViewSet, WallViewSet
from reciprocity.views import contract_pdf_download

from .finances.api import OrganisationFinancesView
from .members.api import OrganisationViewSet
from .payments.views import stripe_webhook
from .views import healthz, metrics, robots_txt, wagtail_admin_login

# The admins' own login forms would take a password alone: people log in through allauth
# (second factor, rate limits) and come back (tests/security/test_login_entry_points.py).
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

router = DefaultRouter()
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("projects", ProjectViewSet, basename="project")
router.register("pools", PoolViewSet, basename="pool")
router.register("rounds", RoundViewSet, basename="round")
router.register("pledges", PledgeViewSet, basename="pledge")
router.register("reciprocity/contracts", ContractViewSet, basename="reciprocity-contract")
router.register("reciprocity/wall", WallViewSet, basename="reciprocity-wall")
router.register("reciprocity/policies", PolicyViewSet, basename="reciprocity-policy")

api_patterns = [
    path(
        "organisations/<slug:slug>/finances/",
        OrganisationFinancesView.as_view(),
        name="organisation-finances",
    ),
    path("", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    re_path(r"^healthz/?$", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("api/v1/", include((api_patterns, "api"))),
    path("payments/stripe/webhook/", stripe_webhook, name="stripe_webhook"),
    # A stable address for contracts' PDFs, the same in every language.
    path(
        "reciprocity/contracts/<int:pk>/pdf/",
        contract_pdf_download,
        name="reciprocity_contract_pdf",
    ),
    path("django-admin/", admin.site.urls),
    path("cms/login/", wagtail_admin_login, name="wagtail_admin_login"),
    path("cms/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
]

urlpatterns += i18n_patterns(
    path("accounts/", include("allauth.urls")),
    path("", include("commons_fund.members.urls")),
    path("", include("commons_fund.ledger.urls")),
    path("", include("commons_fund.finances.urls")),
    path("", include("commons_fund.payments.urls")),
    path("", include("projects.urls")),
    path("", include("pledges.urls")),
    path("", include("reciprocity.urls")),
    path("", include("cms.urls")),
    path("", include(wagtail_urls)),
)

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

handler404 = "commons_fund.errors.page_not_found"
handler500 = "commons_fund.errors.server_error"
