"""Reading authorities, groups and units, each through the permission module's scopes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from parindex.accounts import permissions
from parindex.accounts.models import User
from parindex.units.models import Authority, Unit, UnitGroup

# Lineage deeper than this is cut off: no real chain of mergers and renames comes near it, and
# a loop stored by hand (the import refuses them) must not hang a page.
MAX_LINEAGE_DEPTH = 20

PredecessorPairs = dict[int, list[int]]


@dataclass(frozen=True, slots=True)
class LineageStep:
    """A predecessor of a unit, `depth` steps back (1: a direct predecessor), and through whom."""

    unit: Unit
    depth: int
    successor_id: int


def units_visible_to(user: User | object) -> QuerySet[Unit]:
    """The units the user may see (SPEC §4): the authority's for authority-wide roles and
    appraisers, only their own for unit roles, none of another authority."""
    return (
        Unit.objects.filter(permissions.unit_scope(user))
        .select_related("authority", "group", "parent")
        .order_by("authority__code", "code")
    )


def authorities_visible_to(user: User | object) -> QuerySet[Authority]:
    """The authorities whose whole unit list the user may read."""
    return permissions.authorities_seen_whole_by(user)


def authorities_administered_by(user: User | object) -> QuerySet[Authority]:
    """The authorities whose units and accounts the user manages (secretariat, system admin)."""
    return permissions.authorities_administered_by(user)


def units_of_authority(authority: Authority) -> QuerySet[Unit]:
    """The authority's units by group (units of no group last), then code."""
    return (
        Unit.objects.filter(authority=authority)
        .select_related("group", "parent")
        .order_by(F("group__code").asc(nulls_last=True), "code")
    )


def unit_lineage(unit: Unit, *, max_depth: int = MAX_LINEAGE_DEPTH) -> list[LineageStep]:
    """The unit's predecessors, recursively, nearest first; each unit once.

    One query per generation, at most `max_depth` generations.
    """
    through = Unit.predecessors.through
    steps: list[LineageStep] = []
    seen = {unit.pk}
    frontier = [unit.pk]
    depth = 0
    while frontier and depth < max_depth:
        depth += 1
        pairs = (
            through.objects.filter(from_unit_id__in=frontier)
            .select_related("to_unit")
            .order_by("to_unit__code")
        )
        frontier = []
        for pair in pairs:
            predecessor = pair.to_unit
            if predecessor.pk in seen:
                continue
            seen.add(predecessor.pk)
            frontier.append(predecessor.pk)
            steps.append(LineageStep(predecessor, depth, pair.from_unit_id))
    return steps


def lineages_of_authority(
    authority: Authority, *, max_depth: int = MAX_LINEAGE_DEPTH
) -> dict[int, list[LineageStep]]:
    """`unit_lineage` of every unit of the authority, in two queries (for the unit list)."""
    through = Unit.predecessors.through
    pairs: PredecessorPairs = {}
    for from_id, to_id in (
        through.objects.filter(from_unit__authority=authority)
        .order_by("to_unit__code")
        .values_list("from_unit_id", "to_unit_id")
    ):
        pairs.setdefault(from_id, []).append(to_id)
    if not pairs:
        return {}
    needed = {to_id for ids in pairs.values() for to_id in ids}
    units = {unit.pk: unit for unit in Unit.objects.filter(pk__in=needed)}
    return {unit_id: _walk(unit_id, pairs, units, max_depth) for unit_id in pairs}


def _walk(
    start: int, pairs: PredecessorPairs, units: dict[int, Unit], max_depth: int
) -> list[LineageStep]:
    steps: list[LineageStep] = []
    seen = {start}
    frontier: Iterable[int] = [start]
    for depth in range(1, max_depth + 1):
        found: dict[int, int] = {}  # predecessor → the successor it was first reached from
        for successor_id in frontier:
            for predecessor_id in pairs.get(successor_id, ()):
                if predecessor_id not in seen:
                    found.setdefault(predecessor_id, successor_id)
        if not found:
            break
        generation = sorted(found, key=lambda pk: units[pk].code)
        seen.update(generation)
        steps.extend(LineageStep(units[pk], depth, found[pk]) for pk in generation)
        frontier = generation
    return steps


def units_current_in_groups(groups: Iterable[UnitGroup], *, on: dt.date) -> QuerySet[Unit]:
    """The units of the groups that exist on a day (no validity date excludes it)."""
    return (
        Unit.objects.filter(group__in=list(groups))
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("code")
    )
