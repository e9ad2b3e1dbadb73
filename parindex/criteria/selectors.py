"""Reading criteria sets: lists, the tree for the pages, differences between versions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from parindex.accounts.models import Membership, Role, User
from parindex.criteria.models import CriteriaSetVersion
from parindex.criteria.permissions import (
    criteria_authorities_of,
    criteria_authority_ids_managed_by,
    criteria_sets_visible_to,
)
from parindex.criteria.services import criteria_set_of
from parindex.formats.criteria_xlsx import rule_text
from parindex.formats.criteria_yaml import criteria_to_data, number_text
from parindex.scoring.model import CriteriaSet, Node
from parindex.units.models import Authority

# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class SetVersions:
    """One criteria set code of an authority with its versions, newest first."""

    code: str
    versions: list[CriteriaSetVersion]

    @property
    def latest(self) -> CriteriaSetVersion:
        return self.versions[0]


@dataclass(frozen=True)
class AuthoritySets:
    authority: Authority
    can_manage: bool
    sets: list[SetVersions]


def criteria_set_list(*, user: User | object) -> list[AuthoritySets]:
    """The user's authorities, each with its sets and their versions (three queries)."""
    managed = criteria_authority_ids_managed_by(user)
    sections = {
        authority.pk: AuthoritySets(authority, authority.pk in managed, [])
        for authority in criteria_authorities_of(user).order_by("name")
    }
    for version in criteria_sets_visible_to(user).order_by(
        "authority_id", "-year", "code", "-version"
    ):
        sets = sections[version.authority_id].sets
        if not sets or sets[-1].code != version.code:
            sets.append(SetVersions(version.code, []))
        sets[-1].versions.append(version)
    return list(sections.values())


def criteria_version_siblings(*, version: CriteriaSetVersion) -> list[CriteriaSetVersion]:
    """The other versions of the same authority, same code first, for comparing."""
    others = list(
        CriteriaSetVersion.objects.filter(authority_id=version.authority_id)
        .exclude(pk=version.pk)
        .only("pk", "code", "version", "year", "title", "frozen_at")
        .order_by("code", "-version")
    )
    return sorted(others, key=lambda v: v.code != version.code)


def criteria_version_previous(*, version: CriteriaSetVersion) -> CriteriaSetVersion | None:
    return (
        CriteriaSetVersion.objects.filter(
            authority_id=version.authority_id, code=version.code, version__lt=version.version
        )
        .order_by("-version")
        .first()
    )


def appraiser_agencies(*, authority: Authority, criteria: CriteriaSet) -> list[str]:
    """Agency codes to offer: those of the authority's appraisers and those the set names."""
    found = {
        agency
        for agency in Membership.objects.filter(
            authority=authority, role=Role.APPRAISER, active=True
        ).values_list("agency", flat=True)
        if agency
    }
    found.update(leaf.appraiser for leaf in criteria.leaves() if leaf.appraiser)
    return sorted(found)


# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class TreeRow:
    """A node below a field, with what the page shows of it."""

    node: Node
    depth: int  # 1 for the field's children
    rule: str  # the rule in one line, as in the workbook's `Quy tắc` column

    @property
    def max(self) -> str:
        return number_text(self.node.max)


@dataclass(frozen=True)
class TreeField:
    """A top-level node (*lĩnh vực*, or a bonus or penalty node) and the rows below it."""

    node: Node
    rule: str
    rows: list[TreeRow]
    leaf_count: int

    @property
    def max(self) -> str:
        return number_text(self.node.max)


def criteria_set_tree(criteria: CriteriaSet) -> list[TreeField]:
    fields = []
    for top in criteria.nodes:
        rows: list[TreeRow] = []
        _rows(top.children, 1, rows)
        fields.append(
            TreeField(
                node=top,
                rule=rule_text(top.rule) if top.rule else "",
                rows=rows,
                leaf_count=len(top.leaves()),
            )
        )
    return fields


def _rows(nodes: tuple[Node, ...], depth: int, into: list[TreeRow]) -> None:
    for node in nodes:
        into.append(TreeRow(node, depth, rule_text(node.rule) if node.rule else ""))
        _rows(node.children, depth + 1, into)


# ---------------------------------------------------------------- differences


@dataclass(frozen=True)
class FieldChange:
    """One property that differs: its name and both values as text ("" when absent)."""

    field: str
    old: str
    new: str


@dataclass(frozen=True)
class NodeChange:
    code: str
    change: str  # added | removed | changed
    title: str
    fields: tuple[FieldChange, ...] = ()


NODE_FIELDS = ("title", "max", "kind", "source", "rule", "appraiser", "evidence", "not_applicable")
SETTING_FIELDS = (
    "title", "year", "unit_group", "max_points", "decimals", "not_applicable", "index_bounds",
    "classes", "caps", "survey",
)  # fmt: skip


def criteria_set_diff(
    old: CriteriaSetVersion | CriteriaSet, new: CriteriaSetVersion | CriteriaSet
) -> list[NodeChange]:
    """Nodes added, removed and changed (with the properties that changed), in code order."""
    before = _nodes_by_code(_as_set(old))
    after = _nodes_by_code(_as_set(new))
    changes: list[NodeChange] = []
    for code in sorted(before.keys() | after.keys(), key=_code_order):
        if code not in before:
            changes.append(NodeChange(code, "added", after[code].title))
        elif code not in after:
            changes.append(NodeChange(code, "removed", before[code].title))
        else:
            old_view, new_view = _node_view(before[code]), _node_view(after[code])
            fields = tuple(
                FieldChange(name, old_view[name], new_view[name])
                for name in NODE_FIELDS
                if old_view[name] != new_view[name]
            )
            if fields:
                changes.append(NodeChange(code, "changed", after[code].title, fields))
    return changes


def criteria_settings_diff(
    old: CriteriaSetVersion | CriteriaSet, new: CriteriaSetVersion | CriteriaSet
) -> list[FieldChange]:
    """The set-level keys that differ (title, year, classes, caps, survey...)."""
    before = criteria_to_data(_as_set(old))
    after = criteria_to_data(_as_set(new))
    return [
        FieldChange(key, _show(before.get(key)), _show(after.get(key)))
        for key in SETTING_FIELDS
        if before.get(key) != after.get(key)
    ]


def _as_set(value: CriteriaSetVersion | CriteriaSet) -> CriteriaSet:
    return criteria_set_of(value) if isinstance(value, CriteriaSetVersion) else value


def _nodes_by_code(criteria: CriteriaSet) -> dict[str, Node]:
    found: dict[str, Node] = {}

    def walk(nodes: tuple[Node, ...]) -> None:
        for node in nodes:
            found[node.code] = node
            walk(node.children)

    walk(criteria.nodes)
    return found


def _node_view(node: Node) -> dict[str, str]:
    return {
        "title": node.title,
        "max": number_text(node.max),
        "kind": node.kind.value,
        "source": node.source.value if node.source else "",
        "rule": rule_text(node.rule) if node.rule else "",
        "appraiser": node.appraiser or "",
        "evidence": node.evidence or "",
        "not_applicable": node.not_applicable.value if node.not_applicable else "",
    }


def _code_order(code: str) -> list[tuple[int, int | str]]:
    """`1.2` before `1.10`; letters after numbers."""
    return [(0, int(part)) if part.isdecimal() else (1, part) for part in re.split(r"[.\-]", code)]


def _show(value: Any) -> str:
    """A set-level value in one line: numbers plain, records as `key: value` lists."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return number_text(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + "; ".join(_show(v) for v in value) + "]"
    return str(value)
