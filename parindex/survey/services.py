"""Running a survey: questionnaires, campaigns and targets, one-use invitations, online answers,
imported files, and the tally kept in step with the responses it counts.

Every change that adds counted responses also adds their answers to `AnswerCount`, in the same
transaction and under a lock on the campaign row, so the tally is always exactly the counted
responses (`tally_rebuild` recomputes it from them, and the tests hold both equal).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import User
from parindex.assessments.errors import bilingual, fmt
from parindex.assessments.models import Cycle
from parindex.assessments.selectors import criteria_for
from parindex.criteria.models import CriteriaSetVersion
from parindex.formats.problems import InputError, Problem
from parindex.formats.questionnaire import (
    Questionnaire as QuestionnaireDoc,
)
from parindex.formats.questionnaire import (
    draft_questionnaire,
    questionnaire_yaml,
    read_questionnaire_xlsx,
    read_questionnaire_yaml,
)
from parindex.formats.survey_responses import ColumnMap, read_responses
from parindex.formats.tables import looks_like_workbook
from parindex.scoring.messages import ScoringError, msg
from parindex.scoring.model import SurveyRule, SurveySpec, SurveyTally
from parindex.survey import selectors
from parindex.survey.errors import InvitationUsedError, SurveyError
from parindex.survey.models import (
    AnswerCount,
    Campaign,
    ColumnMapping,
    Invitation,
    Questionnaire,
    RespondentDetail,
    Response,
    ResponseCount,
    ResponseSource,
    SampleTarget,
    SurveyImport,
)
from parindex.survey.stats import sample_size
from parindex.units.models import Unit

# Short codes: no 0/O, 1/I/L, so that a code read aloud or off paper is typed right.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MAX_INVITATIONS_AT_ONCE = 5000


def _refuse_unless_runs(user: User, authority_id: int) -> None:
    if not selectors.may_run_survey(user, authority_id):
        raise SurveyError(_("Only the secretariat or a survey administrator runs the survey."))


def _spec_or_refuse(cycle: Cycle) -> SurveySpec:
    spec = selectors.survey_spec(cycle)
    if spec is None:
        raise SurveyError(_("The cycle's criteria set has no survey section."))
    return spec


# --- questionnaires --------------------------------------------------------------------------


def questionnaire_read(
    version: CriteriaSetVersion, data: bytes, file_name: str
) -> QuestionnaireDoc:
    """A questionnaire file (YAML or XLSX) read against the set; InputError when it is bad."""
    criteria = criteria_for(version)
    if looks_like_workbook(data) or Path(file_name).suffix.lower() in {".xlsx", ".xlsm"}:
        return read_questionnaire_xlsx(data, file_name, criteria)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        problem = Problem(file_name, msg("Tệp không phải UTF-8.", "The file is not UTF-8."))
        raise InputError([problem]) from None
    return read_questionnaire_yaml(text, file_name, criteria)


@transaction.atomic
def questionnaire_save(
    *, version: CriteriaSetVersion, document: QuestionnaireDoc, by: User
) -> Questionnaire:
    """Keep the questionnaire of its group (replacing the group's earlier one while no
    counted response depends on it)."""
    _refuse_unless_runs(by, version.authority_id)
    answered = Response.objects.filter(
        campaign__cycle__criteria_set=version, group=document.group, submitted_at__isnull=False
    ).exists()
    if answered:
        raise SurveyError(
            fmt(
                _("Group %(group)s has already answered: its questionnaire can no longer change."),
                group=document.group,
            )
        )
    stored, _created = Questionnaire.objects.update_or_create(
        criteria_set=version,
        group=document.group,
        defaults={
            "code": document.code,
            "title": document.title,
            "yaml_text": questionnaire_yaml(document),
        },
    )
    return stored


def questionnaire_draft(*, version: CriteriaSetVersion, group: str, by: User) -> Questionnaire:
    """A first questionnaire for a group, made from the set's survey leaves."""
    try:
        document = draft_questionnaire(criteria_for(version), group)
    except ScoringError as error:
        raise SurveyError(bilingual(error.message)) from None
    return questionnaire_save(version=version, document=document, by=by)


# --- campaigns and targets -------------------------------------------------------------------


