"""Running jobs: the worker loop (`manage.py worker`), the embedded worker thread of a web
process, and immediate runs. All three use the same claim, so they can share one database.

`PARINDEX_WORKER` (settings.JOBS_WORKER) chooses who runs a submitted job:
``embedded`` (default) a daemon thread of the process that submits it, started on first use;
``external`` only `manage.py worker` processes; ``immediate`` at once, in the submitting
thread (tests, one-shot scripts).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections, transaction

from parindex.jobs import registry, services
from parindex.jobs.models import Job
from parindex.jobs.registry import JobArguments, JobError

logger = logging.getLogger("parindex.jobs")

INTERNAL_VI = "Tác vụ dừng vì một lỗi nội bộ; quản trị viên xem được chi tiết trong nhật ký."
INTERNAL_EN = "The job stopped on an internal error; the administrators can read it in the log."
UNKNOWN_VI = "Không có trình xử lý cho loại tác vụ '{kind}'."
UNKNOWN_EN = "There is no handler for jobs of kind '{kind}'."


@dataclass
class _Progress:
    """The running job's latest progress, written by the heartbeat thread (its own database
    connection, so progress is visible while the job's own transaction is still open)."""

    done: int = 0
    total: int = 0
    stage: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, done: int, total: int, stage: str) -> None:
        with self.lock:
            self.done, self.total, self.stage = done, total, stage

    def read(self) -> tuple[int, int, str]:
        with self.lock:
            return self.done, self.total, self.stage


def _beat_until(stop: threading.Event, job: Job, worker: str, progress: _Progress) -> None:
    try:
        while not stop.wait(settings.JOBS_HEARTBEAT_SECONDS):
            done, total, stage = progress.read()
            try:
                if not services.job_beat(
                    job=job, worker=worker, done=done, total=total, stage=stage
                ):
                    logger.warning("job %s is no longer run by %s", job.pk, worker)
            except DatabaseError as error:  # SQLite: the job's own write holds the lock
                logger.info("heartbeat of job %s skipped: %s", job.pk, error)
    finally:
        connections.close_all()  # this thread's connections


def _handle(job: Job, worker: str, progress: registry.Progress) -> None:
    handler = registry.handler_of(job.kind)
    if handler is None:
        services.job_fail(
            job=job,
            worker=worker,
            vi=UNKNOWN_VI.format(kind=job.kind),
            en=UNKNOWN_EN.format(kind=job.kind),
        )
        return
    try:
        result = handler(dict(job.arguments), progress)
    except JobError as failed:
        services.job_fail(job=job, worker=worker, vi=failed.vi, en=failed.en, result=failed.result)
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        services.job_fail(job=job, worker=worker, vi=INTERNAL_VI, en=INTERNAL_EN)
    else:
        services.job_finish(job=job, worker=worker, result=result)


def job_execute(job: Job, worker: str) -> None:
    """Run a claimed job, with a heartbeat thread that also publishes its progress."""
    progress = _Progress()
    stop = threading.Event()
    beat = threading.Thread(
        target=_beat_until, args=(stop, job, worker, progress), name=f"beat-{job.pk}", daemon=True
    )
    beat.start()
    try:
        _handle(job, worker, progress)
    finally:
        stop.set()
        beat.join()


def worker_name(role: str) -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{role}"


class Worker:
    """Claims and runs jobs until `stop` is set; the job in hand is always finished first."""

    def __init__(self, name: str, stop: threading.Event | None = None) -> None:
        self.name = name
        self.stop = stop or threading.Event()
        self.wake = threading.Event()

    def run_one(self) -> bool:
        """Re-queue the jobs of dead workers, then run one job. False if there was none."""
        services.jobs_requeue_stale(
            silent_for=dt.timedelta(seconds=settings.JOBS_STALE_SECONDS),
            max_attempts=settings.JOBS_MAX_ATTEMPTS,
        )
        job = services.job_claim(worker=self.name, kinds=registry.kinds())
        if job is None:
            return False
        logger.info("job %s (%s) started by %s", job.pk, job.kind, self.name)
        job_execute(job, self.name)
        logger.info("job %s (%s) ended", job.pk, job.kind)
        return True

    def run(self) -> None:
        while not self.stop.is_set():
            close_old_connections()  # as after a request: drop a broken or too old connection
            try:
                ran = self.run_one()
            except DatabaseError:
                logger.exception("the job queue cannot be read; trying again")
                connections.close_all()
                ran = False
            if not ran:
                self.wake.wait(settings.JOBS_POLL_SECONDS)
                self.wake.clear()
        connections.close_all()


_embedded: tuple[int, Worker] | None = None
_embedded_lock = threading.Lock()


def _embedded_worker() -> Worker:
    """This process's worker thread, started on first use (once per process: a web server
    that forks its workers gets one in each)."""
    global _embedded
    with _embedded_lock:
        if _embedded is None or _embedded[0] != os.getpid():
            worker = Worker(worker_name("embedded"))
            threading.Thread(target=worker.run, name="parindex-jobs", daemon=True).start()
            _embedded = (os.getpid(), worker)
        return _embedded[1]


def jobs_follow() -> None:
    """Someone waits for a job (its progress page): in embedded mode, make sure this process
    runs the queue, e.g. after a restart left jobs queued or a dead worker's job to re-queue."""
    if settings.JOBS_WORKER == "embedded":
        _embedded_worker().wake.set()


def job_submit(*, kind: str, arguments: JobArguments, by: Any = None) -> Job:
    """Queue a job and see that it runs: now (immediate), by this process's worker thread
    (embedded) or by a `manage.py worker` process (external). The returned job is as it
    stands after that: done or failed when immediate, queued otherwise."""
    job = services.job_enqueue(kind=kind, arguments=arguments, by=by)
    mode = settings.JOBS_WORKER
    if mode == "immediate":
        claimed = services.job_claim(worker=worker_name("immediate"), kinds=[kind], pk=job.pk)
        if claimed is not None:
            _handle(claimed, claimed.worker, lambda done, total, stage: None)
        job.refresh_from_db()
    elif mode == "embedded":
        worker = _embedded_worker()
        transaction.on_commit(worker.wake.set)
    return job
