from django.urls import path

from . import feeds

app_name = "cms"

urlpatterns = [
    path("feeds/results/", feeds.ResultsFeed(), name="feed_results"),
    path("feeds/commons/", feeds.CommonsFeed(), name="feed_commons"),
    path("feeds/wall/", feeds.WallFeed(), name="feed_wall"),
]
