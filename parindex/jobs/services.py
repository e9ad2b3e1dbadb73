"""Writes of the job queue: enqueue, claim, heartbeat, finish, fail, re-queue the jobs of dead
workers. Every state change is one conditional UPDATE, so two workers can never both own a
job: the loser's update matches no row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from parindex.jobs.models import Job, JobStatus
from parindex.jobs.registry import JobArguments, JobResult

DIED_VI = (
    "Tác vụ bị dừng {n} lần vì tiến trình xử lý ngừng hoạt động; hệ thống không thử lại nữa. "
    "Hãy gửi lại tệp hoặc báo quản trị viên."
)
DIED_EN = (
    "The job stopped {n} times because the process running it died; it is not retried again. "
    "Send the file again or tell the administrators."
)


def job_enqueue(*, kind: str, arguments: JobArguments, by: Any = None) -> Job:
    """A new queued job; who runs it depends on `PARINDEX_WORKER` (see `runner.job_submit`)."""
    return Job.objects.create(kind=kind, arguments=arguments, created_by=by)


def _queued(kinds: Collection[str], pk: int | None) -> Job | None:
    queued = Job.objects.filter(status=JobStatus.QUEUED, kind__in=kinds)
    if pk is not None:
        queued = queued.filter(pk=pk)
    if connection.features.has_select_for_update_skip_locked:
        queued = queued.select_for_update(skip_locked=True)
    return queued.order_by("pk").first()


def job_claim(*, worker: str, kinds: Collection[str], pk: int | None = None) -> Job | None:
    """The oldest queued job of `kinds` (or job `pk`), now running for `worker`; None if there
    is none. On SQLite the transaction is IMMEDIATE (settings), so claims run one at a time."""
    with transaction.atomic():
        job = _queued(kinds, pk)
        if job is None:
            return None
        now = timezone.now()
        taken = Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING,
            worker=worker,
            started_at=now,
            heartbeat=now,
            attempts=F("attempts") + 1,
            done=0,
            total=0,
            stage="",
        )
        if not taken:
            return None
    job.refresh_from_db()
    return job


def job_beat(*, job: Job, worker: str, done: int, total: int, stage: str) -> bool:
    """Record that `worker` is alive and how far it is; False if the job is no longer its own."""
    return bool(
        Job.objects.filter(pk=job.pk, worker=worker, status=JobStatus.RUNNING).update(
            heartbeat=timezone.now(), done=done, total=total, stage=stage[:100]
        )
    )


def job_finish(*, job: Job, worker: str, result: JobResult) -> bool:
    return bool(
        Job.objects.filter(pk=job.pk, worker=worker, status=JobStatus.RUNNING).update(
            status=JobStatus.DONE, result=result, finished_at=timezone.now(), stage=""
        )
    )


def job_fail(*, job: Job, worker: str, vi: str, en: str, result: JobResult | None = None) -> bool:
    return bool(
        Job.objects.filter(pk=job.pk, worker=worker, status=JobStatus.RUNNING).update(
            status=JobStatus.FAILED,
            error_vi=vi,
            error_en=en,
            result=result,
            finished_at=timezone.now(),
            stage="",
        )
    )


def jobs_requeue_stale(*, silent_for: dt.timedelta, max_attempts: int) -> int:
    """Jobs whose worker has not written a heartbeat for `silent_for` (it died: SIGKILL, power
    cut) go back to the queue, or fail for good after `max_attempts`. How many were found."""
    limit = timezone.now() - silent_for
    with transaction.atomic():
        stale = Job.objects.filter(status=JobStatus.RUNNING, heartbeat__lt=limit)
        if connection.features.has_select_for_update_skip_locked:
            stale = stale.select_for_update(skip_locked=True)
        found = list(stale.values_list("pk", "attempts"))
        for pk, attempts in found:
            still = Job.objects.filter(pk=pk, status=JobStatus.RUNNING, heartbeat__lt=limit)
            if attempts >= max_attempts:
                still.update(
                    status=JobStatus.FAILED,
                    error_vi=DIED_VI.format(n=attempts),
                    error_en=DIED_EN.format(n=attempts),
                    finished_at=timezone.now(),
                )
            else:
                still.update(status=JobStatus.QUEUED, worker="", heartbeat=None, stage="")
    return len(found)
