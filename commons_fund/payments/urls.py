from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("payments/charges/<int:pk>/confirm/", views.charge_confirm, name="charge_confirm"),
]
