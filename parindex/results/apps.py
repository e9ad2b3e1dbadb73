from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "parindex.results"
    default_auto_field = "django.db.models.BigAutoField"
