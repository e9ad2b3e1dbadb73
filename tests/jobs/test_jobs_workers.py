"""Several `manage.py worker` processes on one queue: every job runs exactly once."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.jobs.processes import Database, manage, until, worker

JOBS = 24
pytestmark = pytest.mark.slow


def test_three_workers_run_every_job_once(database: Database, tmp_path: Path):
    manage(database, "manage.py", "migrate", "-v0")
    manage(database, "-m", "tests.jobs.many_world", str(JOBS))
    logs = [tmp_path / f"worker-{n}.log" for n in range(3)]
    workers = [worker(database, log) for log in logs]
    try:
        until(
            lambda: (
                database.one("SELECT count(*) FROM jobs_job WHERE status IN ('done', 'failed')")[0]
                == JOBS
            ),
            300,
            "all jobs end",
            logs[0],
        )
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        codes = [process.wait(timeout=60) for process in workers]
    assert codes == [0, 0, 0]
    rows = database.query("SELECT status, attempts, worker FROM jobs_job", ())
    assert {(status, attempts) for status, attempts, _ in rows} == {("done", 1)}
    assert database.one("SELECT count(*) FROM dossiers_dossierimport")[0] == JOBS
    assert database.one("SELECT count(DISTINCT sha256) FROM dossiers_dossierimport")[0] == JOBS
    started = sum(log.read_text().count("started by") for log in logs)
    assert started == JOBS  # no job was started twice, by the same worker or another
