"""The rules db_recovery decides by, on whichever database the suite runs: what counts as a lost
connection, when a request's writes are durable, and the 503 people see."""

from __future__ import annotations

import psycopg
import pytest
from assessment_builders import build
from concurrent_saves import SET, Attempt, audit
from django.contrib.auth.models import Group
from django.db import OperationalError, connection, transaction
from django.test import RequestFactory
from psycopg import errors

from parindex.assessments.services import entry_save
from parindex.core.db_recovery import RequestWrites, is_connection_failure, unavailable


def _wrapped(cause: BaseException) -> OperationalError:
    error = OperationalError(str(cause))
    error.__cause__ = cause
    return error


def test_a_lost_or_refused_connection_is_told_from_a_refused_query() -> None:
    import sqlite3

    assert is_connection_failure(_wrapped(errors.AdminShutdown()), in_statement=True)  # terminated
    assert is_connection_failure(
        _wrapped(errors.CannotConnectNow()), in_statement=True
    )  # starting up
    assert is_connection_failure(_wrapped(errors.ConnectionFailure()), in_statement=True)
    assert is_connection_failure(_wrapped(psycopg.OperationalError("closed")), in_statement=True)
    assert not is_connection_failure(_wrapped(errors.SerializationFailure()), in_statement=True)
    assert not is_connection_failure(_wrapped(errors.QueryCanceled()), in_statement=True)  # cancel
    # any operational error while connecting: the connection could not be had
    assert is_connection_failure(
        _wrapped(errors.ObjectNotInPrerequisiteState()), in_statement=False
    )
    locked = sqlite3.OperationalError("database is locked")
    assert not is_connection_failure(_wrapped(locked), in_statement=False)
    assert not is_connection_failure(ValueError("x"), in_statement=False)
    assert not is_connection_failure(None, in_statement=False)


@pytest.mark.django_db(transaction=True)
def test_writes_are_durable_at_commit_and_reads_never_are() -> None:
    writes = RequestWrites()
    with connection.execute_wrapper(writes):
        list(Group.objects.all())
        assert (writes.committed, writes.pending) == (False, False)
        with transaction.atomic():
            Group.objects.create(name="Tổ công tác")
            assert (writes.committed, writes.pending) == (False, True)
            failure = OperationalError("lost at COMMIT")
            assert not writes.safe_to_retry(failure)  # maybe committed: never twice
        assert (writes.committed, writes.pending) == (True, False)
    assert not writes.safe_to_retry(OperationalError("later"))


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_leaves_nothing_durable() -> None:
    writes = RequestWrites()

    def failing_view() -> None:
        with transaction.atomic():
            Group.objects.create(name="Tổ công tác")
            raise RuntimeError("the view failed")

    with connection.execute_wrapper(writes):
        with pytest.raises(RuntimeError):
            failing_view()
        assert Group.objects.count() == 0
    assert not writes.committed
    statement_failure = OperationalError("lost in a statement")
    writes.failed_statement = statement_failure
    assert writes.safe_to_retry(statement_failure)


@pytest.mark.django_db(transaction=True)
def test_an_autocommit_write_is_durable_at_once() -> None:
    writes = RequestWrites()
    with connection.execute_wrapper(writes):
        Group.objects.create(name="Tổ công tác")
    assert writes.committed


def test_the_503_page_and_json_say_what_and_when_in_both_languages() -> None:
    page = unavailable(RequestFactory().get("/cycles/"))
    assert page.status_code == 503
    assert page["Retry-After"] == "30"
    assert page["Cache-Control"] == "no-store"
    text = page.content.decode()
    assert "Hệ thống đang bảo trì, vui lòng thử lại sau ít phút" in text
    assert "The service is restarting, please try again in a minute" in text
    save = unavailable(RequestFactory().post("/x/", HTTP_ACCEPT="application/json"))
    assert save.status_code == 503
    assert save["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_the_concurrent_saves_audit_finds_a_lost_update() -> None:
    """The audit of the 1,000-save test can fail: an acknowledgement the database lacks."""
    world = build(units=("SO_NV",), yaml_text=SET)
    sheet, focal = world.sheet("SO_NV"), world.focal["SO_NV"]
    entry_save(assessment=sheet, code="1.1", value="1/2", note="", expected_version=0, by=focal)
    kept = [Attempt(0, "1.1", "1/2", 0, "acknowledged", 1)]
    assert audit(sheet_id=sheet.pk, attempts=kept, revision_before=sheet.revision)["problems"] == []
    lost = [*kept, Attempt(1, "1.1", "3/4", 1, "acknowledged", 2)]
    problems = audit(sheet_id=sheet.pk, attempts=lost, revision_before=sheet.revision)["problems"]
    assert "1.1: stored version 1, 2 acknowledged saves" in problems
    assert "1.1: stored '1/2', last acknowledged '3/4'" in problems
    false_conflict = [*kept, Attempt(2, "1.1", "5/6", 1, "conflict", 1)]
    problems = audit(sheet_id=sheet.pk, attempts=false_conflict, revision_before=sheet.revision)[
        "problems"
    ]
    assert problems == [
        "1.1: refused with version 1 while the leaf was at 1 (final 1): not a real conflict"
    ]
