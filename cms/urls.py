from django.urls import path

from . import feeds, views

app_name = "cms"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("actors/", views.actors, name="actors"),
    path("feeds/results/", feeds.ResultsFeed(), name="feed_results"),
    path("feeds/commons/", feeds.CommonsFeed(), name="feed_commons"),
    path("feeds/wall/", feeds.WallFeed(), name="feed_wall"),
]
