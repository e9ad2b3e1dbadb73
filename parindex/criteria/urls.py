"""URLs of the criteria app."""

from django.urls import path  # noqa: F401

app_name = "criteria"

urlpatterns: list = []  # type: ignore[type-arg]