@transaction.atomic
def campaign_create(
    *,
    cycle: Cycle,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    margin: Decimal,
    by: User,
) -> Campaign:
    _refuse_unless_runs(by, cycle.authority_id)
    _spec_or_refuse(cycle)
    if Campaign.objects.filter(cycle=cycle).exists():
        raise SurveyError(_("The cycle already has a survey campaign."))
    _check_dates(opens_at, closes_at, margin)
    return Campaign.objects.create(
        cycle=cycle, title=title, opens_at=opens_at, closes_at=closes_at, margin=margin
    )


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    title: str,
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    margin: Decimal,
    by: User,
) -> Campaign:
    _refuse_unless_runs(by, campaign.cycle.authority_id)
    _check_dates(opens_at, closes_at, margin)
    campaign.title, campaign.opens_at, campaign.closes_at = title, opens_at, closes_at
    campaign.margin = margin
    campaign.save()
    return campaign


def _check_dates(opens_at: dt.datetime, closes_at: dt.datetime, margin: Decimal) -> None:
    if closes_at <= opens_at:
        raise SurveyError(_("The survey must close after it opens."))
    if not Decimal(0) < margin < Decimal(1):
        raise SurveyError(_("The margin of error must lie between 0 and 1 (e.g. 0.05)."))


@dataclass(frozen=True)
class TargetRow:
    """What the planner form gives for a unit and group: a population, a target, or both
    (a target given wins over the one computed from the population)."""

    unit_id: int
    group: str
    population: int | None
    target: int | None


@transaction.atomic
def targets_save(*, campaign: Campaign, rows: Iterable[TargetRow], by: User) -> int:
    """Set the sample targets; n = N / (1 + N·e²) where only a population is given."""
    _refuse_unless_runs(by, campaign.cycle.authority_id)
    spec = _spec_or_refuse(campaign.cycle)
    groups = {g.code for g in spec.groups}
    units = set(selectors.campaign_units(campaign).values_list("pk", flat=True))
    saved = 0
    for row in rows:
        if row.unit_id not in units or row.group not in groups:
            raise SurveyError(_("A target names a unit or group outside the campaign."))
        target = row.target
        if target is None and row.population is not None:
            target = sample_size(row.population, campaign.margin)
        if target is None:
            SampleTarget.objects.filter(
                campaign=campaign, unit_id=row.unit_id, group=row.group
            ).delete()
            continue
        SampleTarget.objects.update_or_create(
            campaign=campaign,
            unit_id=row.unit_id,
            group=row.group,
            defaults={"population": row.population, "target": target},
        )
        saved += 1
    return saved


# --- invitations and online answers ----------------------------------------------------------


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


@transaction.atomic
def invitations_issue(
    *, campaign: Campaign, unit: Unit, group: str, count: int, by: User
) -> list[Invitation]:
    """`count` new one-use codes for answers about `unit` from `group`."""
    _refuse_unless_runs(by, campaign.cycle.authority_id)
    spec = _spec_or_refuse(campaign.cycle)
    if group not in {g.code for g in spec.groups}:
        raise SurveyError(fmt(_("Unknown respondent group %(group)s."), group=group))
    if not selectors.campaign_units(campaign).filter(pk=unit.pk).exists():
        raise SurveyError(_("The unit is not rated in this campaign."))
    if not 1 <= count <= MAX_INVITATIONS_AT_ONCE:
        raise SurveyError(
            fmt(_("Ask for 1 to %(most)s invitations at once."), most=MAX_INVITATIONS_AT_ONCE)
        )
    codes: set[str] = set()
    while len(codes) < count:
        fresh = {_new_code() for _ in range(count - len(codes))}
        taken = set(Invitation.objects.filter(code__in=fresh).values_list("code", flat=True))
        codes |= fresh - taken
    made = [Invitation(campaign=campaign, unit=unit, group=group, code=c) for c in sorted(codes)]
    return Invitation.objects.bulk_create(made)


def normalised_code(text: str) -> str:
    """A code as typed (spaces, dashes, lower case) → as stored."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def _open_or_refuse(invitation: Invitation, now: dt.datetime) -> None:
    if invitation.submitted_at is not None:
        raise InvitationUsedError(
            _("This link has already been used: each link takes one answer only.")
        )
    campaign = invitation.campaign
    if now < campaign.opens_at:
        raise SurveyError(_("The survey is not open yet."))
    if now >= campaign.closes_at:
        raise SurveyError(_("The survey has closed."))


@transaction.atomic
def invitation_open(invitation: Invitation) -> Response:
    """The respondent's draft for this link, made on first opening."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    now = timezone.now()
    _open_or_refuse(invitation, now)
    if invitation.opened_at is None:
        invitation.opened_at = now
        invitation.save(update_fields=["opened_at"])
    response, _created = Response.objects.get_or_create(
        invitation=invitation,
        defaults={
            "campaign_id": invitation.campaign_id,
            "unit_id": invitation.unit_id,
            "group": invitation.group,
            "response_id": f"web-{invitation.code}",
            "source": ResponseSource.ONLINE,
        },
    )
    return response


