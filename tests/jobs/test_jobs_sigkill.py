"""A worker killed with SIGKILL in the middle of an import leaves 0 rows of it, and the job
runs again to the end in another worker (real processes, see tests/jobs/processes.py)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.jobs.processes import Database, job_row, manage, until, worker

ROWS = 300_000
pytestmark = pytest.mark.slow


def _rows_of_import(database: Database, sha256: str) -> int:
    """Every row the import writes: its record, its summary rows, its late dossiers."""
    imports = database.one("SELECT count(*) FROM dossiers_dossierimport WHERE sha256 = %s", sha256)[
        0
    ]
    stats = database.one("SELECT count(*) FROM dossiers_dossierstat")[0]
    late = database.one("SELECT count(*) FROM dossiers_latedossier")[0]
    return int(imports) + int(stats) + int(late)


def _inside_the_write(database: Database, pk: int) -> Callable[[], bool]:
    """PostgreSQL: the worker's heartbeat says it is writing (its own connection publishes
    progress while the import's transaction is open). SQLite: the write lock is held twice in
    a row, 0.3 s apart (a heartbeat holds it for a moment only)."""

    def check() -> bool:
        if database.vendor == "postgresql":
            return job_row(database, pk)[3] == "writing"
        _status, done, _total, stage, _attempts = job_row(database, pk)
        if stage != "reading" or done < 1 or not database.writing():
            return False
        time.sleep(0.3)
        return database.writing()

    return check


def test_a_killed_worker_leaves_no_rows_and_the_job_runs_again(database: Database, tmp_path: Path):
    manage(database, "manage.py", "migrate", "-v0")
    made = manage(database, "-m", "tests.jobs.sigkill_world", str(ROWS), str(tmp_path))
    pk_text, sha256 = made.stdout.split()[-2:]
    pk = int(pk_text)
    assert job_row(database, pk)[0] == "queued"

    first_log = tmp_path / "worker-1.log"
    first = worker(database, first_log)
    try:
        until(lambda: job_row(database, pk)[1] >= 1, 240, "the worker reports progress", first_log)
        until(_inside_the_write(database, pk), 240, "the import is writing", first_log)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL

    status, _done, _total, _stage, attempts = job_row(database, pk)
    assert (status, attempts) == ("running", 1)
    assert _rows_of_import(database, sha256) == 0

    second_log = tmp_path / "worker-2.log"
    second = worker(database, second_log)
    try:
        until(
            lambda: job_row(database, pk)[0] in ("done", "failed"),
            400,
            "the retry ends",
            second_log,
        )
        status, _done, _total, _stage, attempts = job_row(database, pk)
        assert (status, attempts) == ("done", 2), second_log.read_text()
        received, units = database.one(
            "SELECT i.received, count(s.id) FROM dossiers_dossierimport i "
            "JOIN dossiers_dossierstat s ON s.dossier_import_id = i.id AND s.kind = 'unit' "
            "WHERE i.sha256 = %s GROUP BY i.received",
            sha256,
        )
        assert received == ROWS
        assert units == database.one("SELECT count(*) FROM units_unit")[0]
        assert database.one("SELECT count(*) FROM dossiers_dossierimport")[0] == 1
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    assert second.returncode == 0, second_log.read_text()
