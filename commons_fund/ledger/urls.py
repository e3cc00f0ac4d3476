from django.urls import path

from commons_fund import converters  # noqa: F401 - registers <year:...>

from . import views

app_name = "ledger"

urlpatterns = [
    path("organisations/<slug:slug>/books/", views.books, name="books"),
    path("organisations/<slug:slug>/books/<year:year>/fec/", views.fec_download, name="fec"),
    path("organisations/<slug:slug>/books/<year:year>/csv/", views.csv_download, name="csv"),
]
