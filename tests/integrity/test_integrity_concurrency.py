"""Two transactions writing to one sheet at once never fork its chain (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from assessment_builders import build
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import translation

from parindex.assessments.models import LeafEntry
from parindex.integrity.models import HistoryRecord
from parindex.integrity.verification import missing_triggers

WRITES_PER_THREAD = 100


def writer(entry_id: int, start: threading.Barrier, failures: list[BaseException]) -> None:
    try:
        start.wait()
        for n in range(WRITES_PER_THREAD):
            with transaction.atomic():  # each write its own transaction, no sheet lock taken
                LeafEntry.objects.filter(pk=entry_id).update(value=str(n), version=n + 1)
    except BaseException as error:  # reported by the test below
        failures.append(error)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_writers_on_one_sheet_leave_one_unbroken_chain(capsys):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; the advisory lock is PostgreSQL's")
    world = build()
    sheet = world.sheet()
    first = LeafEntry.objects.create(assessment=sheet, code="1.1.1", value="dung_han")
    second = LeafEntry.objects.create(assessment=sheet, code="1.2", value="85%")
    start, failures = threading.Barrier(2), []
    threads = [
        threading.Thread(target=writer, args=(entry.pk, start, failures))
        for entry in (first, second)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    seqs = list(HistoryRecord.objects.filter(chain=sheet.pk).values_list("seq", flat=True))
    assert seqs == list(range(1, 3 + 2 * WRITES_PER_THREAD + 1))  # sheet, 2 inserts, updates
    with translation.override("en"):
        call_command("verify_history")
    assert capsys.readouterr().out.startswith(f"OK: {HistoryRecord.objects.count()} rows")


@pytest.mark.django_db(transaction=True)
def test_flush_wipes_the_history_with_the_rest_and_puts_the_guard_back():
    world = build()
    LeafEntry.objects.create(assessment=world.sheet(), code="1.1.1", value="dung_han")
    assert HistoryRecord.objects.count() == 3

    call_command("flush", interactive=False, verbosity=0)

    assert HistoryRecord.objects.count() == 0
    assert missing_triggers() == []
    world = build()
    assert HistoryRecord.objects.count() == 2  # the new sheets are recorded again
