"""Reads of cycles and sheets, and the one place that builds the engine's input from them.

Points are never computed here: `engine_inputs_for` and `unit_points` hand the stored raw
values to `parindex.scoring.compute`, which is the only code that turns values into points.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeVar

from django.db.models import Count, Q, QuerySet

from parindex.accounts.models import Role, User
from parindex.accounts.permissions import AUTHORITY_WIDE, assessments_visible_to, authority_ids
from parindex.assessments.errors import Missing
from parindex.assessments.models import (
    Assessment,
    Change,
    Cycle,
    Evidence,
    EvidenceLink,
    LeafEntry,
)
from parindex.criteria.models import CriteriaSetVersion, CriterionNode
from parindex.criteria.services import criteria_set_of
from parindex.scoring import compute
from parindex.scoring.model import CriteriaSet, Entry, Inputs, LeafValue, Node, NodeKind, Source
from parindex.scoring.model import Unit as EngineUnit
from parindex.scoring.results import FieldResult, LeafResult, UnitResult
from parindex.scoring.values import is_na, parse_leaf_value
from parindex.units.models import Unit

Stage = Literal["self", "final"]
T = TypeVar("T")

# ---------------------------------------------------------------- criteria


_FROZEN: dict[tuple[str, int, str], object] = {}
_FROZEN_LOCK = threading.Lock()


def _once_per_text(kind: str, version: CriteriaSetVersion, make: Callable[[], T]) -> T:
    """What is read from a version, once per process and per text of the version.

    A version's YAML never changes once a cycle uses it (it is frozen), and everything else
    of it (nodes, appraisers) is rebuilt from that text, so a key holding the text's hash
    always finds the exact reading of the text.
    """
    key = (kind, version.pk, version.sha256)
    with _FROZEN_LOCK:
        found = _FROZEN.get(key)
    if found is None:
        found = make()
        with _FROZEN_LOCK:
            if len(_FROZEN) >= 64:
                _FROZEN.clear()
            _FROZEN[key] = found
    return found  # type: ignore[return-value]


def criteria_for(version: CriteriaSetVersion) -> CriteriaSet:
    """The engine's criteria set of a stored version, parsed once per process."""
    return _once_per_text("criteria", version, lambda: criteria_set_of(version))


def nodes_for(version: CriteriaSetVersion) -> tuple[CriterionNode, ...]:
    """The stored nodes of a version in tree order, read once per process (never change them)."""
    return _once_per_text(
        "nodes",
        version,
        lambda: tuple(CriterionNode.objects.filter(criteria_set=version).order_by("position")),
    )


def entered_leaves(criteria: CriteriaSet) -> dict[str, Node]:
    """The leaves a unit fills in on its sheet: self-assessed ones and bonus/penalty ones."""
    found: dict[str, Node] = {}
    for top in criteria.nodes:
        outside = top.kind in (NodeKind.BONUS, NodeKind.PENALTY)
        for leaf in top.leaves():
            if outside or leaf.source is Source.SELF:
                found[leaf.code] = leaf
    return found


# ---------------------------------------------------------------- cycles


def cycles_visible_to(user: User | object) -> QuerySet[Cycle]:
    """Cycles of the authorities where the user has an authority-wide or appraiser role, and
    cycles holding a sheet the user may see."""
    wide = authority_ids(user, (*AUTHORITY_WIDE, Role.APPRAISER))
    sheets = assessments_visible_to(user).values("cycle_id")
    return (
        Cycle.objects.filter(Q(authority_id__in=wide) | Q(pk__in=sheets))
        .select_related("authority", "unit_group", "criteria_set")
        .order_by("-year", "authority__name", "unit_group__name")
    )


def status_board(cycle: Cycle, user: User | object) -> QuerySet[Assessment]:
    """The cycle's sheets the user may see, with how many leaves have a value and documents."""
    visible: QuerySet[Assessment] = assessments_visible_to(user)
    return (
        visible.filter(cycle=cycle)
        .select_related("unit", "submitted_by")
        .annotate(
            filled=Count("entries", filter=~Q(entries__value=""), distinct=True),
            documents=Count("evidence", distinct=True),
        )
        .order_by("unit__code")
    )


def evidence_visible_to(user: User | object) -> QuerySet[Evidence]:
    """The documents of the sheets the user may see."""
    return Evidence.objects.filter(assessment__in=assessments_visible_to(user))


# ---------------------------------------------------------------- the sheet


@dataclass
class SheetNode:
    """A node of the sheet's tree; a leaf carries the unit's entry, documents and history."""

    node: CriterionNode
    entered: bool = False  # a leaf whose value the unit enters
    entry: LeafEntry | None = None
    documents: list[Evidence] = field(default_factory=list)
    history_count: int = 0  # the leaf's changes, read with `leaf_history` when asked for
    result: LeafResult | None = None  # the engine's points, when asked for

    @property
    def value(self) -> str:
        return self.entry.value if self.entry else ""

    @property
    def version(self) -> int:
        return self.entry.version if self.entry else 0


