"""Public results (no login): published cycles, the ranking of the latest revision, snapshots."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from parindex.results import selectors
from parindex.results.models import Publication
from parindex.results.services import publication_verify


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
    }
    return render(request, "results/ranking.html", context)


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
