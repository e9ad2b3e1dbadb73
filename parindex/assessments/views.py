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
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parindex.accounts.models import Role
from parindex.accounts.permissions import (
    assessments_visible_to,
    authority_ids,
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
    refusal,
)
from parindex.assessments.forms import CycleForm, EntryForm, LinkForm
from parindex.assessments.models import (
    Assessment,
    AssessmentStatus,
    Change,
    Evidence,
    LeafEntry,
    Phase,
)
from parindex.core.downloads import stored_file_response
from parindex.core.language import message_lang
from parindex.formats.results import unit_document
from parindex.formats.score_sheet import LeafInput, score_sheet_xlsx
from parindex.results.services import metric_notes_for
from parindex.site.jinja import texts

ADMINISTERING = (Role.SECRETARIAT, Role.SYSTEM_ADMIN)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _visible_sheet(request: HttpRequest, sheet_id: int) -> Assessment:
    visible: QuerySet[Assessment] = assessments_visible_to(request.user)
    return get_object_or_404(
        visible.select_related(
            "cycle__criteria_set", "cycle__authority", "unit__group", "unit__parent"
        ),
        pk=sheet_id,
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
                cycle = services.cycle_create(**form.cleaned_data, by=signed_in(request))
            except AssessmentError as error:
                for text in refusal(request, error):
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
            by=signed_in(request),
            reason=request.POST.get("reason", ""),
        )
    except AssessmentError as error:
        for text in refusal(request, error):
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
    body = {
        "sheet": page,
        "editable": editable,
        "decimals": criteria.decimals,
        "metric_notes": metric_notes_for(assessment.cycle, assessment.unit.code),
    }
    context = {
        "sheet": page,
        "sheet_html": _sheet_part(request, "assessments/sheet_body.html", body),
        "assessment": assessment,
        "cycle": assessment.cycle,
        "decimals": criteria.decimals,
        "max_points": criteria.max_points,
        "editable": editable,
        "closed": closed,
        "can_submit": closed is None and can_submit_sheet(request.user, assessment.unit_id),
        "missing": page.missing(),
        "documents": _document_choices(page.documents),
        "js_texts": _js_texts(),
    }
    return render(request, "assessments/sheet.html", context)


def _sheet_part(request: HttpRequest, template: str, context: dict[str, Any]) -> str:
    """A part of the sheet rendered by Jinja2, with the sheet's URLs (docs/decisions/0006)."""
    sheet_id = context["sheet"].assessment.pk
    urls = {
        # reversed once per page: a leaf's or document's own part replaces the placeholder
        "entry": reverse("assessments:entry_save", args=[sheet_id, "__code__"]),
        "history": reverse("assessments:entry_history", args=[sheet_id, "__code__"]),
        "download": reverse("assessments:evidence_download", args=[0]).replace("/0/", "/__id__/"),
        "upload": reverse("assessments:evidence_upload", args=[sheet_id]),
        "link": reverse("assessments:evidence_link", args=[sheet_id]),
        "unlink": reverse("assessments:evidence_unlink", args=[sheet_id]),
    }
    # one masked token for the page's hundreds of forms (each use of the lazy one masks anew)
    extra = {
        "urls": urls,
        "lang": get_language() or "vi",
        "csrf_field": csrf_input(request),
        "t": texts(),
    }
    html = render_to_string(template, {**context, **extra}, request=request, using="jinja2")
    return mark_safe(html)  # rendered by Jinja2, which escapes every value


def _document_choices(documents: list[Evidence]) -> list[dict[str, Any]]:
    return [{"id": document.pk, "name": document.original_name} for document in documents]


