from django.urls import path

from . import views

app_name = "members"

urlpatterns = [
    path("my/", views.my_space, name="my_space"),
    path("my/api-token/", views.api_token, name="api_token"),
    path("my/emails/", views.email_preferences, name="email_preferences"),
    path("my/address/", views.postal_address, name="postal_address"),
    path("my/calendar/", views.calendar_key_renew, name="calendar_key_renew"),
    path("emails/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("organisations/", views.organisation_list, name="organisation_list"),
    path("organisations/new/", views.organisation_create, name="organisation_create"),
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<slug:slug>/leave/", views.organisation_leave, name="organisation_leave"),
    path(
        "organisations/<slug:slug>/members/",
        views.organisation_members,
        name="organisation_members",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