def _checked_answer(document: QuestionnaireDoc, question: str, answer: str) -> str:
    if question not in {q.code for q in document.questions}:
        raise SurveyError(fmt(_("Unknown question %(question)s."), question=question))
    if answer and document.option(answer) is None:
        raise SurveyError(
            fmt(
                _("%(answer)s is not an answer to question %(question)s."),
                answer=answer,
                question=question,
            )
        )
    return answer


def questionnaire_for(invitation: Invitation) -> QuestionnaireDoc:
    found = selectors.questionnaires_of(invitation.campaign.cycle).get(invitation.group)
    if found is None:
        raise SurveyError(_("This group has no questionnaire yet."))
    return found


@transaction.atomic
def answer_save(*, invitation: Invitation, question: str, answer: str) -> Response:
    """Keep one answer of a draft as the respondent goes (an empty answer clears it)."""
    response = invitation_open(invitation)
    _checked_answer(questionnaire_for(invitation), question, answer)
    if answer:
        response.answers[question] = answer
    else:
        response.answers.pop(question, None)
    response.save(update_fields=["answers"])
    return response


@transaction.atomic
def response_submit(
    *,
    invitation: Invitation,
    answers: Mapping[str, str],
    personal: Mapping[str, str] | None = None,
) -> Response:
    """Count the respondent's answers: once per link, required questions answered."""
    Campaign.objects.select_for_update().get(pk=invitation.campaign_id)  # one writer of counts
    response = invitation_open(invitation)
    document = questionnaire_for(invitation)
    chosen = {**response.answers, **{q: a for q, a in answers.items() if a}}
    for question, answer in chosen.items():
        _checked_answer(document, question, answer)
    missing = [q.code for q in document.questions if q.required and q.code not in chosen]
    missing_personal = [
        f.label for f in document.personal if f.required and not (personal or {}).get(f.code)
    ]
    if missing or missing_personal:
        raise SurveyError(
            fmt(
                _("Please answer: %(what)s."),
                what=", ".join([*missing, *missing_personal]),
            )
        )
    now = timezone.now()
    response.answers, response.submitted_at = chosen, now
    response.save(update_fields=["answers", "submitted_at"])
    Invitation.objects.filter(pk=invitation.pk).update(submitted_at=now)
    kept = {f.code: (personal or {}).get(f.code, "").strip() for f in document.personal}
    if any(kept.values()):
        RespondentDetail.objects.create(response=response, data=kept)
    _count_one(response)
    return response


def _count_one(response: Response) -> None:
    where: dict[str, Any] = {
        "campaign_id": response.campaign_id,
        "unit_id": response.unit_id,
        "group": response.group,
    }
    if not ResponseCount.objects.filter(**where).update(count=F("count") + 1):
        ResponseCount.objects.create(**where, count=1)
    for question, answer in response.answers.items():
        if not answer:
            continue
        key = {**where, "question": question, "answer": answer}
        if not AnswerCount.objects.filter(**key).update(count=F("count") + 1):
            AnswerCount.objects.create(**key, count=1)


# --- imported answers ------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportOutcome:
    survey_import: SurveyImport
    created: bool  # False: the same file had been imported before; nothing changed


