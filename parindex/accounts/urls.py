"""URLs of the accounts app (sign-in and sign-out are in site/urls.py)."""

from django.urls import path

from parindex.accounts import views

app_name = "accounts"

urlpatterns = [
    path("activate/<str:token>/", views.activate, name="activate"),
    path("unit-accounts/<slug:authority_code>/", views.unit_accounts, name="unit_accounts"),
]
