"""Public results: the home page, a cycle's ranking, its published snapshots."""

from django.urls import path

from parindex.results import views

app_name = "results"

urlpatterns = [
    path("", views.home, name="home"),
    path("results/<int:cycle_id>/", views.public_ranking, name="ranking"),
    path(
        "results/<int:cycle_id>/r<int:revision>.json",
        views.snapshot_download,
        name="snapshot",
    ),
]
