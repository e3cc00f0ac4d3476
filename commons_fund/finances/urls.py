from django.urls import path

from commons_fund import converters  # noqa: F401 - registers <year:...>

from . import views

app_name = "finances"

urlpatterns = [
    path("organisations/<slug:slug>/finances/", views.organisation_finances, name="public"),
    path("organisations/<slug:slug>/finances/years/", views.finances_manage, name="manage"),
    path(
        "organisations/<slug:slug>/finances/years/new/",
        views.financial_year_create,
        name="year_create",
    ),
    path(
        "organisations/<slug:slug>/finances/years/<year:year>/",
        views.financial_year_edit,
        name="year_edit",
    ),
    path(
        "organisations/<slug:slug>/finances/years/<year:year>/delete/",
        views.financial_year_delete,
        name="year_delete",
    ),
    path("organisations/<slug:slug>/finances/import/", views.financial_years_import, name="import"),
    path(
        "organisations/<slug:slug>/finances/model.csv",
        views.financial_years_model,
        name="model_csv",
    ),
    path("organisations/<slug:slug>/finances/publish/", views.finances_publish, name="publish"),
    path("organisations/<slug:slug>/finances/rebate/", views.rebate_simulation, name="rebate"),
]
