"""API: published results, open to everyone (no authentication)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from parindex.assessments.api import ProblemOut
from parindex.results import selectors

router = Router(auth=None)


class PublishedCycleOut(Schema):
    id: int
    title: str
    year: int
    authority: str
    unit_group: str
    revision: int
    sha256: str


class SnapshotOut(Schema):
    revision: int
    sha256: str
    snapshot: dict[str, Any]


@router.get(
    "/cycles", response=list[PublishedCycleOut], operation_id="published_cycles",
    summary="Cycles whose results are published",
)  # fmt: skip
def published_cycles(request: HttpRequest) -> list[PublishedCycleOut]:
    found = []
    for cycle in selectors.published_cycles():
        latest = selectors.publication_latest(cycle)
        assert latest is not None
        found.append(
            PublishedCycleOut(
                id=cycle.pk,
                title=cycle.title,
                year=cycle.year,
                authority=cycle.authority.code,
                unit_group=cycle.unit_group.code,
                revision=latest.revision,
                sha256=latest.sha256,
            )
        )
    return found


@router.get(
    "/cycles/{cycle_id}/results", response={200: SnapshotOut, 404: ProblemOut},
    operation_id="published_results",
    summary="The latest published snapshot of a cycle (404 when unpublished)",
)  # fmt: skip
def published_results(request: HttpRequest, cycle_id: int) -> SnapshotOut:
    cycle = get_object_or_404(selectors.published_cycles(), pk=cycle_id)
    latest = selectors.publication_latest(cycle)
    assert latest is not None
    return SnapshotOut(
        revision=latest.revision, sha256=latest.sha256, snapshot=selectors.snapshot_of(latest)
    )
