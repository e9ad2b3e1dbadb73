"""Who the database triggers write into a history row: the application user, when known.

The web tells it per request (`HistoryActorMiddleware`), a task or a command per job
(`history_actor(user)`). PostgreSQL keeps it in the connection's `parindex.user` setting, which
the trigger reads with `current_setting('parindex.user', true)`; SQLite asks Python through the
`parindex_user()` function registered on each connection, which reads a context variable.
A write made outside the app (psql, sqlite3, another program) records an empty actor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

_actor: ContextVar[str] = ContextVar("parindex_history_actor", default="")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def current_actor() -> str:
    return _actor.get()


@contextmanager
def history_actor(user_id: int | str | None, *, using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """Attribute every history row written inside the block to this user.

    Enter it outside a transaction (as the middleware does): on PostgreSQL the setting is the
    session's, and a setting made inside a transaction that rolls back is undone with it.
    """
    actor = "" if user_id is None else str(user_id)
    token = _actor.set(actor)
    previous = _pg_set(actor, using)
    try:
        yield
    finally:
        _actor.reset(token)
        if previous is not None:
            _pg_set(previous, using)


def _pg_set(actor: str, using: str) -> str | None:
    """Set the PostgreSQL session's actor, returning the one it replaces (None elsewhere)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(current_setting('parindex.user', true), ''), "
            "set_config('parindex.user', %s, false)",
            [actor],
        )
        row = cursor.fetchone()
    return str(row[0]) if row else ""


class HistoryActorMiddleware:
    """Record the signed-in user as the actor of the history rows a write request causes.

    Goes after AuthenticationMiddleware. Reads (GET, HEAD) cost nothing: they write no score.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if request.method not in WRITE_METHODS or user is None or not user.is_authenticated:
            return self.get_response(request)
        with history_actor(user.pk):
            return self.get_response(request)
