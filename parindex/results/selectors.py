"""Reads of published results: what the public may see."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet

from parindex.assessments.models import Cycle
from parindex.results.models import Publication


def published_cycles() -> QuerySet[Cycle]:
    """Cycles with at least one publication: the only ones the public sees."""
    return (
        Cycle.objects.filter(publications__isnull=False)
        .select_related("authority", "unit_group")
        .distinct()
        .order_by("-year", "authority__name", "unit_group__name")
    )


def publication_latest(cycle: Cycle) -> Publication | None:
    return cycle.publications.order_by("-revision").first()


def snapshot_of(publication: Publication) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(publication.snapshot)
    return document
