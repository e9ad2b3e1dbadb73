"""Public results (no login): published cycles, the ranking of the latest revision, snapshots."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from parindex.assessments.selectors import cycles_visible_to
from parindex.core.language import message_lang
from parindex.criteria.services import criteria_set_of
from parindex.formats.results_docx import DOCX_CONTENT_TYPE, results_docx
from parindex.formats.results_pdf import VIETNAM, Document, Heading, results_pdf
from parindex.indices.selectors import indices_beside
from parindex.results import selectors
from parindex.results.analysis import analyse, field_profile, trend
from parindex.results.charts import profile_chart, trend_chart
from parindex.results.dashboard import dashboard_authorities, dashboard_for
from parindex.results.models import Publication
from parindex.results.planner import may_plan, plan_for, points_gained
from parindex.results.services import publication_verify
from parindex.scoring.model import CriteriaSet
from parindex.units.models import Unit


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "results/home.html", {"cycles": selectors.published_cycles()})


@require_GET
def public_ranking(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(selectors.published_cycles(), pk=cycle_id)
    publication = selectors.publication_latest(cycle)
    if publication is None:  # pragma: no cover - published_cycles() rules it out
        raise Http404
    snapshot = selectors.snapshot_of(publication)
    context = {
        "cycle": cycle,
        "publication": publication,
        "verified": publication_verify(publication),
        "results": snapshot["results"],
        "revisions": cycle.publications.order_by("-revision"),
        "may_see_dashboard": dashboard_authorities(request.user)
        .filter(pk=cycle.authority_id)
        .exists(),
    }
    return render(request, "results/ranking.html", context)


@require_GET
def public_analysis(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The latest published revision read as a report reads it: statistics, fields, sentences."""
    cycle = get_object_or_404(
        selectors.published_cycles().select_related("criteria_set"), pk=cycle_id
    )
    publication = selectors.publication_latest(cycle)
    if publication is None:  # pragma: no cover - published_cycles() rules it out
        raise Http404
    criteria = criteria_set_of(cycle.criteria_set)
    lang = message_lang()
    document = selectors.snapshot_of(publication)["results"]
    analysis = analyse(document, criteria, lang, selectors.published_children(cycle))
    profile = field_profile(analysis, request.GET.get("unit"))
    history = None
    if profile is not None:
        history = trend(selectors.published_history(cycle), profile.line.code, criteria.decimals)
    context = {
        "cycle": cycle,
        "publication": publication,
        "analysis": analysis,
        "decimals": criteria.decimals,
        "profile": profile,
        "profile_chart": profile_chart(profile, lang) if profile else None,
        "trend": history,
        "trend_chart": trend_chart(history, profile.line.name, criteria.decimals, lang)
        if profile and history
        else None,
    }
    return render(request, "results/analysis.html", context)


@login_required
@require_GET
def planner(request: HttpRequest, cycle_id: int, unit_code: str) -> HttpResponse:
    """What a unit needs to reach a rank, and what-if: its values changed on a copy, not saved."""
    cycle = get_object_or_404(cycles_visible_to(request.user), pk=cycle_id)
    unit = get_object_or_404(Unit.objects.filter(authority_id=cycle.authority_id), code=unit_code)
    if not may_plan(request.user, cycle, unit):
        raise Http404
    try:
        target = int(request.GET.get("target", "") or 0) or None
    except ValueError:
        target = None
    tried = {key[2:]: request.GET.get(key, "") for key in request.GET if key.startswith("v_")}
    lang = message_lang()
    try:
        plan = plan_for(cycle, unit.code, target if target and target > 0 else None, tried, lang)
    except LookupError:  # the unit has no sheet in this cycle
        raise Http404 from None
    context = {
        "cycle": cycle,
        "unit": unit,
        "plan": plan,
        "target": target or "",
        "tried": tried,
        "decimals": plan.criteria.decimals,
        "class_of": {rule.code: rule.label for rule in plan.criteria.classes},
        "gained": points_gained(plan),
    }
    return render(request, "results/planner.html", context)


Report = Callable[[Document, CriteriaSet, str, Heading], bytes]


def _report(
    cycle_id: int, revision: int, write: Report, content_type: str, extension: str
) -> HttpResponse:
    """A published revision as a report file in the Decree 30 layout, in the page's language."""
    publication = get_object_or_404(
        Publication.objects.filter(cycle__in=selectors.published_cycles()).select_related(
            "cycle__authority", "cycle__criteria_set"
        ),
        cycle_id=cycle_id,
        revision=revision,
    )
    cycle = publication.cycle
    heading = Heading(
        issuer=cycle.authority.name.upper(),
        date=timezone.localtime(publication.published_at, VIETNAM).date(),
    )
    content = write(
        selectors.snapshot_of(publication)["results"],
        criteria_set_of(cycle.criteria_set),
        message_lang(),
        heading,
    )
    response = HttpResponse(content, content_type=content_type)
    name = f"parindex-{cycle_id}-r{revision}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def snapshot_pdf(request: HttpRequest, cycle_id: int, revision: int) -> HttpResponse:
    """A published revision as the PDF report."""
    return _report(cycle_id, revision, results_pdf, "application/pdf", "pdf")


@require_GET
def snapshot_download(request: HttpRequest, cycle_id: int, revision: int) -> HttpResponse:
    publication = get_object_or_404(
        Publication.objects.filter(cycle__in=selectors.published_cycles()),
        cycle_id=cycle_id,
        revision=revision,
    )
    response = HttpResponse(publication.snapshot, content_type="application/json; charset=utf-8")
    name = f"parindex-{cycle_id}-r{revision}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-SHA256"] = publication.sha256
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
def snapshot_docx(request: HttpRequest, cycle_id: int, revision: int) -> HttpResponse:
    """A published revision as the Word report: the PDF's content for those who edit the
    report before it is signed."""
    return _report(cycle_id, revision, results_docx, DOCX_CONTENT_TYPE, "docx")


@login_required
@require_GET
def dashboard(request: HttpRequest, authority_code: str) -> HttpResponse:
    """The leaders' dashboard of an authority (read-only): the authority-wide roles only,
    everyone else gets 404."""
    authority = get_object_or_404(dashboard_authorities(request.user), code=authority_code)
    board = dashboard_for(
        authority=authority,
        user=request.user,
        now=timezone.now(),
        lang=message_lang(),
    )
    latest = max((g.cycle.year for g in board.groups), default=timezone.localdate().year)
    indices = indices_beside(authority, range(latest - 2, latest + 1))
    return render(request, "results/dashboard.html", {"board": board, "indices": indices})