def _js_texts() -> dict[str, str]:
    return {
        "saving": _("Saving…"),
        "saved": _("Saved"),
        "failed": _("Not saved"),
        "offline": _("Not saved: the connection was lost. Your entry is kept on this page."),
        "retrying": _("Not saved yet: the server cannot be reached; trying again…"),
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


def _json_error(texts: list[str], status: int, **extra: Any) -> JsonResponse:
    return JsonResponse({"ok": False, "errors": texts, **extra}, status=status)


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
            by=signed_in(request),
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
            return _json_error([str(m) for m in error.messages], 409, conflict=conflict)
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
            return _json_error(refusal(request, error), 403)
        raise PermissionDenied(str(error)) from None
    except AssessmentError as error:
        if _wants_json(request):
            return _json_error(refusal(request, error), 400)
        for text in refusal(request, error):
            messages.error(request, f"{code}: {text}")
        return _back_to(assessment, code)
    if not _wants_json(request):
        messages.success(request, _("Criterion %(code)s saved.") % {"code": code})
        return _back_to(assessment, code)
    return JsonResponse(_saved(assessment, entry))


def _saved(assessment: Assessment, entry: LeafEntry) -> dict[str, Any]:
    """What autosave shows after a save: the stored entry, the engine's points, what is still
    missing and how many changes the leaf has (its history is fetched when opened)."""
    criteria = selectors.criteria_for(assessment.cycle.criteria_set)
    points, missing = selectors.sheet_live(assessment)
    result = unit_document(points, criteria, criteria.decimals, get_language() or "vi")
    return {
        "ok": True,
        "code": entry.code,
        "version": entry.version,
        "value": entry.value,
        "note": entry.note,
        "result": {
            key: result[key] for key in ("points", "applicable_max", "index", "fields", "leaves")
        },
        "history_count": Change.objects.filter(assessment=assessment, code=entry.code).count(),
        "missing": len(missing),
    }


@login_required
@require_GET
def entry_history(request: HttpRequest, sheet_id: int, code: str) -> HttpResponse:
    """A leaf's changes: the list alone for the sheet's script, a page without it."""
    assessment = _visible_sheet(request, sheet_id)
    criteria = selectors.criteria_for(assessment.cycle.criteria_set)
    if code not in {leaf.code for leaf in criteria.leaves()}:
        raise Http404
    history = selectors.leaf_history(assessment, code)
    html = render_to_string(
        "assessments/leaf_history.html",
        {"history": history, "t": texts()},
        request=request,
        using="jinja2",
    )
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(html)
    safe = mark_safe(html)  # rendered by Jinja2, which escapes every value
    context = {"assessment": assessment, "code": code, "history_html": safe}
    return render(request, "assessments/leaf_history_page.html", context)


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
        code: _sheet_part(
            request,
            "assessments/evidence_block.html",
            {"item": page.leaves[code], "sheet": page, "editable": editable},
        )
        for code in codes
        if code in page.leaves
    }
    documents = _document_choices(page.documents)
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
                assessment=assessment, file=upload, codes=codes, by=signed_in(request)
            )
        except NotAllowedError as error:
            raise PermissionDenied(str(error)) from None
        except AssessmentError as error:
            errors.extend(f"{upload.name}: {text}" for text in refusal(request, error))
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
        services.evidence_link(evidence=evidence, codes=[code], by=signed_in(request))
    except NotAllowedError as error:
        raise PermissionDenied(str(error)) from None
    except AssessmentError as error:
        errors = refusal(request, error)
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
            evidence=evidence, code=code, by=signed_in(request), reason=form.cleaned_data["reason"]
        )
    except NotAllowedError as error:
        raise PermissionDenied(str(error)) from None
    except AssessmentError as error:
        errors = refusal(request, error)
    return _evidence_reply(request, assessment, [code], errors)


@login_required
@require_GET
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    """A document, to whoever may see its sheet; never shown inline, never sniffed."""
    evidence = get_object_or_404(selectors.evidence_visible_to(request.user), pk=evidence_id)
    return stored_file_response(
        evidence.file, name=evidence.original_name, content_type=evidence.content_type
    )


# ---------------------------------------------------------------- export


@login_required
@require_GET
def sheet_export(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """The sheet as the score sheet provinces print: STT, content, max, self, appraised, final."""
    assessment = _visible_sheet(request, sheet_id)
    criteria = selectors.criteria_for(assessment.cycle.criteria_set)
    inputs = {
        entry.code: LeafInput(
            entry.value, entry.appraised_value, entry.note, entry.appraisal_reason
        )
        for entry in LeafEntry.objects.filter(assessment=assessment)
    }
    content = score_sheet_xlsx(
        criteria,
        f"{assessment.unit.name} — {assessment.cycle.title}",
        selectors.unit_points(assessment, stage="self"),
        selectors.unit_points(assessment, stage="final"),
        inputs,
        message_lang(),
    )
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    name = f"bang-diem-{assessment.unit.code}-{assessment.cycle.year}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# ---------------------------------------------------------------- submission


@login_required
@require_POST
def sheet_submit(request: HttpRequest, sheet_id: int) -> HttpResponse:
    assessment = _visible_sheet(request, sheet_id)
    try:
        services.assessment_submit(assessment=assessment, by=signed_in(request))
    except NotAllowedError as error:
        raise PermissionDenied(str(error)) from None
    except SheetIncompleteError as error:
        messages.error(request, str(error))
    except AssessmentError as error:
        for text in refusal(request, error):
            messages.error(request, text)
    else:
        messages.success(request, _("The sheet has been submitted. Thank you."))
    return _back_to(assessment)
