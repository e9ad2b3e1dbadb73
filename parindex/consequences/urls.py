"""The consequences of a cycle's published results: page and XLSX export."""

from django.urls import path

from parindex.consequences import views

app_name = "consequences"

urlpatterns = [
    path("<int:cycle_id>/", views.page, name="page"),
    path("<int:cycle_id>/consequences.xlsx", views.export_xlsx, name="xlsx"),
]
