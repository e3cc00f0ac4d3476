from django.urls import path

from . import views

app_name = "ledger"

urlpatterns = [
    path("organisations/<slug:slug>/books/", views.books, name="books"),
    path("organisations/<slug:slug>/books/<str:year>/fec/", views.fec_download, name="fec"),
    path("organisations/<slug:slug>/books/<str:year>/csv/", views.csv_download, name="csv"),
]