@transaction.atomic
def answers_import(
    *, campaign: Campaign, data: bytes, file_name: str, columns: ColumnMap, by: User
) -> ImportOutcome:
    """Import a file of answers: the good rows counted, the bad ones listed by line with every
    reason, a broken file refused whole (InputError), the same file twice changes nothing."""
    _refuse_unless_runs(by, campaign.cycle.authority_id)
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    digest = hashlib.sha256(data).hexdigest()
    earlier = SurveyImport.objects.filter(campaign=campaign, sha256=digest).first()
    if earlier is not None:
        return ImportOutcome(earlier, created=False)
    spec = _spec_or_refuse(campaign.cycle)
    documents = selectors.questionnaires_of(campaign.cycle)
    units = dict(selectors.campaign_units(campaign).values_list("code", "pk"))
    batch = read_responses(
        data,
        file_name,
        columns=columns,
        questions=_questions_of(campaign, documents),
        spec=spec,
        labels=_labels_of(documents),
        units=units.keys(),
        seen=set(Response.objects.filter(campaign=campaign).values_list("response_id", flat=True)),
    )
    survey_import = SurveyImport.objects.create(
        campaign=campaign,
        file_name=file_name[:255],
        sha256=digest,
        columns=columns.to_json(),
        total=batch.total,
        accepted=batch.frame.height,
        rejected=len(batch.rejections),
        rejections=[
            [r.line, r.response_id, [m.vi for m in r.reasons], [m.en for m in r.reasons]]
            for r in batch.rejections
        ],
        imported_by=by,
    )
    _insert_responses(campaign, survey_import, batch.frame, batch.questions, units)
    _add_counts(campaign, batch.tally(spec), batch.frame, units)
    return ImportOutcome(survey_import, created=True)


@dataclass(frozen=True, slots=True)
class StoredAnswers:
    """An uploaded file of answers kept under MEDIA_ROOT until its import job has run."""

    path: Path
    name: str  # as the user uploaded it
    sha256: str
    earlier: SurveyImport | None  # the import of the same file, if there is one


def answers_upload_store(*, campaign: Campaign, file: Any, file_name: str) -> StoredAnswers:
    """Keep the upload for its import job; a file imported before is found and not kept."""
    folder = Path(settings.MEDIA_ROOT) / "survey" / str(campaign.pk)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    suffix = Path(file_name).suffix.lower()[:8] or ".csv"
    path = folder / f"upload-{secrets.token_hex(8)}{suffix}"
    with path.open("wb") as out:
        for chunk in file.chunks():
            digest.update(chunk)
            out.write(chunk)
    sha256 = digest.hexdigest()
    earlier = SurveyImport.objects.filter(campaign=campaign, sha256=sha256).first()
    if earlier is not None:
        path.unlink()
    return StoredAnswers(path, file_name, sha256, earlier)


def column_mapping_save(*, campaign: Campaign, name: str, columns: ColumnMap) -> None:
    """Keep the columns of an import under `name`, for the authority's next imports."""
    ColumnMapping.objects.update_or_create(
        authority_id=campaign.cycle.authority_id,
        name=name,
        defaults={"columns": columns.to_json()},
    )


def _questions_of(campaign: Campaign, documents: Mapping[str, QuestionnaireDoc]) -> list[str]:
    if documents:
        return sorted({q.code for d in documents.values() for q in d.questions})
    criteria = criteria_for(campaign.cycle.criteria_set)
    rules = [leaf.rule for leaf in criteria.leaves() if isinstance(leaf.rule, SurveyRule)]
    return sorted({question for rule in rules for question in rule.questions})


