"""The consequences of a published cycle: a page and its XLSX export (SPEC §8)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from parindex.assessments.models import Cycle
from parindex.consequences import selectors
from parindex.consequences.export import consequences_xlsx, history_text, reason_text
from parindex.consequences.selectors import Report, Scope
from parindex.core.language import message_lang


def _report(request: HttpRequest, cycle_id: int) -> tuple[Report, Scope]:
    cycle = get_object_or_404(Cycle.objects.select_related("authority", "unit_group"), pk=cycle_id)
    scope = selectors.scope_for(request.user, cycle)
    if scope is None:
        raise Http404
    return selectors.consequences_for(cycle, scope), scope


@login_required
@require_GET
def page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    report, scope = _report(request, cycle_id)
    lang = message_lang()
    scale = report.rules.scale

    def rows(lines: list[selectors.Line]) -> list[dict[str, object]]:
        return [
            {
                "verdict": line.verdict,
                "highest": scale.label(line.verdict.highest, lang),
                "capped": line.verdict.highest != scale.top,
                "reasons": [
                    {
                        "rule": reason.rule,
                        "text": reason.text.render(lang),
                        "facts": reason.facts.render(lang),
                        "rating": scale.label(reason.max_rating, lang) if reason.max_rating else "",
                        "flag": reason.flag or "",
                        "binding": reason.max_rating == line.verdict.highest,
                        "full": reason_text(reason, lang),
                    }
                    for reason in line.verdict.reasons
                ],
                "notes": [note.render(lang) for note in line.verdict.notes],
                "history": history_text(line, lang),
            }
            for line in lines
        ]

    context = {
        "cycle": report.cycle,
        "report": report,
        "whole": scope.units is None,
        "units": rows(report.units),
        "heads": rows(report.heads),
        "officials": rows(report.officials),
        "flagged": rows(report.flagged),
        "rules": [
            {
                "code": rule.code,
                "subjects": ", ".join(rule.subjects),
                "text": rule.reason.render(lang),
            }
            for rule in report.rules.rules
        ],
    }
    return render(request, "consequences/page.html", context)


@login_required
@require_GET
def export_xlsx(request: HttpRequest, cycle_id: int) -> HttpResponse:
    report, _scope = _report(request, cycle_id)  # not published yet: the headers only
    response = HttpResponse(
        consequences_xlsx(report, message_lang()),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"parindex-{cycle_id}-consequences.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
