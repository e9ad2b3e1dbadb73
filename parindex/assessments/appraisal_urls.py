"""URLs of the appraisal, explanation and finalisation pages (included under `cycles/`)."""

from django.urls import path

from parindex.assessments import appraisal_views as views

app_name = "appraisal"

urlpatterns = [
    path("<int:cycle_id>/appraisal/", views.worklist, name="worklist"),
    path("<int:cycle_id>/explanations/", views.explanations, name="explanations"),
    path("<int:cycle_id>/finalise/", views.finalise, name="finalise"),
    path("<int:cycle_id>/publish/", views.publish, name="publish"),
    path("sheets/<int:sheet_id>/appraise/<str:code>/", views.appraise, name="appraise"),
    path(
        "sheets/<int:sheet_id>/confirm-remaining/",
        views.confirm_remaining,
        name="confirm_remaining",
    ),
    path("sheets/<int:sheet_id>/changes/", views.sheet_changes, name="sheet_changes"),
    path("sheets/<int:sheet_id>/explain/<str:code>/", views.explain, name="explain"),
    path("explanations/<int:explanation_id>/decide/", views.decide, name="decide"),
]
