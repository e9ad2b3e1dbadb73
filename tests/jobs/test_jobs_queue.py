"""The job queue: one owner per job, heartbeats, dead workers' jobs re-queued then failed
for good, clear errors, the three ways of running (immediate, embedded, external)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from typing import Any

import pytest
from django.utils import timezone

from parindex.jobs import runner, services
from parindex.jobs.models import Job, JobStatus
from parindex.jobs.registry import JobError, job

pytestmark = pytest.mark.django_db

CALLS: list[dict[str, Any]] = []


@job("tests.echo")
def echo(arguments: dict[str, Any], progress: Any) -> dict[str, Any]:
    progress(1, 2, "echoing")
    CALLS.append(arguments)
    if arguments.get("refuse"):
        raise JobError(vi="Tệp có lỗi.", en="The file has problems.", result={"line": 3})
    if arguments.get("crash"):
        raise RuntimeError("password=hunter2 in a traceback")
    return {"echo": arguments.get("text", "")}


def _queued(**arguments: Any) -> Job:
    return services.job_enqueue(kind="tests.echo", arguments=arguments)


def test_a_claim_takes_the_oldest_queued_job_once():
    first, second = _queued(n=1), _queued(n=2)
    claimed = services.job_claim(worker="w1", kinds=["tests.echo"])
    assert claimed is not None
    assert (claimed.pk, claimed.status, claimed.worker, claimed.attempts) == (
        first.pk,
        JobStatus.RUNNING,
        "w1",
        1,
    )
    again = services.job_claim(worker="w2", kinds=["tests.echo"])
    assert again is not None and again.pk == second.pk
    assert services.job_claim(worker="w3", kinds=["tests.echo"]) is None


def test_a_worker_claims_only_the_kinds_it_knows():
    services.job_enqueue(kind="tests.unknown", arguments={})
    assert services.job_claim(worker="w1", kinds=["tests.echo"]) is None


def test_only_the_owner_beats_and_finishes():
    queued = _queued()
    claimed = services.job_claim(worker="w1", kinds=["tests.echo"])
    assert claimed is not None
    assert services.job_beat(job=claimed, worker="w2", done=5, total=9, stage="x") is False
    assert services.job_finish(job=claimed, worker="w2", result={}) is False
    assert services.job_beat(job=claimed, worker="w1", done=5, total=9, stage="reading")
    queued.refresh_from_db()
    assert (queued.status, queued.done, queued.total, queued.stage) == ("running", 5, 9, "reading")
    assert queued.percent == 55
    assert services.job_finish(job=claimed, worker="w1", result={"n": 1})
    queued.refresh_from_db()
    assert (queued.status, queued.result, queued.percent) == ("done", {"n": 1}, 100)


def _silent_for(job: Job, seconds: int) -> None:
    Job.objects.filter(pk=job.pk).update(heartbeat=timezone.now() - dt.timedelta(seconds=seconds))


def test_the_job_of_a_dead_worker_goes_back_to_the_queue_then_fails_for_good():
    queued = _queued()
    for attempt in (1, 2):
        claimed = services.job_claim(worker=f"w{attempt}", kinds=["tests.echo"])
        assert claimed is not None and claimed.attempts == attempt
        assert services.jobs_requeue_stale(silent_for=dt.timedelta(seconds=60), max_attempts=2) == 0
        _silent_for(claimed, 61)
        assert services.jobs_requeue_stale(silent_for=dt.timedelta(seconds=60), max_attempts=2) == 1
        queued.refresh_from_db()
        if attempt == 1:
            assert (queued.status, queued.worker, queued.heartbeat) == ("queued", "", None)
    assert queued.status == JobStatus.FAILED
    assert queued.attempts == 2
    assert queued.error_text("vi").startswith("Tác vụ bị dừng 2 lần")
    assert queued.error_text("en").startswith("The job stopped 2 times")
    # the late worker's finish changes nothing
    assert services.job_finish(job=queued, worker="w2", result={}) is False


def test_immediate_runs_the_job_before_submit_returns(settings: Any):
    settings.JOBS_WORKER = "immediate"
    CALLS.clear()
    done = runner.job_submit(kind="tests.echo", arguments={"text": "xin chào"})
    assert CALLS == [{"text": "xin chào"}]
    assert (done.status, done.result, done.attempts) == ("done", {"echo": "xin chào"}, 1)


def test_a_refusal_is_a_clear_failure_with_its_result(settings: Any):
    settings.JOBS_WORKER = "immediate"
    failed = runner.job_submit(kind="tests.echo", arguments={"refuse": True})
    assert (failed.status, failed.result) == ("failed", {"line": 3})
    assert (failed.error_vi, failed.error_en) == ("Tệp có lỗi.", "The file has problems.")


def test_a_crash_is_logged_and_the_user_reads_no_traceback(
    settings: Any, caplog: pytest.LogCaptureFixture
):
    settings.JOBS_WORKER = "immediate"
    with caplog.at_level(logging.ERROR, logger="parindex.jobs"):
        failed = runner.job_submit(kind="tests.echo", arguments={"crash": True})
    assert failed.status == "failed"
    assert failed.error_en == runner.INTERNAL_EN
    assert "hunter2" not in failed.error_vi + failed.error_en
    assert "RuntimeError" in caplog.text


def test_a_kind_without_handler_fails_with_its_name():
    services.job_enqueue(kind="tests.unknown", arguments={})
    claimed = services.job_claim(worker="w1", kinds=["tests.unknown"])
    assert claimed is not None
    runner.job_execute(claimed, "w1")
    claimed.refresh_from_db()
    assert claimed.status == "failed"
    assert claimed.error_en == "There is no handler for jobs of kind 'tests.unknown'."


def test_external_only_queues(settings: Any):
    settings.JOBS_WORKER = "external"
    queued = runner.job_submit(kind="tests.echo", arguments={})
    assert (queued.status, queued.attempts) == ("queued", 0)


def test_a_worker_runs_the_queue_and_reports_none_left():
    CALLS.clear()
    _queued(text="a")
    _queued(text="b")
    worker = runner.Worker("w-test")
    assert worker.run_one() and worker.run_one()
    assert not worker.run_one()
    assert [c["text"] for c in CALLS] == ["a", "b"]
    assert list(Job.objects.order_by("pk").values_list("status", "worker")) == [
        ("done", "w-test"),
        ("done", "w-test"),
    ]


@pytest.mark.django_db(transaction=True)
def test_embedded_runs_the_job_in_a_thread_of_this_process(settings: Any):
    settings.JOBS_WORKER = "embedded"
    CALLS.clear()
    queued = runner.job_submit(kind="tests.echo", arguments={"text": "nền"})
    deadline = time.monotonic() + 20
    while Job.objects.get(pk=queued.pk).status != "done":
        assert time.monotonic() < deadline, "the embedded worker did not run the job"
        time.sleep(0.05)
    found = Job.objects.get(pk=queued.pk)
    assert found.worker.endswith(":embedded")
    assert found.result == {"echo": "nền"}
    runner_thread = runner._embedded
    assert runner_thread is not None
    runner_thread[1].stop.set()
    runner_thread[1].wake.set()
    runner._embedded = None


def test_the_job_queue_imports_no_app_that_registers_jobs():
    """Apps register their handlers with the queue, never the other way round."""
    import ast
    from pathlib import Path

    import parindex.jobs

    foreign: list[str] = []
    for path in Path(parindex.jobs.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            foreign += [
                n for n in names if n.startswith("parindex.") and not n.startswith("parindex.jobs")
            ]
    assert foreign == []
