"""API of the evaluation cycle: cycles, the self-assessment sheet, evidence, appraisal and
explanation (*kỳ đánh giá, phiếu tự đánh giá, tài liệu kiểm chứng, thẩm định, giải trình*).

The same edges as `views.py` and `appraisal_views.py`, for machines: each endpoint finds the
object through the permission module's `*_visible_to` querysets (anything the caller may not
see is a 404, whatever its unit or authority), calls one service or selector, and shapes the
answer. A service's refusal (`AssessmentError`) becomes `{"detail", "problems"}` in the
caller's language (`refusal`): 403 for a role that may not act, 409 for a stale `version`
(with what the other person left), 422 for a sheet that cannot be submitted yet (with every
missing item), 400 for anything else. The appraisal's endpoints are in `appraisal_api.py`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from parindex.accounts.models import User
from parindex.accounts.permissions import (
    assessments_visible_to,
    can_edit_sheet,
    can_submit_sheet,
)
from parindex.accounts.requests import signed_in
from parindex.assessments import selectors, services, workflow
from parindex.assessments.errors import (
    AssessmentError,
    ConflictError,
    NotAllowedError,
    SheetIncompleteError,
)
from parindex.assessments.models import (
    Assessment,
    Cycle,
    Evidence,
    Phase,
)
from parindex.core.downloads import stored_file_response
from parindex.formats.results import Number, number

cycles = Router()
sheets = Router()

# ---------------------------------------------------------------- errors


class ProblemOut(Schema):
    detail: str
    problems: list[str]


class EntryStateOut(Schema):
    value: str
    note: str
    version: int
    by: str
    at: dt.datetime | None


class ConflictOut(ProblemOut):
    code: str
    current: EntryStateOut


class MissingOut(Schema):
    code: str
    title: str
    what: Literal["value", "evidence"]


class IncompleteOut(ProblemOut):
    missing: list[MissingOut]


def refusal(request: HttpRequest, error: object) -> HttpResponse:
    """A service's refusal as the API answers it (registered on the API in `site/api.py` for
    `AssessmentError`, hence `error` is one)."""
    assert isinstance(error, AssessmentError)
    body: dict[str, Any] = {
        "detail": str(error),
        "problems": [str(message) for message in error.messages],
    }
    status = 400
    if isinstance(error, NotAllowedError):
        status = 403
    elif isinstance(error, ConflictError):
        status = 409
        current = error.current
        body["code"] = error.code
        body["current"] = EntryStateOut(
            value=current.value,
            note=current.note,
            version=current.version,
            by=current.by,
            at=current.at,
        ).model_dump(mode="json")
    elif isinstance(error, SheetIncompleteError):
        status = 422
        body["problems"] = [
            f"{item.code}. {item.title} — "
            + (_("no value") if item.what == "value" else _("no evidence document"))
            for item in error.missing
        ]
        body["missing"] = [
            {"code": item.code, "title": item.title, "what": item.what} for item in error.missing
        ]
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def not_found(request: HttpRequest, error: object) -> HttpResponse:
    """Whatever the caller may not see does not exist: one answer for both, for the whole API
    (registered in `site/api.py` for `Http404`)."""
    body = {"detail": _("Not found."), "problems": []}
    return JsonResponse(body, status=404, json_dumps_params={"ensure_ascii": False})


REFUSED: dict[int, type[Schema]] = {400: ProblemOut, 403: ProblemOut, 404: ProblemOut}

# ---------------------------------------------------------------- helpers


def display_name(user: User | None) -> str:
    return (user.get_full_name() or user.get_username()) if user else ""


def visible_cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    return get_object_or_404(selectors.cycles_visible_to(request.user), pk=cycle_id)


def visible_sheet(request: HttpRequest, assessment_id: int) -> Assessment:
    visible: QuerySet[Assessment] = assessments_visible_to(request.user)
    return get_object_or_404(
        visible.select_related("cycle__criteria_set", "cycle__authority", "unit"),
        pk=assessment_id,
    )


def _evidence_url(evidence: Evidence) -> str:
    return f"/api/evidence/{evidence.pk}"


# ---------------------------------------------------------------- cycles


class CycleOut(Schema):
    id: int
    title: str
    year: int
    authority: str
    unit_group: str
    criteria_set: str
    phase: str
    phase_label: str
    self_assessment_opens: dt.datetime | None
    self_assessment_closes: dt.datetime | None
    appraisal_closes: dt.datetime | None
    explanation_closes: dt.datetime | None
    finalisation_due: dt.datetime | None


class BoardRowOut(Schema):
    assessment: int
    unit: str
    unit_name: str
    status: str
    status_label: str
    filled: int
    documents: int
    submitted_at: dt.datetime | None
    submitted_by: str


class CycleDetailOut(CycleOut):
    next_phase: str | None
    can_advance: bool
    leaf_count: int
    board: list[BoardRowOut]


class AdvanceIn(Schema):
    to_phase: str
    reason: str = Field("", max_length=2000)


def _cycle(cycle: Cycle) -> dict[str, Any]:
    return {
        "id": cycle.pk,
        "title": cycle.title,
        "year": cycle.year,
        "authority": cycle.authority.code,
        "unit_group": cycle.unit_group.code,
        "criteria_set": f"{cycle.criteria_set.code} v{cycle.criteria_set.version}",
        "phase": cycle.phase,
        "phase_label": str(Phase(cycle.phase).label),
        "self_assessment_opens": cycle.self_assessment_opens,
        "self_assessment_closes": cycle.self_assessment_closes,
        "appraisal_closes": cycle.appraisal_closes,
        "explanation_closes": cycle.explanation_closes,
        "finalisation_due": cycle.finalisation_due,
    }


@cycles.get(
    "/cycles", response=list[CycleOut], operation_id="cycles_list",
    summary="Cycles the caller may see",
)  # fmt: skip
def cycles_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_cycle(cycle) for cycle in selectors.cycles_visible_to(request.user)]


@cycles.get(
    "/cycles/{cycle_id}", response={200: CycleDetailOut, 404: ProblemOut},
    operation_id="cycle_get",
    summary="A cycle: phase, dates and the status of every sheet the caller may see",
)  # fmt: skip
def cycle_get(request: HttpRequest, cycle_id: int) -> dict[str, Any]:
    cycle = visible_cycle(request, cycle_id)
    following = workflow.next_phase(cycle.phase)
    board = [
        BoardRowOut(
            assessment=sheet.pk,
            unit=sheet.unit.code,
            unit_name=sheet.unit.name,
            status=sheet.status,
            status_label=str(sheet.get_status_display()),
            filled=sheet.filled,  # type: ignore[attr-defined]
            documents=sheet.documents,  # type: ignore[attr-defined]
            submitted_at=sheet.submitted_at,
            submitted_by=display_name(sheet.submitted_by),
        )
        for sheet in selectors.status_board(cycle, request.user)
    ]
    return {
        **_cycle(cycle),
        "next_phase": following,
        "can_advance": workflow.may_advance_cycle(
            request.user, authority_id=cycle.authority_id, current=cycle.phase
        ),
        "leaf_count": len(selectors.entered_leaves(selectors.criteria_for(cycle.criteria_set))),
        "board": board,
    }


@cycles.post(
    "/cycles/{cycle_id}/advance", response={200: CycleOut, **REFUSED},
    operation_id="cycle_advance",
    summary="Move the cycle to its next phase (the role the workflow names for the step)",
)  # fmt: skip
def cycle_advance(request: HttpRequest, cycle_id: int, data: AdvanceIn) -> dict[str, Any]:
    cycle = visible_cycle(request, cycle_id)
    cycle = services.cycle_advance(
        cycle=cycle, to_phase=data.to_phase, by=signed_in(request), reason=data.reason
    )
    return _cycle(
        Cycle.objects.select_related("authority", "unit_group", "criteria_set").get(pk=cycle.pk)
    )


# ---------------------------------------------------------------- the sheet


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by: str
    codes: list[str]
    url: str


class LeafOut(Schema):
    code: str
    title: str
    field: str
    kind: str
    source: str
    rule: str
    max: Number
    entered: bool
    appraiser: str
    evidence: str
    evidence_required: bool
    value: str
    note: str
    version: int
    appraised_value: str
    appraisal_reason: str
    points: Number
    status: str | None
    documents: list[int]


class FieldOut(Schema):
    code: str
    title: str
    kind: str
    points: Number
    max: Number
    percent: Number


class TotalsOut(Schema):
    points: Number
    applicable_max: Number
    index: Number
    bonus: Number
    penalty: Number
    max_points: Number


class SheetOut(Schema):
    id: int
    cycle: int
    unit: str
    unit_name: str
    status: str
    status_label: str
    revision: int
    submitted_at: dt.datetime | None
    editable: bool
    can_submit: bool
    closed: str | None
    totals: TotalsOut
    fields: list[FieldOut]
    leaves: list[LeafOut]
    documents: list[EvidenceOut]
    missing: list[MissingOut]


class EntryIn(Schema):
    value: str = Field("", max_length=255)
    note: str = Field("", max_length=5000)
    version: int = Field(ge=0)
    reason: str = Field("", max_length=2000)


class EntrySavedOut(Schema):
    leaf: LeafOut
    totals: TotalsOut
    fields: list[FieldOut]
    missing: list[MissingOut]


class SubmittedOut(Schema):
    id: int
    status: str
    revision: int
    submitted_at: dt.datetime | None
    submitted_by: str


def _evidence(evidence: Evidence, codes: list[str]) -> EvidenceOut:
    return EvidenceOut(
        id=evidence.pk,
        name=evidence.original_name,
        content_type=evidence.content_type,
        size=evidence.size,
        sha256=evidence.sha256,
        uploaded_at=evidence.created_at,
        uploaded_by=display_name(evidence.uploaded_by),
        codes=codes,
        url=_evidence_url(evidence),
    )


def _documents(sheet: selectors.Sheet) -> list[EvidenceOut]:
    codes: dict[int, list[str]] = {document.pk: [] for document in sheet.documents}
    for code, leaf in sheet.leaves.items():
        for document in leaf.documents:
            codes[document.pk].append(code)
    return [_evidence(document, codes[document.pk]) for document in sheet.documents]


def _leaves(sheet: selectors.Sheet, decimals: int) -> list[LeafOut]:
    found = []
    for top in sheet.fields:
        for item in top.items:
            if not item.node.is_leaf:
                continue
            node, entry, result = item.node, item.entry, item.result
            found.append(
                LeafOut(
                    code=node.code,
                    title=node.title,
                    field=top.node.code,
                    kind=node.kind,
                    source=node.source,
                    rule=node.rule_type,
                    max=number(node.max_points, decimals),
                    entered=item.entered,
                    appraiser=node.appraiser,
                    evidence=node.evidence,
                    evidence_required=node.evidence_required,
                    value=item.value,
                    note=entry.note if entry else "",
                    version=item.version,
                    appraised_value=entry.appraised_value if entry else "",
                    appraisal_reason=entry.appraisal_reason if entry else "",
                    points=number(result.points, decimals) if result else None,
                    status=result.status.value if result else None,
                    documents=[document.pk for document in item.documents],
                )
            )
    return found


def _scored(sheet: selectors.Sheet) -> tuple[TotalsOut, list[FieldOut], list[MissingOut]]:
    criteria = selectors.criteria_for(sheet.assessment.cycle.criteria_set)
    d, result = criteria.decimals, sheet.result
    assert result is not None  # `sheet_with_points`
    totals = TotalsOut(
        points=number(result.points, d),
        applicable_max=number(result.applicable_max, d),
        index=number(result.index, d),
        bonus=number(result.bonus, d),
        penalty=number(result.penalty, d),
        max_points=number(criteria.max_points, d),
    )
    fields = [
        FieldOut(
            code=top.node.code,
            title=top.node.title,
            kind=top.node.kind,
            points=number(top.result.points, d) if top.result else None,
            max=number(top.result.max, d) if top.result else None,
            percent=number(top.result.percent, d) if top.result else None,
        )
        for top in sheet.fields
    ]
    missing = [MissingOut(code=m.code, title=m.title, what=m.what) for m in sheet.missing()]  # type: ignore[arg-type]
    return totals, fields, missing


@sheets.get(
    "/assessments/{assessment_id}", response={200: SheetOut, 404: ProblemOut},
    operation_id="sheet_get",
    summary="A sheet: every leaf with its value, note, version, points and documents; totals",
)  # fmt: skip
def sheet_get(request: HttpRequest, assessment_id: int) -> SheetOut:
    assessment = visible_sheet(request, assessment_id)
    sheet = selectors.sheet_with_points(assessment)
    closed = workflow.self_assessment_closed(assessment, timezone.now())
    decimals = selectors.criteria_for(assessment.cycle.criteria_set).decimals
    totals, fields, missing = _scored(sheet)
    return SheetOut(
        id=assessment.pk,
        cycle=assessment.cycle_id,
        unit=assessment.unit.code,
        unit_name=assessment.unit.name,
        status=assessment.status,
        status_label=str(assessment.get_status_display()),
        revision=assessment.revision,
        submitted_at=assessment.submitted_at,
        editable=closed is None and can_edit_sheet(request.user, assessment.unit_id),
        can_submit=closed is None and can_submit_sheet(request.user, assessment.unit_id),
        closed=str(closed) if closed is not None else None,
        totals=totals,
        fields=fields,
        leaves=_leaves(sheet, decimals),
        documents=_documents(sheet),
        missing=missing,
    )


@sheets.put(
    "/assessments/{assessment_id}/entries/{code}",
    response={200: EntrySavedOut, 409: ConflictOut, **REFUSED}, operation_id="entry_put",
    summary="Save a leaf's value and note with the version it was read at (409 if stale)",
)  # fmt: skip
def entry_put(request: HttpRequest, assessment_id: int, code: str, data: EntryIn) -> EntrySavedOut:
    assessment = visible_sheet(request, assessment_id)
    services.entry_save(
        assessment=assessment,
        code=code,
        value=data.value,
        note=data.note,
        expected_version=data.version,
        by=signed_in(request),
        reason=data.reason,
    )
    sheet = selectors.sheet_with_points(assessment)
    decimals = selectors.criteria_for(assessment.cycle.criteria_set).decimals
    totals, fields, missing = _scored(sheet)
    leaf = next(leaf for leaf in _leaves(sheet, decimals) if leaf.code == code)
    return EntrySavedOut(leaf=leaf, totals=totals, fields=fields, missing=missing)


@sheets.post(
    "/assessments/{assessment_id}/submit",
    response={200: SubmittedOut, 422: IncompleteOut, **REFUSED}, operation_id="sheet_submit",
    summary="The unit head approves and submits the sheet (422 lists what is missing)",
)  # fmt: skip
def sheet_submit(request: HttpRequest, assessment_id: int) -> SubmittedOut:
    assessment = visible_sheet(request, assessment_id)
    done = services.assessment_submit(assessment=assessment, by=signed_in(request))
    return SubmittedOut(
        id=done.pk,
        status=done.status,
        revision=done.revision,
        submitted_at=done.submitted_at,
        submitted_by=display_name(done.submitted_by),
    )


# ---------------------------------------------------------------- evidence


@sheets.get(
    "/assessments/{assessment_id}/evidence", response={200: list[EvidenceOut], 404: ProblemOut},
    operation_id="evidence_list", summary="The sheet's documents and the leaves each backs",
)  # fmt: skip
def evidence_list(request: HttpRequest, assessment_id: int) -> list[EvidenceOut]:
    assessment = visible_sheet(request, assessment_id)
    return _documents(selectors.sheet_for(assessment))


@sheets.post(
    "/assessments/{assessment_id}/evidence", response={201: EvidenceOut, **REFUSED},
    operation_id="evidence_add",
    summary="Upload a document (multipart: `file`, and `codes` for the leaves it backs)",
)  # fmt: skip
def evidence_add(
    request: HttpRequest,
    assessment_id: int,
    file: File[UploadedFile],
    # Optional in the form: a multipart body cannot carry an empty list, and no leaf chosen is
    # the service's refusal (400, in words), not a validation error.
    codes: Form[list[str]] = [],  # noqa: B006 (never mutated)
) -> Status[EvidenceOut]:
    assessment = visible_sheet(request, assessment_id)
    evidence = services.evidence_upload(
        assessment=assessment, file=file, codes=codes, by=signed_in(request)
    )
    linked = sorted(evidence.links.values_list("code", flat=True))
    return Status(201, _evidence(evidence, linked))


@sheets.get(
    "/evidence/{evidence_id}", response={404: ProblemOut}, operation_id="evidence_file",
    summary="Download a document of a sheet the caller may see (always as an attachment)",
    openapi_extra={"responses": {"200": {
        "description": "The document",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }}},
)  # fmt: skip
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    evidence = get_object_or_404(selectors.evidence_visible_to(request.user), pk=evidence_id)
    return stored_file_response(
        evidence.file, name=evidence.original_name, content_type=evidence.content_type
    )
