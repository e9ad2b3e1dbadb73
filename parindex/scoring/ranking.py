"""Classes (*xếp loại*), caps, ranks (*xếp hạng*), year-over-year deltas and the summary."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from decimal import Decimal

from parindex.scoring.model import Cap, CriteriaSet, PreviousResult, Unit
from parindex.scoring.numbers import quantize
from parindex.scoring.results import Summary, UnitResult, WeakField

HUNDRED = Decimal(100)


def class_of(criteria: CriteriaSet, index: Decimal) -> str | None:
    """The first class (highest first) whose `min` ≤ index; None below all of them."""
    for band in criteria.classes:
        if index >= band.min:
            return band.code
    return None


def cap_holds(cap: Cap, metric: Decimal) -> bool:
    if cap.op == ">=":
        return metric >= cap.value
    if cap.op == ">":
        return metric > cap.value
    if cap.op == "<=":
        return metric <= cap.value
    if cap.op == "<":
        return metric < cap.value
    return metric == cap.value


def apply_caps(
    criteria: CriteriaSet, class_code: str | None, metrics: Mapping[str, Decimal]
) -> tuple[str | None, tuple[Cap, ...]]:
    """The class after the caps, and the caps that lowered it.

    A cap binds when its metric is known for the unit, its condition holds, and its
    `max_class` is lower than the class the index gives; the lowest binding class wins.
    """
    order = {band.code: position for position, band in enumerate(criteria.classes)}
    if class_code is None:
        return None, ()
    binding: list[Cap] = []
    final = class_code
    for cap in criteria.caps:
        metric = metrics.get(cap.metric)
        if metric is None or not cap_holds(cap, metric):
            continue
        if order.get(cap.max_class, -1) > order[class_code]:
            binding.append(cap)
            if order[cap.max_class] > order[final]:
                final = cap.max_class
    return final, tuple(binding)


def competition_ranks(indices: Sequence[Decimal]) -> list[int]:
    """Ranks by index, descending; equal indices share a rank and the next one skips."""
    ordered = sorted(indices, reverse=True)
    first_position: dict[Decimal, int] = {}
    for position, index in enumerate(ordered, start=1):
        first_position.setdefault(index, position)
    return [first_position[index] for index in indices]


def previous_of(
    unit: Unit, previous: Mapping[str, PreviousResult] | None, decimals: int
) -> tuple[PreviousResult | None, tuple[str, ...]]:
    """Last year's result of the unit, following its lineage (*sáp nhập*, *đổi tên*).

    - its own result, when it has one and none of its predecessors had one;
    - a rename (no own result, exactly one predecessor listed and found): its index and rank;
    - a merger (several results found, its own included when it absorbed others): the mean
      of their indices, rounded half-up, with no previous rank (ranks of different units
      cannot be averaged).
    The second value lists the units whose results stand in for last year's, when not its own.
    """
    if not previous:
        return None, ()
    found = [code for code in unit.predecessors if code in previous and code != unit.code]
    if unit.code in previous:
        if not found:
            return previous[unit.code], ()
        found.insert(0, unit.code)
    if not found:
        return None, ()
    if len(found) == 1 and len(unit.predecessors) == 1 and unit.code not in previous:
        return previous[found[0]], tuple(found)
    mean = sum((previous[code].index for code in found), Decimal(0)) / len(found)
    return PreviousResult(quantize(mean, decimals), None), tuple(found)


def summarise(criteria: CriteriaSet, units: Sequence[UnitResult]) -> Summary:
    indices = [u.index for u in units]
    classes = {band.code: 0 for band in criteria.classes}
    for unit in units:
        if unit.class_code is not None:
            classes[unit.class_code] += 1
    if not indices:
        return Summary(0, None, None, None, None, classes, ())
    mean = sum(indices, Decimal(0)) / len(indices)
    return Summary(
        units=len(indices),
        mean=quantize(mean, criteria.decimals),
        median=quantize(statistics.median(indices), criteria.decimals),
        min=min(indices),
        max=max(indices),
        classes=classes,
        weak_fields=weak_fields(units),
    )


def weak_fields(units: Sequence[UnitResult], count: int = 3) -> tuple[WeakField, ...]:
    """The fields with the lowest group percent (Σ points / Σ applicable max), ascending."""
    points: dict[str, Decimal] = {}
    maxima: dict[str, Decimal] = {}
    titles: dict[str, str] = {}
    for unit in units:
        for field in unit.fields:
            points[field.code] = points.get(field.code, Decimal(0)) + field.points
            maxima[field.code] = maxima.get(field.code, Decimal(0)) + field.max
            titles[field.code] = field.title
    percents = [
        WeakField(code, titles[code], points[code] / maxima[code] * HUNDRED)
        for code in points
        if maxima[code] > 0
    ]
    percents.sort(key=lambda w: (w.percent, code_key(w.code)))
    return tuple(percents[:count])


def code_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of node codes: 1.2 before 1.10; numbers before letters."""
    parts: list[tuple[int, int | str]] = []
    for part in code.split("."):
        parts.append((0, int(part)) if part.isdecimal() else (1, part))
    return tuple(parts)
