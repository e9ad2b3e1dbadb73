"""Storing criteria sets: a YAML text (FORMATS.md) becomes a version and its node rows."""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

from django.db import transaction

from parindex.accounts.models import User
from parindex.criteria.models import CriteriaSetVersion, CriterionNode
from parindex.formats.criteria import parse_criteria
from parindex.scoring.model import CriteriaSet, Node
from parindex.units.models import Authority, UnitGroup


@transaction.atomic
def criteria_set_import(
    *,
    authority: Authority,
    yaml_text: str,
    name: str = "criteria.yaml",
    created_by: User | None = None,
) -> CriteriaSetVersion:
    """Check the YAML (InputError lists every problem) and store it as the next version.

    The unit group named by the set is created in the authority when missing.
    """
    criteria = parse_criteria(yaml_text, name)
    group, _ = UnitGroup.objects.get_or_create(
        authority=authority, code=criteria.unit_group, defaults={"name": criteria.unit_group}
    )
    latest = (
        CriteriaSetVersion.objects.filter(authority=authority, code=criteria.code)
        .order_by("-version")
        .first()
    )
    version = CriteriaSetVersion.objects.create(
        authority=authority,
        code=criteria.code,
        version=(latest.version + 1) if latest else 1,
        title=criteria.title,
        year=criteria.year,
        unit_group=group,
        yaml_text=yaml_text,
        sha256=hashlib.sha256(yaml_text.encode("utf-8")).hexdigest(),
        created_by=created_by,
    )
    _store_nodes(version, criteria)
    return version


def _store_nodes(version: CriteriaSetVersion, criteria: CriteriaSet) -> None:
    position = 0

    def store(node: Node, parent: CriterionNode | None, depth: int) -> None:
        nonlocal position
        row = CriterionNode.objects.create(
            criteria_set=version,
            code=node.code,
            parent=parent,
            position=position,
            depth=depth,
            title=node.title,
            max_points=node.max,
            kind=node.kind.value,
            is_leaf=node.is_leaf,
            source=node.source.value if node.source else "",
            rule_type=node.rule.type if node.rule else "",
            rule=_rule_json(node),
            appraiser=node.appraiser or "",
            evidence=node.evidence or "",
            evidence_required=bool(node.evidence)
            and node.source is not None
            and node.source.value == "self",
        )
        position += 1
        for child in node.children:
            store(child, row, depth + 1)

    for top in criteria.nodes:
        store(top, None, 0)


def _rule_json(node: Node) -> dict[str, Any]:
    """The rule as plain JSON (Decimals as strings), for sheets that show options and limits."""
    if node.rule is None:
        return {}

    def plain(value: Any) -> Any:
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]
        if hasattr(value, "__dataclass_fields__"):
            return {k: plain(getattr(value, k)) for k in value.__dataclass_fields__}
        if hasattr(value, "value") and not isinstance(value, str):
            return value.value
        return value

    result: dict[str, Any] = plain(node.rule)
    return result


def criteria_set_of(version: CriteriaSetVersion) -> CriteriaSet:
    """The engine's criteria set of a stored version (parsed from its YAML, exactly)."""
    return parse_criteria(version.yaml_text, f"{version.code} v{version.version}")
