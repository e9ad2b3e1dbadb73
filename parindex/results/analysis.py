"""What a published ranking says, read from its results document (FORMATS JSON): the group's
statistics, a heat table of fields, weak fields, points lost per criterion, and for each unit
the sentence a report writes (seed 003): "73,79 điểm, xếp thứ 9/10, giảm 7,21 điểm và 2 bậc so
với năm trước; các xã: 1 Tốt, 9 Khá, 3 Trung bình; các lĩnh vực điểm thấp nhất: ..."; a unit's
field profile beside the group's, and its trend over the years following its lineage.

Pure functions over the document: the numbers are the published ones, nothing is recomputed.
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parindex.formats.results_pdf import grouped
from parindex.scoring.model import CriteriaSet
from parindex.scoring.numbers import quantize

Document = Mapping[str, Any]


@dataclass(frozen=True)
class Children:
    """A unit's child units ranked in another group (the communes of a district)."""

    type: str  # their shared type ("xã"), or ""
    group_name: str
    codes: Sequence[str]
    document: Document  # the results document that ranks them
    classes: Sequence[str]  # the class codes of its criteria set, best first


@dataclass(frozen=True)
class FieldColumn:
    code: str
    title: str
    percent: Decimal | None  # the group's: its points over its max, all units together


@dataclass(frozen=True)
class Cell:
    percent: Decimal | None
    band: str  # "high" ≥ 80%, "mid" ≥ 50%, "low" below, "none"


@dataclass
class UnitLine:
    code: str
    name: str
    rank: int
    index: Decimal
    points: Decimal
    class_label: str
    delta_index: Decimal | None
    delta_rank: int | None
    merged: bool
    cells: list[Cell] = field(default_factory=list)
    weakest: list[str] = field(default_factory=list)  # its fields with the lowest percent
    children: str = ""  # what its children are called: "các xã"
    child_classes: list[tuple[str, int]] = field(default_factory=list)  # (class label, count)
    sentence: str = ""


@dataclass(frozen=True)
class LostLeaf:
    code: str
    title: str
    lost: Decimal  # over every unit
    units: int  # units that lost points on it


@dataclass
class Analysis:
    units: int
    mean: Decimal | None
    median: Decimal | None
    spread: Decimal | None  # highest minus lowest index
    stdev: Decimal | None
    classes: list[tuple[str, int]]
    fields: list[FieldColumn]
    lines: list[UnitLine]
    lost: list[LostLeaf]

    @property
    def merged(self) -> bool:
        """Whether a unit is compared with the mean of the units merged into it."""
        return any(line.merged for line in self.lines)


def analyse(
    document: Document,
    criteria: CriteriaSet,
    lang: str,
    children: Mapping[str, Children] | None = None,
) -> Analysis:
    """The analysis of a results document computed with `criteria`; `children` gives the
    class counts of each unit's child units (see `selectors.published_children`)."""
    decimals = criteria.decimals
    class_labels = {rule.code: rule.label for rule in criteria.classes}
    units = list(document["units"])
    indices = [_dec(unit["index"]) for unit in units]
    columns = _field_columns(units)
    children = children or {}
    lines = [
        _line(unit, columns, len(units), decimals, lang, children.get(unit["unit"]))
        for unit in units
    ]
    summary = document["summary"]
    return Analysis(
        units=len(units),
        mean=_maybe(summary.get("mean")),
        median=_maybe(summary.get("median")),
        spread=max(indices) - min(indices) if indices else None,
        stdev=_dec(round(statistics.pstdev(indices), decimals)) if len(indices) > 1 else None,
        classes=[(class_labels.get(c, c), n) for c, n in summary.get("classes", {}).items()],
        fields=columns,
        lines=lines,
        lost=_lost_leaves(units, criteria),
    )


def _dec(value: Any) -> Decimal:
    return Decimal(str(value))


def _maybe(value: Any) -> Decimal | None:
    return None if value is None else _dec(value)


