from django.urls import path

from . import embeds, views

app_name = "projects"

urlpatterns = [
    path("commons/", views.project_list, name="project_list"),
    path("commons/new/", views.project_create, name="project_create"),
    path("commons/<slug:slug>/", views.project_detail, name="project_detail"),
    path("commons/<slug:slug>/manage/", views.project_detail, name="project_manage"),
    path("commons/<slug:slug>/edit/", views.project_edit, name="project_edit"),
    path("commons/<slug:slug>/give/", views.project_give, name="project_give"),
    path("commons/<slug:slug>/card.svg", embeds.project_card, name="project_card"),
    path("commons/<slug:slug>/embed/", embeds.project_embed, name="project_embed"),
    path("commons/<slug:slug>/steps/new/", views.step_create, name="step_create"),
    path("commons/<slug:slug>/steps/<int:position>/", views.step_edit, name="step_edit"),
    path("commons/<slug:slug>/steps/<int:position>/status/", views.step_status, name="step_status"),
    path("commons/<slug:slug>/steps/<int:position>/lines/", views.line_add, name="line_add"),
    path(
        "commons/<slug:slug>/steps/<int:position>/lines/<int:pk>/remove/",
        views.line_remove,
        name="line_remove",
    ),
    path("commons/<slug:slug>/steps/<int:position>/revise/", views.step_revise, name="step_revise"),
    path("commons/<slug:slug>/funding/new/", views.source_create, name="source_create"),
    path("commons/<slug:slug>/funding/<int:pk>/decide/", views.source_decide, name="source_decide"),
    path(
        "commons/<slug:slug>/funding/<int:pk>/receive/", views.source_receive, name="source_receive"
    ),
    path("commons/<slug:slug>/hours/new/", views.contribution_create, name="contribution_create"),
    path("commons/<slug:slug>/pay/", views.contributor_payment, name="contributor_payment"),
]
