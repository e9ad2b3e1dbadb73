"""Storing criteria sets: a YAML text (FORMATS.md) becomes a version and its node rows.

The YAML text of a version is the source of truth; the node rows mirror it. A version is
frozen when a cycle opens on it (`criteria_set_freeze`); an edit of a frozen version makes a
new version, an edit of an unfrozen one replaces its text and rows (`criteria_set_revise`).
Appraisers are assigned through the YAML too (`criteria_appraisers_assign`: dump, change,
revise), so that what the engine reads and what the pages show never differ.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import User
from parindex.criteria.models import CriteriaSetVersion, CriterionNode
from parindex.formats.criteria import parse_criteria
from parindex.formats.criteria_yaml import dump_criteria
from parindex.formats.problems import InputError, Problem
from parindex.scoring.messages import msg
from parindex.scoring.model import CriteriaSet, Node
from parindex.units.models import Authority, UnitGroup

# Lengths of the columns a set's text goes into (checked before storing: PostgreSQL enforces
# them, SQLite does not, and a bad file must be reported, not crash).
_LIMITS = {"code": 64, "title": 500, "unit_group": 64, "node_code": 64, "appraiser": 64}


@transaction.atomic
def criteria_set_import(
    *,
    authority: Authority,
    yaml_text: str,
    name: str = "criteria.yaml",
    created_by: User | None = None,
) -> CriteriaSetVersion:
    """Check the YAML (InputError lists every problem) and store it as the next version.

    The unit group named by the set is created in the authority when missing. Importing the
    text of the set's latest version again changes nothing and returns that version.
    """
    criteria = _checked(yaml_text, name)
    _lock_authority(authority)
    latest = _latest(authority, criteria.code)
    if latest is not None and latest.sha256 == _sha256(yaml_text):
        return latest
    return _create_version(authority, criteria, yaml_text, created_by)


@transaction.atomic
def criteria_set_freeze(*, version: CriteriaSetVersion) -> CriteriaSetVersion:
    """Freeze a version when a cycle opens on it; freezing a frozen version changes nothing."""
    locked = CriteriaSetVersion.objects.select_for_update().get(pk=version.pk)
    if locked.frozen_at is None:
        locked.frozen_at = timezone.now()
        locked.save(update_fields=["frozen_at", "updated_at"])
    version.frozen_at = locked.frozen_at
    return locked


@transaction.atomic
def criteria_set_revise(
    *,
    version: CriteriaSetVersion,
    yaml_text: str,
    by: User | None,
    name: str | None = None,
) -> CriteriaSetVersion:
    """Edit a version: a frozen one gets a new version, an unfrozen one is replaced in place.

    The text must keep the set's code (a set with another code is imported, not revised). A
    text identical to the version's changes nothing. Returns the version that holds the text.
    """
    display = name or f"{version.code}-v{version.version}.yaml"
    criteria = _checked(yaml_text, display)
    if criteria.code != version.code:
        raise InputError(
            [
                Problem(
                    display,
                    msg(
                        "mã bộ tiêu chí phải giữ là '{c}' (bộ có mã khác thì nhập như bộ mới)",
                        "the set's code must stay '{c}' (import a set with another code as a"
                        " new set)",
                        c=version.code,
                    ),
                    path="code",
                )
            ]
        )
    _lock_authority(version.authority)
    current = CriteriaSetVersion.objects.select_for_update().get(pk=version.pk)
    if current.sha256 == _sha256(yaml_text):
        return current
    if current.frozen_at is not None:
        return _create_version(current.authority, criteria, yaml_text, by)
    current.title = criteria.title
    current.year = criteria.year
    current.unit_group = _group(current.authority, criteria)
    current.yaml_text = yaml_text
    current.sha256 = _sha256(yaml_text)
    if by is not None:
        current.created_by = by  # the author of the text the version now holds
    current.save()
    current.nodes.all().delete()
    _store_nodes(current, criteria)
    return current


@transaction.atomic
def criteria_appraisers_assign(
    *,
    version: CriteriaSetVersion,
    assignments: Mapping[str, str | None],
    by: User | None,
) -> CriteriaSetVersion:
    """Set the appraising agency (*cơ quan thẩm định*) per field, per criterion or per leaf.

    `assignments` maps node codes to agency codes (empty or None: no agency). A group's agency
    goes to every leaf below it, unless the leaf, or a group nearer to it, is assigned itself.
    The change goes through the YAML (dump, change, revise): a frozen version gets a new
    version. Returns the version that holds the result (the same one when nothing changed).
    """
    version = CriteriaSetVersion.objects.select_for_update().get(pk=version.pk)  # read, then write
    criteria = criteria_set_of(version)
    known = {node.code for node in _walk(criteria.nodes)}
    display = f"{version.code}-v{version.version}"
    problems = [
        Problem(display, msg("không có tiêu chí '{c}'", "no criterion '{c}'", c=code), path=code)
        for code in assignments
        if code not in known
    ]
    cleaned = {code: (agency or "").strip() or None for code, agency in assignments.items()}
    problems += [
        Problem(
            display,
            msg(
                "mã cơ quan thẩm định dài quá {n} ký tự",
                "the appraising agency code is longer than {n} characters",
                n=_LIMITS["appraiser"],
            ),
            path=code,
        )
        for code, agency in cleaned.items()
        if agency and len(agency) > _LIMITS["appraiser"]
    ]
    if problems:
        raise InputError(problems)
    changed = dataclasses.replace(
        criteria, nodes=tuple(_assign(node, cleaned, _KEEP) for node in criteria.nodes)
    )
    if changed == criteria:
        return version
    return criteria_set_revise(version=version, yaml_text=dump_criteria(changed), by=by)


class _Keep:
    """No assignment above this node: a leaf keeps its agency."""


_KEEP = _Keep()


def _assign(
    node: Node, assignments: Mapping[str, str | None], inherited: str | _Keep | None
) -> Node:
    if node.code in assignments:
        inherited = assignments[node.code]
    if node.is_leaf:
        if isinstance(inherited, _Keep) or inherited == node.appraiser:
            return node
        return dataclasses.replace(node, appraiser=inherited)
    children = tuple(_assign(child, assignments, inherited) for child in node.children)
    return node if children == node.children else dataclasses.replace(node, children=children)


# ---------------------------------------------------------------- storing


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _checked(yaml_text: str, name: str) -> CriteriaSet:
    """The set read from the text, or InputError: the checker's problems, then the limits."""
    criteria = parse_criteria(yaml_text, name)
    problems: list[Problem] = []

    def too_long(value: str | None, limit: int, path: str) -> None:
        if value and len(value) > limit:
            problems.append(
                Problem(
                    name,
                    msg(
                        "dài quá {n} ký tự",
                        "longer than {n} characters",
                        n=limit,
                    ),
                    path=path,
                )
            )

    too_long(criteria.code, _LIMITS["code"], "code")
    too_long(criteria.title, _LIMITS["title"], "title")
    too_long(criteria.unit_group, _LIMITS["unit_group"], "unit_group")
    for node, path in _walk_paths(criteria.nodes, "nodes"):
        too_long(node.code, _LIMITS["node_code"], f"{path}.code")
        too_long(node.appraiser, _LIMITS["appraiser"], f"{path}.appraiser")
    if problems:
        raise InputError(problems)
    return criteria


