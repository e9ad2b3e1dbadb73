"""URLs of the external indices app."""

from django.urls import path

from parindex.indices import views

app_name = "indices"

urlpatterns = [
    path("<slug:authority_code>/", views.authority_indices, name="authority"),
    path("<slug:authority_code>/edit/", views.value_edit, name="edit"),
    path("<slug:authority_code>/import/", views.values_import, name="import"),
]
