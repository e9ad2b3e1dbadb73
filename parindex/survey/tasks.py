"""Background jobs of the survey app: a file of answers imported by a worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import override

from parindex.accounts.models import User
from parindex.formats.problems import InputError
from parindex.formats.survey_responses import ColumnMap
from parindex.jobs.models import Job
from parindex.jobs.registry import JobArguments, JobError, JobResult, Progress, job
from parindex.jobs.runner import job_submit
from parindex.survey import services
from parindex.survey.errors import SurveyError
from parindex.survey.models import Campaign, SurveyImport
from parindex.survey.selectors import IMPORT_JOB

IMPORT = IMPORT_JOB
STAGE_IMPORTING = "importing"
REFUSED_VI = "Tệp có lỗi; không có gì thay đổi."
REFUSED_EN = "The file has problems; nothing was changed."
GONE_VI = "Tệp đã gửi không còn trên máy chủ; hãy gửi lại."
GONE_EN = "The uploaded file is no longer on the server; send it again."


def answers_import_submit(
    *,
    campaign: Campaign,
    upload: services.StoredAnswers,
    columns: ColumnMap,
    save_as: str,
    by: User,
) -> Job:
    """Queue the import of a stored file of answers (run at once when immediate)."""
    arguments = {
        "campaign_id": campaign.pk,
        "path": str(upload.path),
        "file_name": upload.name,
        "sha256": upload.sha256,
        "columns": columns.to_json(),
        "save_as": save_as,
        "by_id": by.pk,
    }
    return job_submit(kind=IMPORT, arguments=arguments, by=by)


def _both(error: SurveyError) -> tuple[str, str]:
    texts = []
    for lang in ("vi", "en"):
        with override(lang):
            texts.append(" ".join(str(message) for message in error.messages))
    return texts[0], texts[1]


def _outcome(survey_import: SurveyImport, *, created: bool) -> JobResult:
    return {"import_id": survey_import.pk, "created": created}


@job(IMPORT)
def answers_import(arguments: JobArguments, progress: Progress) -> JobResult:
    campaign = Campaign.objects.select_related("cycle").get(pk=arguments["campaign_id"])
    path = Path(arguments["path"])
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        earlier = SurveyImport.objects.filter(campaign=campaign, sha256=arguments["sha256"]).first()
        if earlier is not None:  # a run before this one imported it, then removed the file
            return _outcome(earlier, created=False)
        raise JobError(vi=GONE_VI, en=GONE_EN) from None
    progress(0, 1, STAGE_IMPORTING)
    columns = ColumnMap.from_json(arguments["columns"])
    try:
        outcome = services.answers_import(
            campaign=campaign,
            data=data,
            file_name=arguments["file_name"],
            columns=columns,
            by=User.objects.get(pk=arguments["by_id"]),
        )
    except InputError as error:
        problems: list[Any] = [
            [p.line, p.render("vi"), p.render("en")] for p in error.problems[:200]
        ]
        raise JobError(vi=REFUSED_VI, en=REFUSED_EN, result={"problems": problems}) from None
    except SurveyError as error:
        vi, en = _both(error)
        raise JobError(vi=vi, en=en) from None
    finally:
        path.unlink(missing_ok=True)
    if arguments.get("save_as"):
        services.column_mapping_save(campaign=campaign, name=arguments["save_as"], columns=columns)
    return _outcome(outcome.survey_import, created=outcome.created)
