"""Writing evaluating authorities, unit groups (*khối*) and units (*đơn vị*) with their lineage.

`units_import` is the one way units arrive in bulk: a units file (FORMATS "Units — CSV", or
the same table as XLSX) is read, checked against what the authority already holds, and only
then written, all in one transaction. Every problem is reported with its line; nothing is
half-written; importing the same file twice changes nothing.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.core.validators import slug_re
from django.db import transaction

from parindex.accounts.models import User
from parindex.formats.inputs import UnitRecord, read_units
from parindex.formats.problems import InputError, Problem
from parindex.formats.tables import read_table
from parindex.scoring.messages import Message, msg
from parindex.units.models import Authority, Unit, UnitGroup

logger = logging.getLogger(__name__)

# The lengths of the model fields the units file fills; longer values are problems, not a
# database error that only PostgreSQL would raise.
_CODE_MAX = Unit._meta.get_field("code").max_length or 64
_NAME_MAX = Unit._meta.get_field("name").max_length or 255
_TYPE_MAX = Unit._meta.get_field("type").max_length or 64
_GROUP_MAX = UnitGroup._meta.get_field("code").max_length or 64


@dataclass(frozen=True, slots=True)
class UnitsImportReport:
    """What an import did: units created, changed and left as they were; groups created."""

    created: int
    updated: int
    unchanged: int
    groups_created: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


# ---------------------------------------------------------------- authorities and groups


@transaction.atomic
def authority_create(
    *, code: str, name: str, parent: Authority | None = None, by: User | None = None
) -> Authority:
    """A new evaluating authority (*cơ quan đánh giá*); ValidationError on a bad or taken code."""
    authority = Authority(code=code, name=name, parent=parent)
    authority.full_clean()
    authority.save()
    logger.info("authority %s created by %s", authority.code, by)
    return authority


@transaction.atomic
def unit_group_create(
    *, authority: Authority, code: str, name: str = "", by: User | None = None
) -> UnitGroup:
    """A new unit group (*khối*) of an authority; its name defaults to its code."""
    group = UnitGroup(authority=authority, code=code, name=name or code)
    group.full_clean()
    group.save()
    logger.info("unit group %s of %s created by %s", group.code, authority.code, by)
    return group


# ---------------------------------------------------------------- units import


@dataclass(frozen=True, slots=True)
class _Row:
    record: UnitRecord
    line: int

    @property
    def code(self) -> str:
        return self.record.unit.code


@transaction.atomic
def units_import(
    *, authority: Authority, path: str | Path, display_name: str, by: User | None
) -> UnitsImportReport:
    """Create or update the authority's units from a units file (CSV or XLSX), by code.

    Each row describes its unit completely: name, type, group (created in the authority when
    missing; matched without regard to case), parent (a code of the file or of the
    authority; it may come later in the file), validity dates and predecessors (the same).
    An empty cell clears the value. Units of the authority that the file does not list are
    left alone. Raises `InputError` listing every problem, each with `display_name` and its
    line, and then writes nothing.
    """
    # One import of an authority at a time: the second waits for the first to commit.
    Authority.objects.select_for_update().filter(pk=authority.pk).first()
    rows = _read(path, display_name)
    existing = {
        unit.code: unit
        for unit in Unit.objects.filter(authority=authority).prefetch_related("predecessors")
    }
    groups = {
        group.code.casefold(): group for group in UnitGroup.objects.filter(authority=authority)
    }
    problems = _problems(rows, existing, groups, display_name)
    if problems:
        raise InputError(problems)
    report = _write(authority, rows, existing, groups)
    logger.info(
        "units of %s imported from %s by %s: %s created, %s updated, %s unchanged",
        authority.code,
        display_name,
        by,
        report.created,
        report.updated,
        report.unchanged,
    )
    return report


def _read(path: str | Path, display_name: str) -> list[_Row]:
    try:
        records = read_units(path)
    except InputError as exc:
        raise InputError(_renamed(exc.problems, display_name)) from exc
    # `read_units` has checked the codes are present and unique: each has one line.
    table = read_table(path, required=("code", "name"), display=display_name)
    lines = {row["code"]: line for line, row in table.rows if row["code"]}
    return [_Row(record, lines[record.unit.code]) for record in records]


def _renamed(problems: Iterable[Problem], display_name: str) -> list[Problem]:
    return [dataclasses.replace(problem, file=display_name) for problem in problems]


def _problems(
    rows: list[_Row],
    existing: dict[str, Unit],
    groups: dict[str, UnitGroup],
    display_name: str,
) -> list[Problem]:
    problems: list[Problem] = []
    known = {row.code for row in rows} | existing.keys()

    def report(row: _Row, message: Message) -> None:
        problems.append(Problem(display_name, message, row.line))

    for row in rows:
        unit = row.record.unit
        for message in _length_problems(unit.code, unit.name, unit.type, unit.group):
            report(row, message)
        if not unit.name:
            report(row, msg("thiếu tên đơn vị", "the unit name is empty"))
        group = unit.group
        if group and group.casefold() not in groups and not slug_re.match(group):
            report(
                row,
                msg(
                    "mã khối '{g}' chỉ được gồm chữ cái không dấu, chữ số, '-' và '_' "
                    "(ví dụ so_nganh)",
                    "the group code '{g}' may hold only letters without accents, digits, '-' "
                    "and '_' (e.g. so_nganh)",
                    g=group,
                ),
            )
        if unit.parent == unit.code:
            report(
                row,
                msg(
                    "đơn vị không thể là đơn vị cha của chính nó", "a unit cannot be its own parent"
                ),
            )
        elif unit.parent and unit.parent not in known:
            report(
                row,
                msg(
                    "không có đơn vị cha mã {p} (trong tệp hay trong các đơn vị đã có)",
                    "unknown parent unit code {p} (neither in the file nor stored)",
                    p=unit.parent,
                ),
            )
        for predecessor in unit.predecessors:
            if predecessor == unit.code:
                report(
                    row,
                    msg(
                        "đơn vị không thể là đơn vị tiền thân của chính nó",
                        "a unit cannot be its own predecessor",
                    ),
                )
            elif predecessor not in known:
                report(
                    row,
                    msg(
                        "không có đơn vị tiền thân mã {p} (trong tệp hay trong các đơn vị đã có)",
                        "unknown predecessor unit code {p} (neither in the file nor stored)",
                        p=predecessor,
                    ),
                )
    if problems:
        return problems  # loops are looked for among known codes only
    for row, chain in _parent_loops(rows, existing):
        report(
            row,
            msg(
                "chuỗi đơn vị cha quay vòng: {c}",
                "the chain of parents loops: {c}",
                c=" → ".join(chain),
            ),
        )
    for row, chain in _lineage_loops(rows, existing):
        report(
            row,
            msg(
                "chuỗi đơn vị tiền thân quay vòng: {c}",
                "the chain of predecessors loops: {c}",
                c=" → ".join(chain),
            ),
        )
    return problems


def _length_problems(code: str, name: str, type_: str, group: str) -> list[Message]:
    found = []
    for column, value, limit in (
        ("code", code, _CODE_MAX),
        ("name", name, _NAME_MAX),
        ("type", type_, _TYPE_MAX),
        ("group", group, _GROUP_MAX),
    ):
        if len(value) > limit:
            found.append(
                msg(
                    "{c}: dài {n} ký tự, tối đa {m}",
                    "{c}: {n} characters long, at most {m}",
                    c=column,
                    n=len(value),
                    m=limit,
                )
            )
    return found


def _parent_loops(rows: list[_Row], existing: dict[str, Unit]) -> list[tuple[_Row, list[str]]]:
    """The file's units whose chain of parents, as it will stand, comes back to them."""
    by_id = {unit.pk: code for code, unit in existing.items()}
    parents: dict[str, str] = {
        code: by_id.get(unit.parent_id, "") for code, unit in existing.items() if unit.parent_id
    }
    for row in rows:
        parents[row.code] = row.record.unit.parent
    found = []
    for row in rows:
        chain = [row.code]
        current = parents.get(row.code, "")
        while current and current not in chain:
            chain.append(current)
            current = parents.get(current, "")
        if current == row.code:
            found.append((row, [*chain, row.code]))
    return found