def _field_columns(units: list[Mapping[str, Any]]) -> list[FieldColumn]:
    totals: dict[str, list[Decimal]] = {}
    titles: dict[str, str] = {}
    for unit in units:
        for f in unit["fields"]:
            sums = totals.setdefault(f["code"], [Decimal(0), Decimal(0)])
            sums[0] += _dec(f["points"])
            sums[1] += _dec(f["max"])
            titles[f["code"]] = f["title"]
    return [
        FieldColumn(code, titles[code], points / most * 100 if most else None)
        for code, (points, most) in totals.items()
    ]


def _band(percent: Decimal | None) -> str:
    if percent is None:
        return "none"
    return "high" if percent >= 80 else "mid" if percent >= 50 else "low"


def _line(unit: Mapping[str, Any], columns: list[FieldColumn], count: int, decimals: int,
          lang: str, children: Children | None) -> UnitLine:  # fmt: skip
    delta = unit.get("delta") or {}
    line = UnitLine(
        code=unit["unit"],
        name=unit["name"] or unit["unit"],
        rank=unit["rank"],
        index=_dec(unit["index"]),
        points=_dec(unit["points"]),
        class_label=unit.get("class_label") or unit.get("class") or "",
        delta_index=_maybe(delta.get("index")),
        delta_rank=delta.get("rank"),
        merged=bool((unit.get("previous") or {}).get("from")),
    )
    percents = {f["code"]: _maybe(f.get("percent")) for f in unit["fields"]}
    line.cells = [Cell(percents.get(c.code), _band(percents.get(c.code))) for c in columns]
    ranked = sorted(
        ((p, code) for code, p in percents.items() if p is not None), key=lambda pair: pair
    )
    titles = {c.code: c.title for c in columns}
    line.weakest = [f"{code}. {titles[code]}" for _p, code in ranked[:2]]
    if children is not None:
        line.children, line.child_classes = _child_classes(children)
    line.sentence = _sentence(line, count, decimals, lang)
    return line


def _sentence(line: UnitLine, count: int, decimals: int, lang: str) -> str:
    """The report's sentence about one unit."""

    def number(value: Decimal) -> str:
        return grouped(value, decimals, lang)

    text = _("%(index)s points, ranked %(rank)s of %(count)s") % {
        "index": number(line.index),
        "rank": line.rank,
        "count": count,
    }
    if line.delta_index is not None:
        text += _moved(line.delta_index, line.delta_rank or 0, number)
        text += _(" on last year") + (" (*)" if line.merged else "")
    if line.child_classes:
        text += _("; %(children)s: %(classes)s") % {
            "children": line.children,
            "classes": ", ".join(f"{n} {label}" for label, n in line.child_classes),
        }
    if line.weakest:
        text += _("; lowest fields: %(fields)s") % {"fields": "; ".join(line.weakest)}
    return text + "."


def _moved(delta: Decimal, places: int, number: Any) -> str:
    """ ", down 7,21 points and 2 places": points and places together when they move the same
    way, each on its own otherwise."""
    points = {"points": number(abs(delta)), "n": abs(places)}
    if places and (delta > 0) == (places > 0) and delta != 0:
        if delta > 0:
            return (
                ngettext(
                    ", up %(points)s points and %(n)s place",
                    ", up %(points)s points and %(n)s places",
                    abs(places),
                )
                % points
            )
        return (
            ngettext(
                ", down %(points)s points and %(n)s place",
                ", down %(points)s points and %(n)s places",
                abs(places),
            )
            % points
        )
    if delta > 0:
        text = _(", up %(points)s points") % points
    elif delta < 0:
        text = _(", down %(points)s points") % points
    else:
        text = _(", the same points")
    if places > 0:
        text += ngettext(", %(n)s place up", ", %(n)s places up", places) % points
    elif places < 0:
        text += ngettext(", %(n)s place down", ", %(n)s places down", -places) % points
    return text


def _child_classes(children: Children) -> tuple[str, list[tuple[str, int]]]:
    """What the children are called and how many fall in each class, best class first;
    classes with none are left out."""
    wanted = set(children.codes)
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for unit in children.document["units"]:
        code = unit.get("class")
        if unit["unit"] in wanted and code:
            counts[code] = counts.get(code, 0) + 1
            labels[code] = unit.get("class_label") or code
    order = [code for code in children.classes if code in counts]
    order += sorted(set(counts) - set(order))
    noun = _("%(type)s units") % {"type": children.type} if children.type else children.group_name
    return noun, [(labels[code], counts[code]) for code in order]


