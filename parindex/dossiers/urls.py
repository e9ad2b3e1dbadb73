"""URLs of the dossiers app."""

from django.urls import path

from parindex.dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("", views.authority_list, name="authorities"),
    path("<slug:authority_code>/", views.import_list, name="imports"),
    path("<slug:authority_code>/import/", views.import_create, name="import"),
    path("<slug:authority_code>/import/<int:job_id>/", views.import_job, name="import_job"),
    path("<slug:authority_code>/holidays/", views.holiday_list, name="holidays"),
    path("<slug:authority_code>/officials/", views.officials_late, name="officials"),
    path("<slug:authority_code>/mappings/", views.mapping_list, name="mappings"),
    path("<slug:authority_code>/mappings/new/", views.mapping_create, name="mapping_create"),
    path("mappings/<int:mapping_id>/", views.mapping_edit, name="mapping_edit"),
    path("mappings/<int:mapping_id>/delete/", views.mapping_delete, name="mapping_delete"),
    path("imports/<int:import_id>/", views.import_detail, name="import_detail"),
    path("imports/<int:import_id>/late/", views.late_list, name="late"),
    path("holidays/<int:holiday_id>/delete/", views.holiday_delete, name="holiday_delete"),
]
