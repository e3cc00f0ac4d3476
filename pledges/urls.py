from django.urls import path

from .views import pledging, pools, treasury
from .views import rounds as round_pages

app_name = "pledges"

ROUND = "pools/<slug:slug>/rounds/<int:number>/"

urlpatterns = [
    path("pools/", pools.pool_list, name="pool_list"),
    path("pools/new/", pools.pool_create, name="pool_create"),
    path("pools/<slug:slug>/", pools.pool_detail, name="pool_detail"),
    path("pools/<slug:slug>/edit/", pools.pool_edit, name="pool_edit"),
    path("pools/<slug:slug>/calendar.ics", pools.pool_calendar, name="pool_calendar"),
    path("pools/<slug:slug>/colleges/", pools.college_add, name="college_add"),
    path("pools/<slug:slug>/commons/", pools.pool_commons_add, name="pool_commons_add"),
    path(
        "pools/<slug:slug>/commons/<slug:project>/remove/",
        pools.pool_commons_remove,
        name="pool_commons_remove",
    ),
    path(
        "pools/<slug:slug>/members/<int:pk>/approve/",
        pools.membership_approve,
        name="membership_approve",
    ),
    path("pools/<slug:slug>/join/", pools.pool_join, name="pool_join"),
    path("pools/<slug:slug>/pledge/", pledging.pledge_create, name="pledge_create"),
    path(
        "pools/<slug:slug>/payment-method/", pledging.payment_method_add, name="payment_method_add"
    ),
    path("pools/<slug:slug>/rounds/new/", round_pages.round_schedule, name="round_schedule"),
    path("my/pledges/", pledging.my_pledges, name="my_pledges"),
    path("my/calendar/<str:key>.ics", pools.person_calendar, name="person_calendar"),
    path("my/pledges/<int:pk>/change/", pledging.pledge_change, name="pledge_change"),
    path("my/pledges/<int:pk>/status/", pledging.pledge_status, name="pledge_status"),
    path("my/pledges/<int:pk>/method/", pledging.pledge_method, name="pledge_method"),
    path(ROUND, round_pages.round_detail, name="round_detail"),
    path(ROUND + "vote/", round_pages.round_vote, name="round_vote"),
    path(ROUND + "receipts/", round_pages.round_receipts, name="round_receipts"),
    path(ROUND + "nominate/", round_pages.round_nominate, name="round_nominate"),
    path(ROUND + "nominable/", round_pages.round_nominable, name="round_nominable"),
    path(ROUND + "actions/<str:action>/", round_pages.round_action, name="round_action"),
    path(ROUND + "collections/", treasury.round_collections, name="round_collections"),
    path(
        ROUND + "collections/<int:pk>/<str:action>/",
        treasury.collection_action,
        name="collection_action",
    ),
]
