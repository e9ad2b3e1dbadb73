"""URLs of the plans app."""

from django.urls import path

from parindex.plans import views

app_name = "plans"

urlpatterns = [
    path("", views.plan_list, name="list"),
    path("new/<slug:authority_code>/", views.plan_create, name="create"),
    path("<int:pk>/", views.plan_detail, name="detail"),
    path("<int:pk>/import/", views.tasks_import, name="import"),
    path("<int:pk>/report/<slug:period>.xlsx", views.plan_report, name="report"),
    path("<int:pk>/report/<slug:period>.pdf", views.plan_report_pdf, name="report_pdf"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/status/", views.task_status, name="task_status"),
    path("tasks/<int:pk>/progress/", views.task_report, name="task_progress"),
    path("files/<int:pk>/", views.report_file, name="file"),
]
