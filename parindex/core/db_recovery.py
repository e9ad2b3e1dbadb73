"""A request survives a database restart: retried when that is safe, a clean 503 when it is not.

When PostgreSQL restarts (an upgrade, a failover, a crash), the requests in flight lose their
connection. Django reconnects on the next request, but the ones in flight would answer 500.
`DatabaseRecoveryMiddleware`, outermost in ``MIDDLEWARE``, runs the whole request again once the
database accepts connections, provided nothing the request wrote was committed: it watches every
statement of the request (`connection.execute_wrapper`) and learns of each commit through
`transaction.on_commit`. A connection lost at COMMIT itself is ambiguous (the server may have
committed before the connection broke): that request is not run twice; it answers 503, as do
requests whose database stays away longer than `WAIT_SECONDS`. Why, and what else was weighed:
docs/decisions/0018-database-recovery.md.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db import DEFAULT_DB_ALIAS, InterfaceError, OperationalError, connections, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse

logger = logging.getLogger("parindex.db_recovery")

RETRIES = 2  # runs of a request after its first, each after the database came back
WAIT_SECONDS = 15.0  # how long one request waits, in all, for the database to come back
RETRY_AFTER_SECONDS = 30
# SQLSTATE of a lost or refused connection: class 08 (connection exception) and the server's
# "admin shutdown", "crash shutdown" and "cannot connect now" (starting up or shutting down).
CONNECTION_SQLSTATES = ("57P01", "57P02", "57P03")
# statements that change no data (reads, transaction control); any other is taken as a write
NO_WRITE_STATEMENTS = (
    "SELECT", "SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "SET", "SHOW", "EXPLAIN",
)  # fmt: skip

UNAVAILABLE = (
    "Hệ thống đang bảo trì, vui lòng thử lại sau ít phút / "
    "The service is restarting, please try again in a minute"
)
_FAILURE = "_parindex_database_failure"


def is_connection_failure(error: BaseException | None, *, in_statement: bool) -> bool:
    """The database connection was lost or refused (not a query that the database rejected).

    An operational error outside any statement happened while connecting (or at COMMIT): a
    connection that could not be had, whatever the server's reason (starting up, refusing
    connections to this database, too many clients).
    """
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    cause = error.__cause__
    if cause is None or type(cause).__module__.startswith("sqlite3"):
        return False  # SQLite does not restart; "database is locked" is not a lost connection
    if not in_statement:
        return True
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate is None:
        # the client library found the connection gone: closed, refused, reset
        return True
    return str(sqlstate).startswith("08") or sqlstate in CONNECTION_SQLSTATES


class RequestWrites:
    """What one run of a request did to the database, told by its statements and commits.

    `committed`: a write of the request is durable (run in autocommit, or its transaction
    committed). `pending`: written inside a transaction not yet committed. `failed_statement`:
    the last error raised by a statement (as opposed to one raised by connect or COMMIT).
    """

    def __init__(self) -> None:
        self.committed = False
        self.pending = False
        self.failed_statement: BaseException | None = None

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: dict[str, Any],
    ) -> Any:
        try:
            result = execute(sql, params, many, context)
        except Exception as error:
            self.failed_statement = error
            raise
        if not sql.lstrip()[:10].upper().startswith(NO_WRITE_STATEMENTS):
            self._wrote(context["connection"])
        return result

    def _wrote(self, connection: Any) -> None:
        if connection.in_atomic_block:
            self.pending = True
            # runs after the outermost COMMIT; dropped if the transaction rolls back
            transaction.on_commit(self._commit_done, using=connection.alias)
        else:
            self.committed = True  # autocommit: the statement was its own transaction

    def _commit_done(self) -> None:
        self.committed, self.pending = True, False

    def safe_to_retry(self, failure: BaseException) -> bool:
        """Nothing of this run is durable, nor maybe durable (a failed COMMIT)."""
        if self.committed:
            return False
        failed_at_commit = self.pending and failure is not self.failed_statement
        return not failed_at_commit


def _remember_failure(sender: object, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """Django turns an exception into a 500 page before the outer middleware sees it; keep it."""
    if request is not None:
        setattr(request, _FAILURE, sys.exc_info()[1])


def wait_for_database(until: float, alias: str = DEFAULT_DB_ALIAS) -> bool:
    """Reconnect with growing pauses until the database answers or `until` (monotonic) passes."""
    pause = 0.25
    while True:
        connection = connections[alias]
        _close_quietly(connection)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return True
        except (OperationalError, InterfaceError):
            pass
        left = until - time.monotonic()
        if left <= 0:
            _close_quietly(connection)
            return False
        time.sleep(min(pause, left))
        pause = min(pause * 2, 2.0)


def _close_quietly(connection: Any) -> None:
    try:
        connection.close()
    except Exception:  # a broken connection may fail to close; it is dropped all the same
        connection.connection = None


def unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: a page for people, JSON for the sheet's autosave script."""
    response: HttpResponse
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"ok": False, "errors": [UNAVAILABLE]}, status=503)
    else:
        response = HttpResponse(_PAGE, status=503, content_type="text/html; charset=utf-8")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


_PAGE = f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>503</title></head>
<body><h1>{UNAVAILABLE.split(" / ")[0]}</h1><p lang="en">{UNAVAILABLE.split(" / ")[1]}</p></body>
</html>
"""


class DatabaseRecoveryMiddleware:
    """Outermost middleware: runs a request again after a lost database connection, when safe."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        got_request_exception.connect(_remember_failure, dispatch_uid="parindex.db_recovery")

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        until: float | None = None
        for run in range(1 + RETRIES):
            setattr(request, _FAILURE, None)
            writes = RequestWrites()
            with connections[DEFAULT_DB_ALIAS].execute_wrapper(writes):
                response = self.get_response(request)
            failure = getattr(request, _FAILURE, None)
            in_statement = failure is not None and failure is writes.failed_statement
            if response.status_code < 500 or not is_connection_failure(
                failure, in_statement=in_statement
            ):
                return response
            assert failure is not None
            _close_quietly(connections[DEFAULT_DB_ALIAS])
            where = f"{request.method} {request.path}"
            if writes.committed:
                logger.error("database connection lost after this request committed: %s", where)
                return unavailable(request)
            if not writes.safe_to_retry(failure):
                logger.error("database connection lost at COMMIT, outcome unknown: %s", where)
                return unavailable(request)
            until = until or time.monotonic() + WAIT_SECONDS
            if run == RETRIES or not wait_for_database(until):
                logger.error("database still unavailable, answered 503: %s", where)
                return unavailable(request)
            logger.warning("database connection lost, request run again: %s", where)
            _rewind_uploads(request)
        raise AssertionError("unreachable")  # pragma: no cover


def _rewind_uploads(request: HttpRequest) -> None:
    """The next run reads the uploaded files again from their start."""
    if hasattr(request, "_files"):  # only when the first run read the body
        for _field, uploads in request.FILES.lists():
            for upload in uploads:
                upload.seek(0)
