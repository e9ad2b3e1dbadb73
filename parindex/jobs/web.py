"""What the progress pages of background jobs share: the stage in words and the answer to the
page's script (`static/parindex/job-progress.js`)."""

from __future__ import annotations

from collections.abc import Mapping

from django.http import HttpRequest, JsonResponse
from django.utils.functional import Promise

from parindex.jobs.models import Job, JobStatus
from parindex.jobs.runner import jobs_follow


def job_progress(
    request: HttpRequest, job: Job, stages: Mapping[str, str | Promise]
) -> tuple[str, JsonResponse | None]:
    """The job's stage in words (`stages` by stage key or status; queued when unknown) and,
    when the page's script asks (`?format=json`), its answer. Following an unfinished job
    starts this process's embedded worker if it has none (a restart leaves jobs queued)."""
    stage = str(stages.get(job.stage or job.status, stages[JobStatus.QUEUED]))
    if not job.finished:
        jobs_follow()
    if request.GET.get("format") != "json":
        return stage, None
    return stage, JsonResponse(
        {
            "status": job.status,
            "percent": job.percent,
            "stage": stage,
            "next": request.path if job.finished else None,
        }
    )
