"""Pages of the appraisal (*thẩm định*), explanation (*giải trình*), second appraisal
(*phúc tra*), finalisation and publication. Each view reads the request, checks who asks, calls
one service or selector, and renders. Whatever the user may not see is a 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from parindex.accounts.models import User
from parindex.accounts.permissions import (
    assessments_visible_to,
    can_edit_sheet,
    is_council_chair,
    is_secretariat,
)
from parindex.accounts.requests import signed_in
from parindex.assessments import appraisal, appraisal_selectors, selectors, workflow
from parindex.assessments.errors import AssessmentError, ConflictError, refusal
from parindex.assessments.models import (
    Assessment,
    Cycle,
    Explanation,
    ExplanationDecision,
    LeafEntry,
    Phase,
)
from parindex.results.services import PublicationError, publication_publish


def _about(code: str, text: str) -> str:
    """`code: text`, without the code twice when the service's text already starts with it."""
    return text if text.startswith((f"{code}:", f"{code} ")) else f"{code}: {text}"


def _visible_cycle(request: HttpRequest, cycle_id: int) -> Cycle:
    return get_object_or_404(selectors.cycles_visible_to(request.user), pk=cycle_id)


def _visible_sheet(request: HttpRequest, sheet_id: int) -> Assessment:
    visible: QuerySet[Assessment] = assessments_visible_to(request.user)
    return get_object_or_404(
        visible.select_related("cycle__criteria_set", "cycle__authority", "unit"), pk=sheet_id
    )


def _may_close(user: User | object, cycle: Cycle) -> tuple[bool, bool]:
    """(may finalise, may publish) for the buttons."""
    chair = is_council_chair(user, cycle.authority_id)
    return (
        chair and cycle.phase == Phase.EXPLANATION,
        (chair or is_secretariat(user, cycle.authority_id))
        and cycle.phase in (Phase.FINALISATION, Phase.PUBLISHED),
    )


# ---------------------------------------------------------------- appraisal


