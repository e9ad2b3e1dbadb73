"""URLs of the cycles and sheets (included under `cycles/`)."""

from django.urls import path

from parindex.assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.cycle_list, name="cycle_list"),
    path("new/", views.cycle_create, name="cycle_create"),
    path("<int:cycle_id>/", views.cycle_detail, name="cycle_detail"),
    path("<int:cycle_id>/advance/", views.cycle_advance, name="cycle_advance"),
    path("sheets/<int:sheet_id>/", views.sheet, name="sheet"),
    path("sheets/<int:sheet_id>/entries/<str:code>/", views.entry_save, name="entry_save"),
    path(
        "sheets/<int:sheet_id>/entries/<str:code>/history/",
        views.entry_history,
        name="entry_history",
    ),
    path("sheets/<int:sheet_id>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("sheets/<int:sheet_id>/evidence/link/", views.evidence_link, name="evidence_link"),
    path("sheets/<int:sheet_id>/evidence/unlink/", views.evidence_unlink, name="evidence_unlink"),
    path("sheets/<int:sheet_id>/submit/", views.sheet_submit, name="sheet_submit"),
    path("sheets/<int:sheet_id>/export.xlsx", views.sheet_export, name="sheet_export"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence_download"),
]
