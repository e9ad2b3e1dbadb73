from django.apps import AppConfig


class JobsConfig(AppConfig):
    """Background work (*tác vụ nền*): a queue of jobs in the database, run by worker processes
    or, by default, by a thread of the web process itself (docs/decisions/0015)."""

    name = "parindex.jobs"
    default_auto_field = "django.db.models.BigAutoField"
