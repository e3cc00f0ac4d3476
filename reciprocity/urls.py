from django.urls import path

from . import views

app_name = "reciprocity"

urlpatterns = [
    path("reciprocity/", views.wall, name="wall"),
    path("reciprocity/contracts/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("reciprocity/contracts/<int:pk>/accept/", views.contract_accept,
         name="contract_accept"),
]