def _lost_leaves(units: list[Mapping[str, Any]], criteria: CriteriaSet) -> list[LostLeaf]:
    """Points lost per criterion over the group, most first: the leaves of the fields only
    (a bonus not earned is not a loss), not-applicable leaves lose none."""
    titles = {leaf.code: leaf.title for top in criteria.fields for leaf in top.leaves()}
    lost: dict[str, list[Decimal]] = {}
    for unit in units:
        for leaf in unit["leaves"]:
            if leaf["code"] not in titles or leaf.get("status") == "na":
                continue
            gap = _dec(leaf["max"]) - _dec(leaf["points"])
            if gap > 0:
                found = lost.setdefault(leaf["code"], [Decimal(0), Decimal(0)])
                found[0] += gap
                found[1] += 1
    ranked = sorted(lost.items(), key=lambda item: (-item[1][0], item[0]))
    return [LostLeaf(code, titles[code], total, int(n)) for code, (total, n) in ranked[:15]]


# ---------------------------------------------------------------- one unit: profile and trend


@dataclass(frozen=True)
class ProfileRow:
    code: str
    title: str
    percent: Decimal | None  # the unit's share of the field's points
    group: Decimal | None  # the group's: all units' points over all units' max


@dataclass(frozen=True)
class Profile:
    """A unit's field profile (*tỷ lệ điểm đạt theo lĩnh vực*) beside the group's."""

    line: UnitLine
    rows: list[ProfileRow]


def field_profile(analysis: Analysis, unit_code: str | None) -> Profile | None:
    """The profile of the unit `unit_code`, or of the first ranked unit when it is not one of
    the analysis' units; None when there are no units."""
    if not analysis.lines:
        return None
    line = next((ln for ln in analysis.lines if ln.code == unit_code), analysis.lines[0])
    rows = [
        ProfileRow(column.code, column.title, cell.percent, column.percent)
        for column, cell in zip(analysis.fields, line.cells, strict=True)
    ]
    return Profile(line, rows)


@dataclass(frozen=True)
class TrendPoint:
    year: int
    index: Decimal
    rank: int | None  # None for the mean of several predecessors (ranks do not average)
    units: int  # units ranked that year
    mean: Decimal | None  # the group's mean index that year
    predecessors: tuple[str, ...] = ()  # the units standing in for it, when not itself


@dataclass(frozen=True)
class Trend:
    unit: str
    points: list[TrendPoint]

    @property
    def merged(self) -> bool:
        return any(point.predecessors for point in self.points)


def trend(history: Sequence[tuple[int, Document]], unit_code: str, decimals: int) -> Trend:
    """The unit's index and rank over the years of `history` (year, results document), oldest
    first, following its lineage backwards as the published deltas do: in a year before a
    merger or renaming, the units named in the next year's `previous.from` stand in for it,
    their mean index (rounded half-up) when there are several, with no rank."""
    points: list[TrendPoint] = []
    codes: list[str] = [unit_code]
    for year, document in sorted(history, key=lambda pair: pair[0], reverse=True):
        by_code = {unit["unit"]: unit for unit in document["units"]}
        found = [by_code[code] for code in codes if code in by_code]
        if not found:
            if points:  # the lineage ends here (or a gap the deltas could not bridge)
                break
            continue
        mean = (document.get("summary") or {}).get("mean")
        if len(found) == 1:
            index, rank = _dec(found[0]["index"]), found[0].get("rank")
        else:
            total = sum((_dec(unit["index"]) for unit in found), Decimal(0))
            index, rank = quantize(total / len(found), decimals), None
        own = [unit["unit"] for unit in found] == [unit_code]
        points.append(
            TrendPoint(
                year=year,
                index=index,
                rank=rank,
                units=len(document["units"]),
                mean=_maybe(mean),
                predecessors=() if own else tuple(unit["unit"] for unit in found),
            )
        )
        following: list[str] = []
        for unit in found:
            for code in (unit.get("previous") or {}).get("from") or [unit["unit"]]:
                if code not in following:
                    following.append(code)
        codes = following
    return Trend(unit_code, points[::-1])
