"""Reads for the appraisal (*thẩm định*), explanation (*giải trình*) and finalisation pages.

A few queries per page whatever the number of units: the worklist reads the cycle's nodes,
entries, document links and explanations once each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from parindex.accounts.models import User
from parindex.accounts.permissions import (
    appraiser_agencies,
    assessments_visible_to,
    is_council_chair,
    own_unit_ids,
)
from parindex.assessments.appraisal import effective_value, is_corrected
from parindex.assessments.models import (
    Assessment,
    AssessmentStatus,
    Change,
    ChangeKind,
    Cycle,
    Evidence,
    EvidenceLink,
    Explanation,
    ExplanationDecision,
    LeafEntry,
)
from parindex.assessments.selectors import criteria_for, entered_leaves
from parindex.criteria.models import CriterionNode


@dataclass
class WorkItem:
    """One leaf of one unit's sheet, as an appraiser checks it."""

    assessment: Assessment
    node: CriterionNode
    entry: LeafEntry | None
    documents: list[Evidence] = field(default_factory=list)
    explanations: list[Explanation] = field(default_factory=list)

    @property
    def value(self) -> str:
        return self.entry.value if self.entry else ""

    @property
    def version(self) -> int:
        return self.entry.version if self.entry else 0

    @property
    def appraised(self) -> bool:
        return bool(self.entry and self.entry.appraised_at)

    @property
    def corrected(self) -> bool:
        return bool(self.entry) and is_corrected(self.entry)  # type: ignore[arg-type]

    @property
    def final(self) -> str:
        return effective_value(self.entry) if self.entry else ""


@dataclass
class WorkGroup:
    title: str
    anchor: str
    items: list[WorkItem]

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.appraised)


def appraiser_agencies_in(user: User | object, cycle: Cycle) -> set[str]:
    return appraiser_agencies(user, cycle.authority_id)


def worklist(cycle: Cycle, user: User | object, *, by: str = "unit") -> list[WorkGroup]:
    """The leaves of the user's agencies on every submitted sheet of the cycle but their own
    unit's, grouped by unit (`by="unit"`) or by leaf (`by="leaf"`)."""
    agencies = appraiser_agencies_in(user, cycle)
    if not agencies:
        return []
    entered = entered_leaves(criteria_for(cycle.criteria_set))
    nodes = list(
        CriterionNode.objects.filter(
            criteria_set_id=cycle.criteria_set_id,
            is_leaf=True,
            appraiser__in=agencies,
            code__in=list(entered),
        ).order_by("position")
    )
    sheets = list(
        Assessment.objects.filter(cycle=cycle)
        .exclude(status=AssessmentStatus.DRAFT)
        .exclude(unit_id__in=own_unit_ids(user))
        .select_related("unit", "cycle")
        .order_by("unit__code")
    )
    codes = [node.code for node in nodes]
    entries = {
        (e.assessment_id, e.code): e
        for e in LeafEntry.objects.filter(assessment__in=sheets, code__in=codes).select_related(
            "appraised_by"
        )
    }
    documents: dict[tuple[int, str], list[Evidence]] = defaultdict(list)
    for link in EvidenceLink.objects.filter(
        evidence__assessment__in=sheets, code__in=codes
    ).select_related("evidence"):
        documents[(link.evidence.assessment_id, link.code)].append(link.evidence)
    explanations: dict[int, list[Explanation]] = defaultdict(list)
    for explanation in Explanation.objects.filter(entry__in=list(entries.values())).order_by(
        "created_at"
    ):
        explanations[explanation.entry_id].append(explanation)

    def item(sheet: Assessment, node: CriterionNode) -> WorkItem:
        found = entries.get((sheet.pk, node.code))
        return WorkItem(
            sheet,
            node,
            found,
            documents.get((sheet.pk, node.code), []),
            explanations.get(found.pk, []) if found else [],
        )

    if by == "leaf":
        return [
            WorkGroup(
                f"{node.code}. {node.title}", f"leaf-{node.code}", [item(s, node) for s in sheets]
            )
            for node in nodes
        ]
    return [
        WorkGroup(sheet.unit.name, f"unit-{sheet.unit.code}", [item(sheet, n) for n in nodes])
        for sheet in sheets
    ]


@dataclass
class ChangeRow:
    """A leaf the appraisal touched: the unit's value against the appraised one."""

    node: CriterionNode
    entry: LeafEntry
    history: list[Change]
    explanations: list[Explanation]
    documents: list[Evidence]

    @property
    def corrected(self) -> bool:
        return is_corrected(self.entry)

    @property
    def pending(self) -> bool:
        return any(e.decision == ExplanationDecision.PENDING for e in self.explanations)


def sheet_changes(assessment: Assessment) -> list[ChangeRow]:
    """Every appraised leaf of the sheet, in the tree's order, with its appraisal history,
    explanations and documents (what the unit sees after the appraisal)."""
    nodes = {
        node.code: node
        for node in CriterionNode.objects.filter(criteria_set_id=assessment.cycle.criteria_set_id)
    }
    entries = LeafEntry.objects.filter(
        assessment=assessment, appraised_at__isnull=False
    ).select_related("appraised_by")
    history: dict[str, list[Change]] = defaultdict(list)
    for change in (
        Change.objects.filter(
            assessment=assessment, kind__in=[ChangeKind.APPRAISAL, ChangeKind.EXPLANATION]
        )
        .select_related("by")
        .order_by("at", "id")
    ):
        history[change.code].append(change)
    explanations: dict[int, list[Explanation]] = defaultdict(list)
    for explanation in (
        Explanation.objects.filter(entry__assessment=assessment)
        .select_related("by", "decided_by")
        .order_by("created_at")
    ):
        explanations[explanation.entry_id].append(explanation)
    documents: dict[str, list[Evidence]] = defaultdict(list)
    for link in EvidenceLink.objects.filter(evidence__assessment=assessment).select_related(
        "evidence"
    ):
        documents[link.code].append(link.evidence)
    rows = [
        ChangeRow(
            nodes[entry.code],
            entry,
            history.get(entry.code, []),
            explanations.get(entry.pk, []),
            documents.get(entry.code, []),
        )
        for entry in entries
        if entry.code in nodes
    ]
    return sorted(rows, key=lambda row: row.node.position)


def explanations_for(cycle: Cycle, user: User | object) -> QuerySet[Explanation]:
    """The cycle's explanations the user may decide: all for the council chair, those of the
    user's agencies on other units' sheets for an appraiser."""
    found = Explanation.objects.filter(entry__assessment__cycle=cycle)
    if not is_council_chair(user, cycle.authority_id):
        agencies = appraiser_agencies(user, cycle.authority_id)
        codes = CriterionNode.objects.filter(
            criteria_set_id=cycle.criteria_set_id, appraiser__in=agencies
        ).values("code")
        found = found.filter(entry__code__in=codes).exclude(
            entry__assessment__unit_id__in=own_unit_ids(user)
        )
    found = found.filter(entry__assessment__in=assessments_visible_to(user))
    return found.select_related(
        "entry__assessment__unit", "entry__assessment__cycle", "by", "decided_by"
    ).order_by("entry__assessment__unit__code", "entry__code", "created_at")


def pending_count(cycle: Cycle) -> int:
    return Explanation.objects.filter(
        entry__assessment__cycle=cycle, decision=ExplanationDecision.PENDING
    ).count()
