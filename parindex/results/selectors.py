"""Reads of published results: what the public may see."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import QuerySet

from parindex.assessments.models import Cycle
from parindex.criteria.services import criteria_set_of
from parindex.results.analysis import Children
from parindex.results.models import Publication
from parindex.units.models import Unit


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


def published_history(cycle: Cycle) -> list[tuple[int, dict[str, Any]]]:
    """The results documents of the authority's published cycles of the cycle's unit group,
    up to its year, oldest first: one per year (the cycle's own for its year, else the latest
    published cycle's), each the latest revision's."""
    latest: dict[int, tuple[int, int, int]] = {}  # year → (own cycle first, cycle, revision)
    rows = Publication.objects.filter(
        cycle__authority_id=cycle.authority_id,
        cycle__unit_group_id=cycle.unit_group_id,
        cycle__year__lte=cycle.year,
    ).values_list("cycle__year", "cycle_id", "revision", "pk")
    chosen: dict[int, int] = {}
    for year, cycle_id, revision, pk in rows:
        key = (int(cycle_id == cycle.pk), cycle_id, revision)
        if year not in latest or key > latest[year]:
            latest[year], chosen[year] = key, pk
    snapshots = dict(
        Publication.objects.filter(pk__in=chosen.values()).values_list("pk", "snapshot")
    )
    return [(year, json.loads(snapshots[pk])["results"]) for year, pk in sorted(chosen.items())]


def published_children(cycle: Cycle) -> dict[str, Children]:
    """For each unit of the cycle's group with child units (*đơn vị trực thuộc*, e.g. the
    communes of a district) ranked in a published cycle of the same authority and year: its
    code → its children (their shared type, group, codes, and the results document and class
    order of that cycle's latest revision)."""
    children = (
        Unit.objects.filter(
            authority_id=cycle.authority_id,
            parent__group_id=cycle.unit_group_id,
            group__isnull=False,
        )
        .exclude(group_id=cycle.unit_group_id)
        .values_list("parent__code", "code", "type", "group_id", "group__name")
    )
    by_group: dict[int, dict[str, list[tuple[str, str, str]]]] = {}
    for parent, code, type_, group_id, group_name in children:
        by_group.setdefault(group_id, {}).setdefault(parent, []).append((code, type_, group_name))
    found: dict[str, Children] = {}
    for group_id, parents in by_group.items():
        publication = (
            Publication.objects.filter(
                cycle__authority_id=cycle.authority_id,
                cycle__unit_group_id=group_id,
                cycle__year=cycle.year,
            )
            .select_related("cycle__criteria_set")
            .order_by("-cycle_id", "-revision")
            .first()
        )
        if publication is None:
            continue
        document = snapshot_of(publication)["results"]
        classes = [rule.code for rule in criteria_set_of(publication.cycle.criteria_set).classes]
        for parent, rows in parents.items():
            types = {type_ for _code, type_, _group in rows}
            shared = types.pop() if len(types) == 1 else ""
            codes = [code for code, _t, _g in rows]
            found[parent] = Children(shared, rows[0][2], codes, document, classes)
    return found