@dataclass
class SheetField:
    """A top-level node (field, bonus or penalty) and everything under it, depth first."""

    node: CriterionNode
    items: list[SheetNode]
    result: FieldResult | None = None  # the engine's field total, when asked for


@dataclass
class Sheet:
    assessment: Assessment
    fields: list[SheetField]
    leaves: dict[str, SheetNode]  # every leaf, by code, in the tree's order
    documents: list[Evidence]  # every document of the sheet, linked or not, oldest first
    result: UnitResult | None = None  # the engine's result for the sheet, when asked for

    def missing(self) -> list[Missing]:
        """What blocks submission (`missing_of`)."""
        documented = {code for code, leaf in self.leaves.items() if leaf.documents}
        values = {code: leaf.value for code, leaf in self.leaves.items()}
        nodes = [leaf.node for leaf in self.leaves.values() if leaf.entered]
        return missing_of(nodes, values, documented)


def missing_of(
    entered: Iterable[CriterionNode], values: Mapping[str, str], documented: Collection[str]
) -> list[Missing]:
    """What blocks submission: entered leaves with no value, and leaves whose set asks for
    evidence that have none (a leaf marked not applicable needs no evidence)."""
    found: list[Missing] = []
    for node in entered:
        value = values.get(node.code, "")
        if not value.strip():
            found.append(Missing(node.code, node.title, "value"))
        elif node.evidence_required and node.code not in documented and not is_na(value):
            found.append(Missing(node.code, node.title, "evidence"))
    return found


def sheet_missing(assessment: Assessment) -> list[Missing]:
    """`Sheet.missing` without building the sheet (2 queries)."""
    entered = entered_leaves(criteria_for(assessment.cycle.criteria_set))
    nodes = [node for node in nodes_for(assessment.cycle.criteria_set) if node.code in entered]
    values = dict(LeafEntry.objects.filter(assessment=assessment).values_list("code", "value"))
    documented = set(
        EvidenceLink.objects.filter(evidence__assessment=assessment).values_list("code", flat=True)
    )
    return missing_of(nodes, values, documented)


def leaf_history(assessment: Assessment, code: str) -> list[Change]:
    """Every change of one leaf of a sheet, oldest first, with who made it."""
    found = Change.objects.filter(assessment=assessment, code=code).select_related("by")
    return list(found.order_by("at", "id"))


def sheet_for(assessment: Assessment) -> Sheet:
    """The sheet: the set's tree with each leaf's entry, documents and number of changes
    (4 queries; the tree itself is read once per process)."""
    criteria = criteria_for(assessment.cycle.criteria_set)
    entered = entered_leaves(criteria)
    entries = {entry.code: entry for entry in LeafEntry.objects.filter(assessment=assessment)}
    documents = list(
        Evidence.objects.filter(assessment=assessment)
        .select_related("uploaded_by")
        .order_by("created_at", "id")
    )
    by_id = {document.pk: document for document in documents}
    links = EvidenceLink.objects.filter(evidence__assessment=assessment).order_by("evidence_id")
    changes = (
        Change.objects.filter(assessment=assessment)
        .exclude(code="")
        .values("code")
        .annotate(count=Count("id"))
        .values_list("code", "count")
    )

    fields: list[SheetField] = []
    leaves: dict[str, SheetNode] = {}
    for node in nodes_for(assessment.cycle.criteria_set):
        item = SheetNode(node, entered=node.code in entered, entry=entries.get(node.code))
        if node.parent_id is None:
            fields.append(SheetField(node, []))
        fields[-1].items.append(item)
        if node.is_leaf:
            leaves[node.code] = item
    for code, evidence_id in links.values_list("code", "evidence_id"):
        # a document uploaded between the two reads has links but is not in `documents`
        # (each statement sees its own moment): it is shown from the next page on
        if code in leaves and evidence_id in by_id:
            leaves[code].documents.append(by_id[evidence_id])
    for code, count in changes:
        if code in leaves:
            leaves[code].history_count = count
    return Sheet(assessment, fields, leaves, documents)


def sheet_with_points(assessment: Assessment, *, stage: Stage = "self") -> Sheet:
    """The sheet with the engine's points on every leaf, field and the whole (`unit_points`)."""
    sheet = sheet_for(assessment)
    rows = [
        (code, leaf.entry.value, leaf.entry.appraised_value, leaf.entry.note)
        for code, leaf in sheet.leaves.items()
        if leaf.entry is not None
    ]
    result = _lone_points(assessment, rows, stage)
    sheet.result = result
    for leaf in result.leaves:
        if leaf.code in sheet.leaves:
            sheet.leaves[leaf.code].result = leaf
    totals = {total.code: total for total in result.fields}
    for top in sheet.fields:
        top.result = totals.get(top.node.code)
    return sheet


