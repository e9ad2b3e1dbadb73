"""API of the appraisal (*thẩm định*) and the explanation (*giải trình*, *phúc tra*): the same
edges as `appraisal_views.py`, with the visibility, refusals and shapes of `api.py`."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from parindex.accounts.permissions import assessments_visible_to
from parindex.accounts.requests import signed_in
from parindex.assessments import appraisal, appraisal_selectors
from parindex.assessments.api import (
    REFUSED,
    ConflictOut,
    ProblemOut,
    display_name,
    visible_cycle,
    visible_sheet,
)
from parindex.assessments.models import Change, Explanation, LeafEntry

appraisals = Router()


class ExplanationOut(Schema):
    id: int
    assessment: int
    code: str
    argument: str
    proposed_value: str
    by: str
    at: dt.datetime
    decision: str
    decided_by: str
    decided_at: dt.datetime | None
    decision_reason: str


class WorkItemOut(Schema):
    assessment: int
    unit: str
    code: str
    title: str
    appraiser: str
    value: str
    note: str
    version: int
    appraised: bool
    appraised_value: str
    appraisal_reason: str
    corrected: bool
    final: str
    documents: list[int]
    explanations: list[ExplanationOut]


class WorkGroupOut(Schema):
    title: str
    key: str
    done: int
    items: list[WorkItemOut]


class AppraiseIn(Schema):
    value: str = Field(max_length=255)
    reason: str = Field("", max_length=2000)
    version: int = Field(ge=0)


class AppraisedOut(Schema):
    assessment: int
    code: str
    value: str
    appraised_value: str
    appraisal_reason: str
    appraised_at: dt.datetime | None
    appraised_by: str
    version: int
    corrected: bool
    sheet_status: str


class HistoryOut(Schema):
    kind: str
    old: str
    new: str
    reason: str
    by: str
    at: dt.datetime


class ChangeRowOut(Schema):
    code: str
    title: str
    value: str
    appraised_value: str
    appraisal_reason: str
    version: int
    corrected: bool
    pending: bool
    history: list[HistoryOut]
    explanations: list[ExplanationOut]
    documents: list[int]


class ExplainIn(Schema):
    argument: str = Field(max_length=5000)
    proposed_value: str = Field("", max_length=255)


class DecideIn(Schema):
    accept: bool
    reason: str = Field("", max_length=2000)


def _explanation(explanation: Explanation) -> ExplanationOut:
    return ExplanationOut(
        id=explanation.pk,
        assessment=explanation.entry.assessment_id,
        code=explanation.entry.code,
        argument=explanation.argument,
        proposed_value=explanation.proposed_value,
        by=display_name(explanation.by),
        at=explanation.created_at,
        decision=explanation.decision,
        decided_by=display_name(explanation.decided_by),
        decided_at=explanation.decided_at,
        decision_reason=explanation.decision_reason,
    )


def _history(change: Change) -> HistoryOut:
    return HistoryOut(
        kind=change.kind,
        old=change.old,
        new=change.new,
        reason=change.reason,
        by=display_name(change.by),
        at=change.at,
    )


@appraisals.get(
    "/cycles/{cycle_id}/worklist", response={200: list[WorkGroupOut], 404: ProblemOut},
    operation_id="worklist_get",
    summary="An appraiser's leaves on every submitted sheet but their own unit's",
)  # fmt: skip
def worklist_get(
    request: HttpRequest, cycle_id: int, by: Literal["unit", "leaf"] = "unit"
) -> list[WorkGroupOut]:
    cycle = visible_cycle(request, cycle_id)
    if not appraisal_selectors.appraiser_agencies_in(request.user, cycle):
        raise Http404
    return [
        WorkGroupOut(
            title=group.title,
            key=group.anchor,
            done=group.done,
            items=[
                WorkItemOut(
                    assessment=item.assessment.pk,
                    unit=item.assessment.unit.code,
                    code=item.node.code,
                    title=item.node.title,
                    appraiser=item.node.appraiser,
                    value=item.value,
                    note=item.entry.note if item.entry else "",
                    version=item.version,
                    appraised=item.appraised,
                    appraised_value=item.entry.appraised_value if item.entry else "",
                    appraisal_reason=item.entry.appraisal_reason if item.entry else "",
                    corrected=item.corrected,
                    final=item.final,
                    documents=[document.pk for document in item.documents],
                    explanations=[_explanation(e) for e in item.explanations],
                )
                for item in group.items
            ],
        )
        for group in appraisal_selectors.worklist(cycle, request.user, by=by)
    ]


@appraisals.put(
    "/assessments/{assessment_id}/appraisals/{code}",
    response={200: AppraisedOut, 409: ConflictOut, **REFUSED}, operation_id="appraisal_put",
    summary="Confirm (same value) or correct (another value, with a reason) a unit's leaf",
)  # fmt: skip
def appraisal_put(
    request: HttpRequest, assessment_id: int, code: str, data: AppraiseIn
) -> AppraisedOut:
    assessment = visible_sheet(request, assessment_id)
    if not appraisal_selectors.appraiser_agencies_in(request.user, assessment.cycle):
        raise Http404
    entry = appraisal.entry_appraise(
        assessment=assessment,
        code=code,
        value=data.value,
        reason=data.reason,
        expected_version=data.version,
        by=signed_in(request),
    )
    assessment.refresh_from_db(fields=["status"])
    return AppraisedOut(
        assessment=assessment.pk,
        code=entry.code,
        value=entry.value,
        appraised_value=entry.appraised_value,
        appraisal_reason=entry.appraisal_reason,
        appraised_at=entry.appraised_at,
        appraised_by=display_name(entry.appraised_by),
        version=entry.version,
        corrected=appraisal.is_corrected(entry),
        sheet_status=assessment.status,
    )


@appraisals.get(
    "/assessments/{assessment_id}/changes", response={200: list[ChangeRowOut], 404: ProblemOut},
    operation_id="changes_list",
    summary="Every leaf the appraisal touched, with its history and explanations",
)  # fmt: skip
def changes_list(request: HttpRequest, assessment_id: int) -> list[ChangeRowOut]:
    assessment = visible_sheet(request, assessment_id)
    return [
        ChangeRowOut(
            code=row.node.code,
            title=row.node.title,
            value=row.entry.value,
            appraised_value=row.entry.appraised_value,
            appraisal_reason=row.entry.appraisal_reason,
            version=row.entry.version,
            corrected=row.corrected,
            pending=row.pending,
            history=[_history(change) for change in row.history],
            explanations=[_explanation(e) for e in row.explanations],
            documents=[document.pk for document in row.documents],
        )
        for row in appraisal_selectors.sheet_changes(assessment)
    ]


@appraisals.post(
    "/assessments/{assessment_id}/explanations/{code}", response={201: ExplanationOut, **REFUSED},
    operation_id="explanation_add",
    summary="The unit contests a correction with an argument (and a proposed value)",
)  # fmt: skip
def explanation_add(
    request: HttpRequest, assessment_id: int, code: str, data: ExplainIn
) -> Status[ExplanationOut]:
    assessment = visible_sheet(request, assessment_id)
    entry = get_object_or_404(LeafEntry.objects.filter(assessment=assessment), code=code)
    explanation = appraisal.explanation_submit(
        entry=entry, argument=data.argument, proposed_value=data.proposed_value,
        by=signed_in(request),
    )  # fmt: skip
    return Status(201, _explanation(explanation))


@appraisals.post(
    "/explanations/{explanation_id}/decision", response={200: ExplanationOut, **REFUSED},
    operation_id="explanation_decide",
    summary="The council chair or an appraiser of the leaf's agency decides an explanation",
)  # fmt: skip
def explanation_decide(request: HttpRequest, explanation_id: int, data: DecideIn) -> ExplanationOut:
    explanation = get_object_or_404(
        Explanation.objects.filter(
            entry__assessment__in=assessments_visible_to(request.user)
        ).select_related("entry__assessment__cycle", "entry__assessment__unit"),
        pk=explanation_id,
    )
    if not appraisal.may_decide(request.user, explanation):
        raise Http404
    decided = appraisal.explanation_decide(
        explanation=explanation, accept=data.accept, reason=data.reason, by=signed_in(request)
    )
    return _explanation(decided)
