"""Background jobs of the dossiers app: an uploaded export imported by a worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parindex.accounts.models import User
from parindex.dossiers import services
from parindex.dossiers.selectors import IMPORT_JOB
from parindex.formats.problems import InputError
from parindex.jobs.models import Job
from parindex.jobs.registry import JobArguments, JobError, JobResult, Progress, job
from parindex.jobs.runner import job_submit
from parindex.units.models import Authority

IMPORT = IMPORT_JOB
REFUSED_VI = "Tệp có lỗi; không nhập gì."
REFUSED_EN = "The file has problems; nothing was imported."
GONE_VI = "Tệp đã gửi không còn trên máy chủ; hãy gửi lại."
GONE_EN = "The uploaded file is no longer on the server; send it again."


def import_arguments(
    *,
    authority: Authority,
    year: int,
    upload: services.StoredUpload,
    mapping: dict[str, str] | None,
    values: dict[str, Any] | None,
    by: User | None,
    as_of: dt.datetime | None = None,
) -> JobArguments:
    return {
        "authority_id": authority.pk,
        "year": year,
        "upload": upload.to_json(),
        "mapping": mapping,
        "values": values,
        "by_id": by.pk if by is not None else None,
        "as_of": as_of.isoformat() if as_of is not None else None,
    }


@job(IMPORT)
def dossiers_import(arguments: JobArguments, progress: Progress) -> JobResult:
    authority = Authority.objects.get(pk=arguments["authority_id"])
    as_of = arguments.get("as_of")
    try:
        outcome = services.dossiers_import_stored(
            authority=authority,
            year=arguments["year"],
            upload=services.StoredUpload.from_json(arguments["upload"]),
            mapping=arguments["mapping"],
            values=arguments["values"],
            by=User.objects.filter(pk=arguments["by_id"]).first(),
            as_of=dt.datetime.fromisoformat(as_of) if as_of else None,
            progress=progress,
        )
    except InputError as error:
        raise JobError(
            vi=REFUSED_VI, en=REFUSED_EN, result={"problems": services.problems_json(error)}
        ) from None
    except FileNotFoundError:
        raise JobError(vi=GONE_VI, en=GONE_EN) from None
    return {"import_id": outcome.dossier_import.pk, "created": outcome.created}


def dossiers_import_submit(
    *,
    authority: Authority,
    year: int,
    upload: services.StoredUpload,
    mapping: dict[str, str] | None,
    values: dict[str, Any] | None,
    by: User | None,
) -> Job:
    """Queue the import of a stored upload (run at once when PARINDEX_WORKER=immediate)."""
    arguments = import_arguments(
        authority=authority, year=year, upload=upload, mapping=mapping, values=values, by=by
    )
    return job_submit(kind=IMPORT, arguments=arguments, by=by)
