"""Who the database triggers write into a history row: the application user, when known.

The web tells it per request (`HistoryActorMiddleware`), a task or a command per job
(`history_actor(user)`), and a score-writing service marked `attributed` tells its `by` person
when no one else did. PostgreSQL keeps it in the connection's `parindex.user` setting, which
the trigger reads with `current_setting('parindex.user', true)`; SQLite asks Python through the
`parindex_user()` function registered on each connection, which reads a context variable.
A write made outside the app (psql, sqlite3, another program) records an empty actor.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

_actor: ContextVar[str] = ContextVar("parindex_history_actor", default="")
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
P = ParamSpec("P")
R = TypeVar("R")


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


def attributed(service: Callable[P, R]) -> Callable[P, R]:
    """A service that writes scores attributes its history rows to its `by` person when no one
    said who (a command, a task, the demo loader): the web's middleware already has.

    Put it under `@transaction.atomic`: on PostgreSQL the setting is then the transaction's own
    (`set_config(…, true)`), which holds on the same server connection even behind a
    transaction pooler (PgBouncer), and is put back when the service returns. Behind such a
    pooler (`DB_TRANSACTION_POOLER`) it is set even when the middleware said the same person:
    the middleware's session setting may have gone to another server connection.
    """

    @functools.wraps(service)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        by = kwargs.get("by")
        actor = "" if by is None else str(getattr(by, "pk", "") or "")
        said = actor == _actor.get() and not settings.DB_TRANSACTION_POOLER
        if not actor or said:
            return service(*args, **kwargs)
        token = _actor.set(actor)
        previous = _pg_set(actor, DEFAULT_DB_ALIAS, local=True)
        try:
            result = service(*args, **kwargs)
        finally:
            _actor.reset(token)
        # not after an error: the transaction is then aborted, and rolls the setting back itself
        if previous is not None:
            _pg_set(previous, DEFAULT_DB_ALIAS, local=True)
        return result

    return run


def _pg_set(actor: str, using: str, *, local: bool = False) -> str | None:
    """Set the PostgreSQL session's (or, `local`, transaction's) actor, returning the one it
    replaces (None elsewhere)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(current_setting('parindex.user', true), ''), "
            "set_config('parindex.user', %s, %s)",
            [actor, local],
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
