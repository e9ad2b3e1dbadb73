"""Pages of the cycles and the self-assessment sheet. Each view reads the request, checks who
asks, calls one service or selector, and renders; the sheet's JSON endpoints serve autosave.

A sheet, cycle or document the user may not see is a 404, never a 403: its existence is not
told. A visible sheet the user may not change answers 403 to a change.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parindex.accounts.models import Role, User
from parindex.accounts.permissions import (
    assessments_visible_to,
    authority_ids,
    can_edit_sheet,
    can_submit_sheet,
)
from parindex.assessments import selectors, services, workflow
from parindex.assessments.errors import (
    AssessmentError,
    ConflictError,
    NotAllowedError,
    SheetIncompleteError,
)
from parindex.assessments.forms import CycleForm, EntryForm, LinkForm
from parindex.assessments.models import Assessment, AssessmentStatus, Evidence, Phase
from parindex.formats.results import unit_document

ADMINISTERING = (Role.SECRETARIAT, Role.SYSTEM_ADMIN)


def _signed_in(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind `login_required`)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _texts(error: AssessmentError) -> list[str]:
    return [str(message) for message in error.messages]


def _visible_sheet(request: HttpRequest, sheet_id: int) -> Assessment:
    visible: QuerySet[Assessment] = assessments_visible_to(request.user)
    return get_object_or_404(
        visible.select_related("cycle__criteria_set", "cycle__authority", "unit"), pk=sheet_id
    )


def _back_to(sheet: Assessment, code: str = "") -> HttpResponseRedirect:
    url = reverse("assessments:sheet", args=[sheet.pk])
    return HttpResponseRedirect(f"{url}#leaf-{code}" if code else url)


# ---------------------------------------------------------------- cycles


@login_required
@require_GET
def cycle_list(request: HttpRequest) -> HttpResponse:
    context = {
        "cycles": selectors.cycles_visible_to(request.user),
        "can_create": bool(authority_ids(request.user, ADMINISTERING)),
    }
    return render(request, "assessments/cycle_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def cycle_create(request: HttpRequest) -> HttpResponse:
    allowed = authority_ids(request.user, ADMINISTERING)
    if not allowed:
        raise PermissionDenied
    with timezone.override(workflow.VN):  # the dates typed are Vietnamese dates and hours
        form = CycleForm(request.POST or None, authority_ids=allowed)
        if request.method == "POST" and form.is_valid():
            try:
                cycle = services.cycle_create(**form.cleaned_data, by=_signed_in(request))
            except AssessmentError as error:
                for text in _texts(error):
                    form.add_error(None, text)
            else:
                messages.success(request, _("The cycle has been created."))
                return redirect("assessments:cycle_detail", cycle_id=cycle.pk)
    return render(request, "assessments/cycle_form.html", {"form": form})


@login_required
@require_GET
def cycle_detail(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(selectors.cycles_visible_to(request.user), pk=cycle_id)
    following = workflow.next_phase(cycle.phase)
    board = list(selectors.status_board(cycle, request.user))
    context = {
        "cycle": cycle,
        "phases": _timeline(cycle),
        "board": board,
        "submitted": sum(1 for sheet in board if sheet.status != AssessmentStatus.DRAFT),
        "leaf_count": len(selectors.entered_leaves(selectors.criteria_for(cycle.criteria_set))),
        "next_phase": Phase(following) if following else None,
        "can_advance": workflow.may_advance_cycle(
            request.user, authority_id=cycle.authority_id, current=cycle.phase
        ),
    }
    return render(request, "assessments/cycle_detail.html", context)


def _timeline(cycle: Any) -> list[dict[str, Any]]:
    deadlines = {
        Phase.SELF_ASSESSMENT: cycle.self_assessment_closes,
        Phase.APPRAISAL: cycle.appraisal_closes,
        Phase.EXPLANATION: cycle.explanation_closes,
        Phase.FINALISATION: cycle.finalisation_due,
    }
    order = list(Phase)
    current = order.index(Phase(cycle.phase))
    return [
        {
            "phase": phase,
            "deadline": deadlines.get(phase),
            "opens": cycle.self_assessment_opens if phase == Phase.SELF_ASSESSMENT else None,
            "state": "done" if i < current else "current" if i == current else "todo",
        }
        for i, phase in enumerate(order)
    ]


@login_required
@require_POST
def cycle_advance(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(selectors.cycles_visible_to(request.user), pk=cycle_id)
    try:
        services.cycle_advance(
            cycle=cycle,
            to_phase=request.POST.get("to_phase", ""),
            by=_signed_in(request),
            reason=request.POST.get("reason", ""),
        )
    except AssessmentError as error:
        for text in _texts(error):
            messages.error(request, text)
    else:
        messages.success(request, _("The cycle has moved to its next phase."))
    return redirect("assessments:cycle_detail", cycle_id=cycle.pk)


# ---------------------------------------------------------------- the sheet


@login_required
@require_GET
def sheet(request: HttpRequest, sheet_id: int) -> HttpResponse:
    assessment = _visible_sheet(request, sheet_id)
    page = selectors.sheet_with_points(assessment)
    closed = workflow.self_assessment_closed(assessment, timezone.now())
    editable = closed is None and can_edit_sheet(request.user, assessment.unit_id)
    criteria = selectors.criteria_for(assessment.cycle.criteria_set)
    context = {
        "sheet": page,
        "assessment": assessment,
        "cycle": assessment.cycle,
        "decimals": criteria.decimals,
        "max_points": criteria.max_points,
        "editable": editable,
        "closed": closed,
        "can_submit": closed is None and can_submit_sheet(request.user, assessment.unit_id),
        "missing": page.missing(),
        "js_texts": _js_texts(),
    }
    return render(request, "assessments/sheet.html", context)


def _js_texts() -> dict[str, str]:
    return {
        "saving": _("Saving…"),
        "saved": _("Saved"),
        "failed": _("Not saved"),
        "offline": _("Not saved: the connection was lost. Your entry is kept on this page."),
        "conflict_by": _("%(who)s saved this criterion at %(when)s:"),
        "someone": _("Someone"),
        "value": _("Value"),
        "note": _("Note"),
        "empty": _("(empty)"),
        "use_theirs": _("Use their version"),
        "keep_mine": _("Keep mine and save"),
        "uploading": _("Uploading…"),
        "uploaded": _("Uploaded"),
    }


def _json_error(error: AssessmentError, status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "errors": _texts(error), **extra}, status=status)


@login_required
@require_POST
def entry_save(request: HttpRequest, sheet_id: int, code: str) -> HttpResponseBase:
    """Save one leaf. JSON for autosave (with the engine's points); a redirect without script."""
    assessment = _visible_sheet(request, sheet_id)
    form = EntryForm(request.POST)
    if not form.is_valid():
        if _wants_json(request):
            errors = [str(e) for errors in form.errors.values() for e in errors]
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        messages.error(request, _("The form was incomplete; nothing was saved."))
        return _back_to(assessment, code)
    try:
        entry = services.entry_save(
            assessment=assessment,
            code=code,
            value=form.value_text(),
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
            by=_signed_in(request),
            reason=form.cleaned_data["reason"],
        )
    except ConflictError as error:
        current = error.current
        conflict = {
            "value": current.value,
            "note": current.note,
            "version": current.version,
            "by": current.by,
            "at": workflow.vn_time(current.at) if current.at else "",
        }
        if _wants_json(request):
            return _json_error(error, 409, conflict=conflict)
        messages.error(
            request,
            _("%(reason)s %(who)s saved “%(value)s” at %(when)s.")
            % {
                "reason": str(error),
                "who": current.by or _("Someone"),
                "value": current.value,
                "when": conflict["at"],
            },
        )
        return _back_to(assessment, code)
    except NotAllowedError as error:
        if _wants_json(request):
            return _json_error(error, 403)
        raise PermissionDenied(str(error)) from None
    except AssessmentError as error:
        if _wants_json(request):
            return _json_error(error, 400)
        for text in _texts(error):
            messages.error(request, f"{code}: {text}")
        return _back_to(assessment, code)
    if not _wants_json(request):
        messages.success(request, _("Criterion %(code)s saved.") % {"code": code})
        return _back_to(assessment, code)
    return JsonResponse(_saved(request, assessment, code, entry.version))


def _saved(request: HttpRequest, assessment: Assessment, code: str, version: int) -> dict[str, Any]:
    """What autosave shows after a save: the stored entry, the engine's points, the history."""
    page = selectors.sheet_with_points(assessment)
    criteria = selectors.criteria_for(assessment.cycle.criteria_set)
    item = page.leaves[code]
    assert page.result is not None
    result = unit_document(page.result, criteria, criteria.decimals, get_language() or "vi")
    history = render_to_string("assessments/_history.html", {"item": item}, request=request)
    return {
        "ok": True,
        "code": code,
        "version": version,
        "value": item.value,
        "note": item.entry.note if item.entry else "",
        "result": {
            key: result[key] for key in ("points", "applicable_max", "index", "fields", "leaves")
        },
        "history": history,
        "history_count": len(item.history),
        "missing": len(page.missing()),
    }


# ---------------------------------------------------------------- evidence


def _evidence_reply(
    request: HttpRequest, assessment: Assessment, codes: list[str], errors: list[str]
) -> HttpResponseBase:
    if not _wants_json(request):
        for text in errors:
            messages.error(request, text)
        return _back_to(assessment, codes[0] if codes else "")
    page = selectors.sheet_for(assessment)
    editable = can_edit_sheet(request.user, assessment.unit_id) and (
        workflow.self_assessment_closed(assessment, timezone.now()) is None
    )
    blocks = {
        code: render_to_string(
            "assessments/_evidence.html",
            {"item": page.leaves[code], "sheet": page, "editable": editable},
            request=request,
        )
        for code in codes
        if code in page.leaves
    }
    documents = [{"id": d.pk, "name": d.original_name} for d in page.documents]
    return JsonResponse(
        {
            "ok": not errors,
            "errors": errors,
            "html": blocks,
            "documents": documents,
            "missing": len(page.missing()),
        },
        status=200 if not errors else 400,
    )


@login_required
@require_POST
def evidence_upload(request: HttpRequest, sheet_id: int) -> HttpResponseBase:
    """Upload one or several files for a leaf (drag and drop or the file input)."""
    assessment = _visible_sheet(request, sheet_id)
    codes = [code for code in request.POST.getlist("code") if code]
    files = request.FILES.getlist("files")
    errors: list[str] = []
    if not files:
        errors.append(_("Choose at least one file."))
    for upload in files:
        try:
            services.evidence_upload(
                assessment=assessment, file=upload, codes=codes, by=_signed_in(request)
            )
        except NotAllowedError as error:
            raise PermissionDenied(str(error)) from None
        except AssessmentError as error:
            errors.extend(f"{upload.name}: {text}" for text in _texts(error))
    if not errors and not _wants_json(request):
        messages.success(request, _("The documents have been uploaded."))
    return _evidence_reply(request, assessment, codes, errors)


def _linked_evidence(request: HttpRequest, assessment: Assessment) -> tuple[Evidence, LinkForm]:
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise PermissionDenied
    evidence = get_object_or_404(
        Evidence.objects.filter(assessment=assessment), pk=form.cleaned_data["evidence"]
    )
    return evidence, form


@login_required
@require_POST
def evidence_link(request: HttpRequest, sheet_id: int) -> HttpResponseBase:
    """Let a document of the sheet back another leaf."""
    assessment = _visible_sheet(request, sheet_id)
    evidence, form = _linked_evidence(request, assessment)
    code = form.cleaned_data["code"]
    errors: list[str] = []
    try:
        services.evidence_link(evidence=evidence, codes=[code], by=_signed_in(request))
    except NotAllowedError as error:
        raise PermissionDenied(str(error)) from None
    except AssessmentError as error:
        errors = _texts(error)
    return _evidence_reply(request, assessment, [code], errors)


@login_required
@require_POST
def evidence_unlink(request: HttpRequest, sheet_id: int) -> HttpResponseBase:
    assessment = _visible_sheet(request, sheet_id)
    evidence, form = _linked_evidence(request, assessment)
    code = form.cleaned_data["code"]
    errors: list[str] = []
    try:
        services.evidence_unlink(
            evidence=evidence, code=code, by=_signed_in(request), reason=form.cleaned_data["reason"]
        )
    except NotAllowedError as error:
        raise PermissionDenied(str(error)) from None
    except AssessmentError as error:
        errors = _texts(error)
    return _evidence_reply(request, assessment, [code], errors)


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> FileResponse:
    """A document, to whoever may see its sheet; never shown inline, never sniffed."""
    evidence = get_object_or_404(
        Evidence.objects.filter(assessment__in=assessments_visible_to(request.user)),
        pk=evidence_id,
    )
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type=evidence.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------- submission


@login_required
@require_POST
def sheet_submit(request: HttpRequest, sheet_id: int) -> HttpResponse:
    assessment = _visible_sheet(request, sheet_id)
    try:
        services.assessment_submit(assessment=assessment, by=_signed_in(request))
    except NotAllowedError as error:
        raise PermissionDenied(str(error)) from None
    except SheetIncompleteError as error:
        messages.error(request, str(error))
    except AssessmentError as error:
        for text in _texts(error):
            messages.error(request, text)
    else:
        messages.success(request, _("The sheet has been submitted. Thank you."))
    return _back_to(assessment)
