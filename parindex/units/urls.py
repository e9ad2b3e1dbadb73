"""URLs of the units app."""

from django.urls import path

from parindex.units import views

app_name = "units"

urlpatterns = [
    path("", views.authority_list, name="authorities"),
    path("<slug:authority_code>/", views.unit_list, name="list"),
    path("<slug:authority_code>/import/", views.units_import, name="import"),
]
