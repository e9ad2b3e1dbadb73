"""Public results: the home page, a cycle's ranking, its published snapshots."""

from django.urls import path

from parindex.results import views

app_name = "results"

urlpatterns = [
    path("", views.home, name="home"),
    path("results/<int:cycle_id>/", views.public_ranking, name="ranking"),
    path("results/<int:cycle_id>/analysis/", views.public_analysis, name="analysis"),
    path("results/<int:cycle_id>/planner/<str:unit_code>/", views.planner, name="planner"),
    path(
        "results/<int:cycle_id>/r<int:revision>.pdf",
        views.snapshot_pdf,
        name="snapshot_pdf",
    ),
    path(
        "results/<int:cycle_id>/r<int:revision>.docx",
        views.snapshot_docx,
        name="snapshot_docx",
    ),
    path("results/dashboard/<str:authority_code>/", views.dashboard, name="dashboard"),
    path(
        "results/<int:cycle_id>/r<int:revision>.json",
        views.snapshot_download,
        name="snapshot",
    ),
]
