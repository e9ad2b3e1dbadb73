from typing import Any

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate


class IntegrityConfig(AppConfig):
    """Score history (*lịch sử thay đổi điểm*) kept by the database itself."""

    name = "parindex.integrity"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from parindex.integrity import triggers

        connection_created.connect(_on_connection_created, dispatch_uid="integrity-sqlite")
        # A schema change on SQLite remakes a table and drops its triggers: put them back.
        post_migrate.connect(triggers.reinstall_after_migrate, dispatch_uid="integrity-triggers")


def _on_connection_created(sender: Any, connection: Any, **kwargs: Any) -> None:
    from parindex.integrity import triggers

    if connection.vendor == "sqlite":
        triggers.sqlite_functions_register(connection)