@login_required
@require_GET
def worklist(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """An appraiser's leaves across every unit of the cycle, by unit or by leaf."""
    cycle = _visible_cycle(request, cycle_id)
    if not appraisal_selectors.appraiser_agencies_in(request.user, cycle):
        raise Http404
    by = "leaf" if request.GET.get("by") == "leaf" else "unit"
    groups = appraisal_selectors.worklist(cycle, request.user, by=by)
    context = {
        "cycle": cycle,
        "groups": groups,
        "by": by,
        "open": cycle.phase == Phase.APPRAISAL
        and not (cycle.appraisal_closes and timezone.now() > cycle.appraisal_closes),
        "total": sum(len(group.items) for group in groups),
        "done": sum(group.done for group in groups),
    }
    return render(request, "assessments/appraisal/worklist.html", context)


@login_required
@require_POST
def appraise(request: HttpRequest, sheet_id: int, code: str) -> HttpResponse:
    assessment = _visible_sheet(request, sheet_id)
    cycle = assessment.cycle
    if not appraisal_selectors.appraiser_agencies_in(request.user, cycle):
        raise Http404
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = -1
    try:
        appraisal.entry_appraise(
            assessment=assessment,
            code=code,
            value=request.POST.get("value", ""),
            reason=request.POST.get("reason", ""),
            expected_version=version,
            by=signed_in(request),
        )
    except ConflictError as error:
        messages.error(
            request,
            _("%(reason)s Value now: “%(value)s”.")
            % {"reason": str(error), "value": error.current.value},
        )
    except AssessmentError as error:
        for text in refusal(request, error):
            messages.error(request, f"{assessment.unit.name} · {_about(code, text)}")
    else:
        messages.success(
            request,
            _("%(unit)s · %(code)s appraised.") % {"unit": assessment.unit.name, "code": code},
        )
    by = request.POST.get("by", "unit")
    url = reverse("appraisal:worklist", args=[cycle.pk])
    anchor = f"w-{assessment.pk}-{code}"
    return HttpResponseRedirect(f"{url}?by={'leaf' if by == 'leaf' else 'unit'}#{anchor}")


@login_required
@require_POST
def confirm_remaining(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """Confirm every value of one unit that the appraiser's agencies have not appraised yet."""
    assessment = _visible_sheet(request, sheet_id)
    cycle = assessment.cycle
    if not appraisal_selectors.appraiser_agencies_in(request.user, cycle):
        raise Http404
    try:
        confirmed = appraisal.appraisals_confirm_remaining(
            assessment=assessment, by=signed_in(request)
        )
    except AssessmentError as error:
        for text in refusal(request, error):
            messages.error(request, f"{assessment.unit.name} · {text}")
    else:
        messages.success(
            request,
            _("%(unit)s: %(count)s values confirmed as the unit gave them.")
            % {"unit": assessment.unit.name, "count": len(confirmed)},
        )
    url = reverse("appraisal:worklist", args=[cycle.pk])
    return HttpResponseRedirect(f"{url}?by=unit#unit-{assessment.unit.code}")


# ---------------------------------------------------------------- the unit's view


@login_required
@require_GET
def sheet_changes(request: HttpRequest, sheet_id: int) -> HttpResponse:
    """Every change the appraisal made to a sheet, with the explanation form when open."""
    assessment = _visible_sheet(request, sheet_id)
    rows = appraisal_selectors.sheet_changes(assessment)
    closed = workflow.explanation_closed(assessment, timezone.now())
    context = {
        "assessment": assessment,
        "cycle": assessment.cycle,
        "rows": rows,
        "corrected": sum(1 for row in rows if row.corrected),
        "can_explain": closed is None and can_edit_sheet(request.user, assessment.unit_id),
        "closed": closed,
    }
    return render(request, "assessments/appraisal/changes.html", context)


@login_required
@require_POST
def explain(request: HttpRequest, sheet_id: int, code: str) -> HttpResponse:
    assessment = _visible_sheet(request, sheet_id)
    entry = get_object_or_404(LeafEntry.objects.filter(assessment=assessment), code=code)
    user = signed_in(request)
    from parindex.assessments.services import evidence_upload

    try:
        # one step for the unit: a refused document must not leave the explanation sent
        with transaction.atomic():
            appraisal.explanation_submit(
                entry=entry,
                argument=request.POST.get("argument", ""),
                proposed_value=request.POST.get("proposed_value", ""),
                by=user,
            )
            for upload in request.FILES.getlist("files"):
                evidence_upload(assessment=assessment, file=upload, codes=[code], by=user)
    except AssessmentError as error:
        for text in refusal(request, error):
            messages.error(request, _about(code, text))
    else:
        messages.success(request, _("Your explanation of %(code)s was sent.") % {"code": code})
    url = reverse("appraisal:sheet_changes", args=[assessment.pk])
    return HttpResponseRedirect(f"{url}#c-{code}")


# ---------------------------------------------------------------- second appraisal


@login_required
@require_GET
def explanations(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The cycle's explanations the user may decide, pending first; finalise and publish."""
    cycle = _visible_cycle(request, cycle_id)
    user = request.user
    chair = is_council_chair(user, cycle.authority_id)
    secretariat = is_secretariat(user, cycle.authority_id)
    agencies = appraisal_selectors.appraiser_agencies_in(user, cycle)
    if not (chair or secretariat or agencies):
        raise Http404
    found = list(appraisal_selectors.explanations_for(cycle, user)) if chair or agencies else []
    may_finalise, may_publish = _may_close(user, cycle)
    context = {
        "cycle": cycle,
        "pending": [e for e in found if e.decision == ExplanationDecision.PENDING],
        "decided": [e for e in found if e.decision != ExplanationDecision.PENDING],
        "may_decide": cycle.phase == Phase.EXPLANATION and (chair or bool(agencies)),
        "pending_total": appraisal_selectors.pending_count(cycle),
        "may_finalise": may_finalise,
        "notices": workflow.finalisation_notices(cycle) if may_finalise else [],
        "may_publish": may_publish,
        "publications": cycle.publications.order_by("-revision"),
    }
    return render(request, "assessments/appraisal/explanations.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, explanation_id: int) -> HttpResponse:
    explanation = get_object_or_404(
        Explanation.objects.filter(
            entry__assessment__in=assessments_visible_to(request.user)
        ).select_related("entry__assessment__cycle", "entry__assessment__unit"),
        pk=explanation_id,
    )
    cycle = explanation.entry.assessment.cycle
    if not appraisal.may_decide(request.user, explanation):
        raise Http404
    accept = request.POST.get("decision") == "accept"
    try:
        appraisal.explanation_decide(
            explanation=explanation,
            accept=accept,
            reason=request.POST.get("reason", ""),
            by=signed_in(request),
        )
    except AssessmentError as error:
        for text in refusal(request, error):
            messages.error(request, text)
    else:
        messages.success(
            request,
            _("Explanation accepted.") if accept else _("Explanation rejected."),
        )
    return redirect("appraisal:explanations", cycle_id=cycle.pk)


# ---------------------------------------------------------------- finalise and publish


@login_required
@require_POST
def finalise(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _visible_cycle(request, cycle_id)
    if not is_council_chair(request.user, cycle.authority_id):
        raise Http404
    try:
        appraisal.cycle_finalise(
            cycle=cycle, by=signed_in(request), reason=request.POST.get("reason", "")
        )
    except AssessmentError as error:
        for text in refusal(request, error):
            messages.error(request, text)
    else:
        messages.success(request, _("The cycle is finalised and its results computed."))
    return redirect("appraisal:explanations", cycle_id=cycle.pk)


@login_required
@require_POST
def publish(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = _visible_cycle(request, cycle_id)
    if not (
        is_council_chair(request.user, cycle.authority_id)
        or is_secretariat(request.user, cycle.authority_id)
    ):
        raise Http404
    try:
        publication = publication_publish(
            cycle=cycle, by=signed_in(request), reason=request.POST.get("reason", "")
        )
    except PublicationError as error:
        messages.error(request, str(error))
        return redirect("appraisal:explanations", cycle_id=cycle.pk)
    messages.success(
        request, _("Published as revision %(revision)s.") % {"revision": publication.revision}
    )
    return redirect("results:ranking", cycle_id=cycle.pk)