def sheet_live(assessment: Assessment) -> tuple[UnitResult, list[Missing]]:
    """What autosave shows: the sheet's live points and what still blocks its submission
    (2 queries when the assessment comes with its unit's group and parent)."""
    rows = list(
        LeafEntry.objects.filter(assessment=assessment).values_list(
            "code", "value", "appraised_value", "note"
        )
    )
    documented = set(
        EvidenceLink.objects.filter(evidence__assessment=assessment).values_list("code", flat=True)
    )
    entered = entered_leaves(criteria_for(assessment.cycle.criteria_set))
    nodes = [node for node in nodes_for(assessment.cycle.criteria_set) if node.code in entered]
    values = {code: value for code, value, _appraised, _note in rows}
    return _lone_points(assessment, rows, "self"), missing_of(nodes, values, documented)


# ---------------------------------------------------------------- engine input


def engine_unit(unit: Unit) -> EngineUnit:
    """The engine's unit for a stored one (group, parent and predecessors by code)."""
    return EngineUnit(
        code=unit.code,
        name=unit.name,
        group=unit.group.code if unit.group else "",
        type=unit.type,
        parent=unit.parent.code if unit.parent else "",
        predecessors=tuple(sorted(p.code for p in unit.predecessors.all())),
    )


def engine_inputs_for(cycle: Cycle, *, stage: Stage = "self") -> Inputs:
    """The engine's input for every unit of the cycle, from the sheets' raw values.

    `stage="self"` reads the self-assessed values; `stage="final"` reads the appraised value
    where there is one, else the self-assessed one. Survey answers and imported metrics are
    not sheet values: their own selectors add them (`dataclasses.replace`).
    """
    return _inputs(cycle, Assessment.objects.filter(cycle=cycle), stage)


def unit_points(assessment: Assessment, *, stage: Stage = "self") -> UnitResult:
    """The engine's result for one sheet alone: its live points while it is being filled.

    Rank and class are those of a unit alone, hence meaningless here; points, fields, leaves
    and the index are the engine's own.
    """
    rows = LeafEntry.objects.filter(assessment=assessment).values_list(
        "code", "value", "appraised_value", "note"
    )
    return _lone_points(assessment, rows, stage)


Row = tuple[str, str, str, str]  # code, value, appraised value, note


def _lone_points(assessment: Assessment, rows: Iterable[Row], stage: Stage) -> UnitResult:
    criteria = criteria_for(assessment.cycle.criteria_set)
    leaves = {leaf.code: leaf for leaf in criteria.leaves()}
    unit = assessment.unit
    lone = EngineUnit(  # lineage plays no part in one sheet's points
        code=unit.code,
        name=unit.name,
        group=unit.group.code if unit.group else "",
        type=unit.type,
        parent=unit.parent.code if unit.parent else "",
    )
    values: dict[str, Entry] = {}
    for code, value, appraised, note in rows:
        text = _staged(value, appraised, stage)
        if text:
            values[code] = Entry(parse_leaf_value(leaves[code], text), text, note)
    return compute(criteria, Inputs(units=(lone,), values={unit.code: values})).units[0]


def _staged(value: str, appraised: str, stage: Stage) -> str:
    """The value the engine reads: the appraised one in the final stage when there is one."""
    return (appraised if stage == "final" and appraised.strip() else value).strip()


def _inputs(cycle: Cycle, assessments: QuerySet[Assessment], stage: Stage) -> Inputs:
    criteria = criteria_for(cycle.criteria_set)
    leaves = {leaf.code: leaf for leaf in criteria.leaves()}
    sheets = list(
        assessments.select_related("unit__group", "unit__parent")
        .prefetch_related("unit__predecessors")
        .order_by("unit__code")
    )
    units = tuple(engine_unit(sheet.unit) for sheet in sheets)
    code_of = {sheet.pk: sheet.unit.code for sheet in sheets}
    values: dict[str, dict[str, Entry]] = {unit.code: {} for unit in units}
    parsed: dict[tuple[str, str], LeafValue] = {}  # "có", "1", "dung_han" recur for each unit
    rows = LeafEntry.objects.filter(assessment__in=assessments).values_list(
        "assessment_id", "code", "value", "appraised_value", "note"
    )
    for assessment_id, code, value, appraised, note in rows:
        text = _staged(value, appraised, stage)
        if not text:
            continue
        key = (code, text)
        if key not in parsed:
            parsed[key] = parse_leaf_value(leaves[code], text)
        values[code_of[assessment_id]][code] = Entry(parsed[key], text, note)
    return Inputs(units=units, values=values)
