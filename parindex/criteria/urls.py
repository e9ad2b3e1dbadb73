"""URLs of the criteria app (included under `criteria/`)."""

from django.urls import path

from parindex.criteria import views

app_name = "criteria"

urlpatterns = [
    path("", views.criteria_list, name="list"),
    path("v/<int:pk>/", views.criteria_detail, name="detail"),
    path("v/<int:pk>/revise/", views.criteria_revise, name="revise"),
    path("v/<int:pk>/appraisers/", views.criteria_appraisers, name="appraisers"),
    path("v/<int:pk>/diff/", views.criteria_diff, name="diff"),
    path("v/<int:pk>/download.yaml", views.criteria_download, {"fmt": "yaml"}, name="yaml"),
    path("v/<int:pk>/download.xlsx", views.criteria_download, {"fmt": "xlsx"}, name="xlsx"),
    path("<slug:authority_code>/upload/", views.criteria_upload, name="upload"),
]
