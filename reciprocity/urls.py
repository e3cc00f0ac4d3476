from django.urls import path

from commons_fund import converters  # noqa: F401 - registers <year:...>

from . import badges, views

app_name = "reciprocity"

urlpatterns = [
    path("reciprocity/", views.wall, name="wall"),
    path("reciprocity/contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("reciprocity/contracts/<int:pk>/accept/", views.contract_accept, name="contract_accept"),
    path("reciprocity/contracts/new/", views.contract_create, name="contract_create"),
    path(
        "reciprocity/contracts/<int:pk>/propose/", views.contract_propose, name="contract_propose"
    ),
    path(
        "reciprocity/contracts/<int:pk>/declarations/",
        views.declaration_create,
        name="declaration_create",
    ),
    path(
        "reciprocity/contracts/<int:pk>/declarations/<int:declaration_pk>/correct/",
        views.declaration_correct,
        name="declaration_correct",
    ),
    path(
        "reciprocity/contracts/<int:pk>/declarations/<int:declaration_pk>/pay/",
        views.declaration_pay,
        name="declaration_pay",
    ),
    path(
        "organisations/<slug:slug>/reciprocity/",
        views.organisation_reciprocity,
        name="organisation",
    ),
    path("reciprocity/contracts/<int:pk>/state/", views.contract_state, name="contract_state"),
    path(
        "reciprocity/contracts/<int:pk>/end/", views.contract_terminate, name="contract_terminate"
    ),
    path("organisations/<slug:slug>/reciprocity/policy/", views.policy_set, name="policy_set"),
    path(
        "organisations/<slug:slug>/badges/reciprocity.svg",
        badges.reciprocity_badge,
        name="reciprocity_badge",
    ),
    path(
        "organisations/<slug:slug>/badges/one-percent.svg",
        badges.one_percent_badge,
        name="one_percent_badge",
    ),
    path(
        "organisations/<slug:slug>/reciprocity/certificates/<year:year>/",
        views.certificate,
        name="certificate",
    ),
]