def _walk(nodes: tuple[Node, ...]) -> list[Node]:
    found: list[Node] = []
    for node in nodes:
        found.append(node)
        found.extend(_walk(node.children))
    return found


def _walk_paths(nodes: tuple[Node, ...], path: str) -> list[tuple[Node, str]]:
    """Each node with its YAML key path (`nodes[0].children[2]`)."""
    found: list[tuple[Node, str]] = []
    for i, node in enumerate(nodes):
        here = f"{path}[{i}]"
        found.append((node, here))
        found.extend(_walk_paths(node.children, f"{here}.children"))
    return found


def _lock_authority(authority: Authority) -> None:
    """Versions of one authority are numbered one at a time."""
    Authority.objects.select_for_update().filter(pk=authority.pk).first()


def _latest(authority: Authority, code: str) -> CriteriaSetVersion | None:
    return (
        CriteriaSetVersion.objects.filter(authority=authority, code=code)
        .order_by("-version")
        .first()
    )


def _group(authority: Authority, criteria: CriteriaSet) -> UnitGroup:
    group, _ = UnitGroup.objects.get_or_create(
        authority=authority, code=criteria.unit_group, defaults={"name": criteria.unit_group}
    )
    return group


def _create_version(
    authority: Authority, criteria: CriteriaSet, yaml_text: str, created_by: User | None
) -> CriteriaSetVersion:
    latest = _latest(authority, criteria.code)
    version = CriteriaSetVersion.objects.create(
        authority=authority,
        code=criteria.code,
        version=(latest.version + 1) if latest else 1,
        title=criteria.title,
        year=criteria.year,
        unit_group=_group(authority, criteria),
        yaml_text=yaml_text,
        sha256=_sha256(yaml_text),
        created_by=created_by,
    )
    _store_nodes(version, criteria)
    return version


def _store_nodes(version: CriteriaSetVersion, criteria: CriteriaSet) -> None:
    """The node rows of a version, in depth-first order: one INSERT per level of the tree."""
    levels: list[list[tuple[CriterionNode, CriterionNode | None]]] = []
    position = 0

    def collect(node: Node, parent: CriterionNode | None, depth: int) -> None:
        nonlocal position
        row = CriterionNode(
            criteria_set=version,
            code=node.code,
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
        while len(levels) <= depth:
            levels.append([])
        levels[depth].append((row, parent))
        for child in node.children:
            collect(child, row, depth + 1)

    for top in criteria.nodes:
        collect(top, None, 0)
    for level in levels:
        for row, parent in level:
            row.parent = parent  # saved one level up, so it has its primary key now
        created = CriterionNode.objects.bulk_create([row for row, _ in level])
        if any(row.pk is None for row in created):  # a backend that returns no keys
            keys = dict(
                CriterionNode.objects.filter(
                    criteria_set=version, code__in=[row.code for row in created]
                ).values_list("code", "pk")
            )
            for row in created:
                row.pk = keys[row.code]


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
