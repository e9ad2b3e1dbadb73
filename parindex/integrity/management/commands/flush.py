"""`flush` that may empty the score history: it wipes the whole database, history included.

Django's flush (TRUNCATE on PostgreSQL, DELETE on SQLite; also run between transactional
tests) would be refused by the history's append-only guard. This lifts the triggers for the
wipe and puts them back after it; nothing else may.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections

from parindex.integrity import triggers


class Command(flush.Command):
    def handle(self, **options: Any) -> None:
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        installed = triggers.HISTORY in connection.introspection.table_names()
        if installed:
            triggers.remove(connection)
        try:
            super().handle(**options)
        finally:
            if installed:
                triggers.install(connection)
