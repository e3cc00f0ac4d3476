from django.urls import path

from . import views

app_name = "pledges"

ROUND = "pools/<slug:slug>/rounds/<int:number>/"

urlpatterns = [
    path("pools/", views.pool_list, name="pool_list"),
    path("pools/new/", views.pool_create, name="pool_create"),
    path("pools/<slug:slug>/", views.pool_detail, name="pool_detail"),
    path("pools/<slug:slug>/edit/", views.pool_edit, name="pool_edit"),
    path("pools/<slug:slug>/colleges/", views.college_add, name="college_add"),
    path(
        "pools/<slug:slug>/members/<int:pk>/approve/",
        views.membership_approve,
        name="membership_approve",
    ),
    path("pools/<slug:slug>/join/", views.pool_join, name="pool_join"),
    path("pools/<slug:slug>/pledge/", views.pledge_create, name="pledge_create"),
    path("pools/<slug:slug>/payment-method/", views.payment_method_add, name="payment_method_add"),
    path("pools/<slug:slug>/rounds/new/", views.round_schedule, name="round_schedule"),
    path("my/pledges/", views.my_pledges, name="my_pledges"),
    path("my/pledges/<int:pk>/change/", views.pledge_change, name="pledge_change"),
    path("my/pledges/<int:pk>/status/", views.pledge_status, name="pledge_status"),
    path("my/pledges/<int:pk>/method/", views.pledge_method, name="pledge_method"),
    path(ROUND, views.round_detail, name="round_detail"),
    path(ROUND + "vote/", views.round_vote, name="round_vote"),
    path(ROUND + "receipts/", views.round_receipts, name="round_receipts"),
    path(ROUND + "nominate/", views.round_nominate, name="round_nominate"),
    path(ROUND + "actions/<str:action>/", views.round_action, name="round_action"),
    path(ROUND + "collections/", views.round_collections, name="round_collections"),
    path(
        ROUND + "collections/<int:pk>/<str:action>/",
        views.collection_action,
        name="collection_action",
    ),
]