def _lineage_loops(rows: list[_Row], existing: dict[str, Unit]) -> list[tuple[_Row, list[str]]]:
    """The file's units that would be, through their predecessors, their own predecessor."""
    predecessors: dict[str, tuple[str, ...]] = {
        code: tuple(p.code for p in unit.predecessors.all()) for code, unit in existing.items()
    }
    for row in rows:
        predecessors[row.code] = row.record.unit.predecessors
    found = []
    for row in rows:
        # depth-first search for a path back to the unit; `via` remembers how each was reached
        via: dict[str, str] = {}
        stack = [row.code]
        loop_end = ""
        while stack and not loop_end:
            current = stack.pop()
            for predecessor in predecessors.get(current, ()):
                if predecessor == row.code:
                    loop_end = current
                    break
                if predecessor not in via:
                    via[predecessor] = current
                    stack.append(predecessor)
        if loop_end:
            chain = [loop_end]
            while chain[-1] != row.code:
                chain.append(via[chain[-1]])
            found.append((row, [*reversed(chain), row.code]))
    return found


def _write(
    authority: Authority,
    rows: list[_Row],
    existing: dict[str, Unit],
    groups: dict[str, UnitGroup],
) -> UnitsImportReport:
    groups_created = 0
    for row in rows:
        group_code = row.record.unit.group
        if group_code and group_code.casefold() not in groups:
            groups[group_code.casefold()] = UnitGroup.objects.create(
                authority=authority, code=group_code, name=group_code
            )
            groups_created += 1

    units = dict(existing)
    created: set[str] = set()
    changed: set[str] = set()
    # Parents first, so that each unit is written once with its parent already stored.
    for row in _parents_first(rows):
        record = row.record
        group = groups[record.unit.group.casefold()] if record.unit.group else None
        parent = units[record.unit.parent] if record.unit.parent else None
        wanted = {
            "name": record.unit.name,
            "type": record.unit.type,
            "group_id": group.pk if group else None,
            "parent_id": parent.pk if parent else None,
            "valid_from": record.valid_from,
            "valid_to": record.valid_to,
        }
        unit = units.get(row.code)
        if unit is None:
            units[row.code] = Unit.objects.create(authority=authority, code=row.code, **wanted)
            created.add(row.code)
            continue
        fields = [name for name, value in wanted.items() if getattr(unit, name) != value]
        if fields:
            for name in fields:
                setattr(unit, name, wanted[name])
            unit.save(update_fields=[*fields, "updated_at"])
            changed.add(row.code)

    for row in rows:
        unit = units[row.code]
        wanted_ids = {units[code].pk for code in row.record.unit.predecessors}
        current_ids = (
            set() if row.code in created else {p.pk for p in existing[row.code].predecessors.all()}
        )
        if wanted_ids != current_ids:
            unit.predecessors.set(wanted_ids)
            if row.code not in created:
                changed.add(row.code)
                unit.save(update_fields=["updated_at"])

    return UnitsImportReport(
        created=len(created),
        updated=len(changed),
        unchanged=len(rows) - len(created) - len(changed),
        groups_created=groups_created,
    )


def _parents_first(rows: list[_Row]) -> list[_Row]:
    """The rows ordered so that a parent listed in the file comes before its children."""
    by_code = {row.code: row for row in rows}
    ordered: list[_Row] = []
    placed: set[str] = set()
    for row in rows:
        pending = []
        current: _Row | None = row
        while current is not None and current.code not in placed and current not in pending:
            pending.append(current)
            current = by_code.get(current.record.unit.parent)
        for item in reversed(pending):
            ordered.append(item)
            placed.add(item.code)
    return ordered
