from django.apps import AppConfig


class ConsequencesConfig(AppConfig):
    """Consequences of the results (*hệ quả*): the highest rating a unit, its head and an
    official may receive, and why (SPEC §8)."""

    name = "parindex.consequences"
    default_auto_field = "django.db.models.BigAutoField"