def _labels_of(documents: Mapping[str, QuestionnaireDoc]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for document in documents.values():
        labels.update(document.label_codes())
    return labels


def _insert_responses(
    campaign: Campaign,
    survey_import: SurveyImport,
    frame: pl.DataFrame,
    questions: Iterable[str],
    units: Mapping[str, int],
) -> None:
    """Write the accepted rows column-wise: the answers' JSON and the database's text of the
    times made by polars, then one COPY (PostgreSQL) or executemany (SQLite) — 300,000 model
    objects would cost more than the whole rest of the import."""
    if frame.is_empty():
        return
    codes = [q for q in questions if q in frame.columns]
    answers = pl.struct(codes).struct.json_encode() if codes else pl.lit("{}")
    fallback = survey_import.imported_at.astimezone(dt.UTC).replace(tzinfo=None)
    moment = "%Y-%m-%d %H:%M:%S%.6f" + ("+00:00" if connection.vendor == "postgresql" else "")
    rows = frame.select(
        pl.lit(campaign.pk).alias("campaign_id"),
        pl.col("unit").replace_strict(dict(units), return_dtype=pl.Int64).alias("unit_id"),
        pl.col("group"),
        pl.col("response_id"),
        pl.lit(str(ResponseSource.IMPORT)).alias("source"),
        answers.alias("answers"),
        pl.col("submitted_at").fill_null(fallback).dt.strftime(moment).alias("submitted_at"),
        pl.lit(survey_import.pk).alias("survey_import_id"),
    )
    _bulk_insert(Response._meta.db_table, rows)


def _bulk_insert(table: str, rows: pl.DataFrame) -> None:
    names = ", ".join(connection.ops.quote_name(name) for name in rows.columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            copy = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN WITH (FORMAT csv)"
            with cursor.cursor.copy(copy) as into:
                for chunk in rows.iter_slices(50_000):
                    into.write(chunk.write_csv(include_header=False))
            return
        marks = ", ".join(["%s"] * rows.width)
        sql = f"INSERT INTO {connection.ops.quote_name(table)} ({names}) VALUES ({marks})"
        for chunk in rows.iter_slices(50_000):
            cursor.executemany(sql, chunk.rows())


def _add_counts(
    campaign: Campaign, tally: SurveyTally, frame: pl.DataFrame, units: Mapping[str, int]
) -> None:
    """Add an import's answers and responses to the campaign's counts."""
    answers = [
        (units[unit], group, question, str(answer), count)
        for (unit, group, question), counts in tally.answers.items()
        for answer, count in counts.items()
    ]
    _merge_counts(AnswerCount, campaign, ["unit_id", "group", "question", "answer"], answers)
    responses = frame.group_by("unit", "group").len().rows()
    _merge_counts(
        ResponseCount,
        campaign,
        ["unit_id", "group"],
        [(units[unit], group, count) for unit, group, count in responses],
    )


def _merge_counts(
    model: type[AnswerCount] | type[ResponseCount],
    campaign: Campaign,
    keys: list[str],
    added: list[tuple[Any, ...]],
) -> None:
    """Counts `added` (key columns..., count) summed into the kept ones: an UPDATE for the keys
    already kept, one bulk insert for the new ones."""
    kept = {
        tuple(row[:-1]): row[-1]
        for row in model.objects.filter(campaign=campaign).values_list(*keys, "pk")
    }
    table = connection.ops.quote_name(model._meta.db_table)
    updates = [(row[-1], kept[row[:-1]]) for row in added if row[:-1] in kept]
    if updates:
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET count = count + %s WHERE id = %s", updates)
    new = [row for row in added if row[:-1] not in kept]
    if new:
        schema = {"campaign_id": pl.Int64, **dict.fromkeys(keys, pl.Utf8), "count": pl.Int64}
        schema["unit_id"] = pl.Int64
        rows = pl.DataFrame([(campaign.pk, *row) for row in new], schema=schema, orient="row")
        _bulk_insert(model._meta.db_table, rows)


@transaction.atomic
def import_remove(*, survey_import: SurveyImport, by: User) -> None:
    """Take an imported file back: its responses and their counts go, the rest stays."""
    campaign = survey_import.campaign
    _refuse_unless_runs(by, campaign.cycle.authority_id)
    Campaign.objects.select_for_update().get(pk=campaign.pk)
    survey_import.delete()
    tally_rebuild(campaign)


@transaction.atomic
def tally_rebuild(campaign: Campaign) -> int:
    """Recount the answers and responses from the counted responses; returns how many count
    rows differed from what was kept (0 when the counts were right)."""
    answers: dict[tuple[Any, ...], int] = {}
    responses: dict[tuple[Any, ...], int] = {}
    rows = Response.objects.filter(campaign=campaign, submitted_at__isnull=False).values_list(
        "unit_id", "group", "answers"
    )
    for unit_id, group, given in rows.iterator(chunk_size=5000):
        responses[(unit_id, group)] = responses.get((unit_id, group), 0) + 1
        for question, answer in (given or {}).items():
            if answer:
                key = (unit_id, group, question, str(answer))
                answers[key] = answers.get(key, 0) + 1
    return _replace_counts(
        AnswerCount, campaign, ["unit_id", "group", "question", "answer"], answers
    ) + _replace_counts(ResponseCount, campaign, ["unit_id", "group"], responses)


def _replace_counts(
    model: type[AnswerCount] | type[ResponseCount],
    campaign: Campaign,
    keys: list[str],
    recount: dict[tuple[Any, ...], int],
) -> int:
    kept = {
        tuple(row[:-1]): row[-1]
        for row in model.objects.filter(campaign=campaign).values_list(*keys, "count")
    }
    differing = sum(1 for key in recount.keys() | kept.keys() if recount.get(key) != kept.get(key))
    if differing:
        model.objects.filter(campaign=campaign).delete()
        _merge_counts(model, campaign, keys, [(*key, n) for key, n in recount.items()])
    return differing
