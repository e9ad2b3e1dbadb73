"""URLs of the survey: the secretariat's pages under /survey/, the respondent's under /s/."""

from django.urls import path

from parindex.survey import public_views, views

app_name = "survey"

urlpatterns = [
    path("survey/", views.home, name="home"),
    path("survey/cycles/<int:cycle_id>/new/", views.campaign_create, name="create"),
    path("survey/<int:pk>/", views.campaign_detail, name="campaign"),
    path("survey/<int:pk>/edit/", views.campaign_edit, name="campaign_edit"),
    path(
        "survey/<int:pk>/questionnaires/", views.questionnaire_upload, name="questionnaire_upload"
    ),
    path(
        "survey/<int:pk>/questionnaires/<slug:group>/draft/",
        views.questionnaire_draft,
        name="questionnaire_draft",
    ),
    path(
        "survey/<int:pk>/questionnaires/<slug:group>.<str:kind>",
        views.questionnaire_download,
        name="questionnaire_download",
    ),
    path("survey/<int:pk>/targets/", views.targets, name="targets"),
    path("survey/<int:pk>/invitations/", views.invitations, name="invitations"),
    path("survey/<int:pk>/invitations/print/", views.invitations_print, name="print"),
    path("survey/<int:pk>/import/", views.answers_import, name="import"),
    path("survey/<int:pk>/import/<int:job_id>/", views.import_job, name="import_job"),
    path("survey/<int:pk>/results/", views.results, name="results"),
    path("survey/<int:pk>/answers.csv", views.answers_export, name="export"),
    path("survey/<int:pk>/respondents/", views.respondents, name="respondents"),
    path("survey/imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("survey/imports/<int:pk>/rejections.csv", views.import_rejections, name="rejections"),
    path("survey/imports/<int:pk>/remove/", views.import_remove, name="import_remove"),
    path("s/", public_views.enter_code, name="enter"),
    path("s/<str:code>/", public_views.answer, name="answer"),
    path("s/<str:code>/save", public_views.answer_save, name="answer_save"),
]
