"""URL map of the site. Each app adds one ``include()`` line here."""

from django.contrib import admin
from django.urls import path

from parindex.site import api, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("api/openapi.json", api.openapi_json, name="openapi"),
    path("admin/", admin.site.urls),
]
