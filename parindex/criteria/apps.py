from django.apps import AppConfig


class CriteriaConfig(AppConfig):
    name = "parindex.criteria"
    default_auto_field = "django.db.models.BigAutoField"
