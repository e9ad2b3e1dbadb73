from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "parindex.assessments"
    default_auto_field = "django.db.models.BigAutoField"
