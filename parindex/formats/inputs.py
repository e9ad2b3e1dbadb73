"""Readers of a computation's input files: units, values, metrics, survey answers, last results.

Each reader follows FORMATS.md to the letter, collects every problem it finds and raises one
`InputError` rather than return a partial result. The one exception is the survey answers
file, whose bad rows are *rejected* (returned as problems beside the tally) while the rest
count, as FORMATS "Survey answers — CSV" says.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from parindex.formats.dates import parse_date
from parindex.formats.problems import InputError, Problem
from parindex.formats.tables import (
    decode_utf8,
    read_bytes,
    read_table,
)
from parindex.scoring.messages import Message, ScoringError, msg
from parindex.scoring.model import (
    CriteriaSet,
    Entry,
    LeafValue,
    Node,
    NodeKind,
    PreviousResult,
    Source,
    Unit,
)
from parindex.scoring.numbers import parse_number
from parindex.scoring.values import parse_leaf_value

# ---------------------------------------------------------------- units


@dataclass(frozen=True, slots=True)
class UnitRecord:
    """A row of the units file: the unit and the period it exists in (None: open-ended)."""

    unit: Unit
    valid_from: dt.date | None
    valid_to: dt.date | None


def read_units(path: str | Path) -> list[UnitRecord]:
    """FORMATS "Units — CSV": `code,name,group,type,parent,valid_from,valid_to,predecessors`."""
    table = read_table(path, required=("code", "name"))
    problems: list[Problem] = []
    records: list[UnitRecord] = []
    first_line: dict[str, int] = {}
    for line, row in table.rows:
        code = row["code"]
        if not code:
            problems.append(
                Problem(table.file, msg("thiếu mã đơn vị", "the unit code is empty"), line)
            )
            continue
        if code in first_line:
            problems.append(
                Problem(
                    table.file,
                    msg(
                        "mã đơn vị {c} bị lặp lại (đã có ở dòng {l})",
                        "duplicate unit code {c} (already on line {l})",
                        c=code,
                        l=first_line[code],
                    ),
                    line,
                )
            )
            continue
        first_line[code] = line
        dates: list[dt.date | None] = []
        for column in ("valid_from", "valid_to"):
            text = row.get(column, "")
            try:
                dates.append(parse_date(text) if text else None)
            except ScoringError as exc:
                problems.append(Problem(table.file, _prefixed(column, exc.message), line))
                dates.append(None)
        valid_from, valid_to = dates
        if valid_from is not None and valid_to is not None and valid_to < valid_from:
            problems.append(
                Problem(
                    table.file,
                    msg(
                        "valid_to ({t}) trước valid_from ({f})",
                        "valid_to ({t}) is before valid_from ({f})",
                        t=valid_to.isoformat(),
                        f=valid_from.isoformat(),
                    ),
                    line,
                )
            )
        predecessors = tuple(
            p for p in (part.strip() for part in row.get("predecessors", "").split(";")) if p
        )
        unit = Unit(
            code=code,
            name=row["name"],
            group=row.get("group", ""),
            type=row.get("type", ""),
            parent=row.get("parent", ""),
            predecessors=predecessors,
        )
        records.append(UnitRecord(unit, valid_from, valid_to))
    if problems:
        raise InputError(problems)
    return records


def units_for(records: Iterable[UnitRecord], *, unit_group: str, year: int) -> tuple[Unit, ...]:
    """The units of a set's group (or of no group) that exist at the end of `year`.

    The index rates the units standing when the year is assessed: a commune merged away on
    1 July 2025 is not ranked in 2025; the commune that continues it is (and is compared with
    its predecessors through its lineage).
    """
    wanted = unit_group.strip().casefold()
    last = dt.date(year, 12, 31)
    return tuple(
        record.unit
        for record in records
        if record.unit.group.strip().casefold() in ("", wanted)
        and (record.valid_from is None or record.valid_from <= last)
        and (record.valid_to is None or record.valid_to >= last)
    )


# ---------------------------------------------------------------- values


def _prefixed(prefix: str, message: Message) -> Message:
    return Message(f"{prefix}: {message.vi}", f"{prefix}: {message.en}")


def _entered_leaves(criteria: CriteriaSet) -> dict[str, Node]:
    """The leaves that take a value in the values file: self, data, bonus and penalty leaves."""
    found: dict[str, Node] = {}
    for top in criteria.nodes:
        outside = top.kind in (NodeKind.BONUS, NodeKind.PENALTY)
        for leaf in top.leaves():
            if outside or leaf.source in (Source.SELF, Source.DATA):
                found[leaf.code] = leaf
    return found


def _all_nodes(nodes: Iterable[Node]) -> dict[str, Node]:
    found: dict[str, Node] = {}
    for node in nodes:
        found[node.code] = node
        found.update(_all_nodes(node.children))
    return found


def unknown_unit(unit: str, units: Collection[str] | None) -> Message | None:
    if not unit:
        return msg("thiếu mã đơn vị", "the unit is empty")
    if units is not None and unit not in units:
        return msg(
            "đơn vị {u} không có trong danh sách đơn vị",
            "unit {u} is not in the units list",
            u=unit,
        )
    return None


def read_values(
    path: str | Path, criteria: CriteriaSet, units: Collection[str] | None
) -> dict[str, dict[str, Entry]]:
    """FORMATS "Values — CSV" (`unit,code,value,note`): unit → leaf code → entry.

    A row whose value cell is empty is skipped: the leaf stays missing for that unit.
    """
    table = read_table(path, required=("unit", "code", "value"))
    known = frozenset(units) if units is not None else None
    leaves = _entered_leaves(criteria)
    nodes = _all_nodes(criteria.nodes)
    folded = {code.casefold(): code for code in nodes}
    problems: list[Problem] = []
    values: dict[str, dict[str, Entry]] = {}
    first_line: dict[tuple[str, str], int] = {}
    # the same few texts ("có", "dung_han", "1") recur for every unit: read each once per leaf
    parsed: dict[tuple[str, str], LeafValue | Message] = {}

    def report(line: int, message: Message) -> None:
        problems.append(Problem(table.file, message, line))

    for line, row in table.rows:
        text = row["value"]
        if not text:
            continue
        unit, written = row["unit"], row["code"]
        unit_problem = unknown_unit(unit, known)
        if unit_problem is not None:
            report(line, unit_problem)
        code = written if written in nodes else folded.get(written.casefold(), written)
        node = nodes.get(code)
        leaf = leaves.get(code)
        if not written:
            report(line, msg("thiếu mã tiêu chí", "the criterion code is empty"))
            continue
        if node is None:
            report(
                line,
                msg(
                    "mã tiêu chí {c} không có trong bộ tiêu chí {s}",
                    "unknown criterion code {c} (not in the set {s})",
                    c=written,
                    s=criteria.code,
                ),
            )
            continue
        if not node.is_leaf:
            report(
                line,
                msg(
                    "{c} là nhóm tiêu chí; chỉ nhập giá trị cho các tiêu chí thành phần",
                    "{c} is a group of criteria; values go on its leaves",
                    c=code,
                ),
            )
            continue
        if leaf is None:
            report(
                line,
                msg(
                    "tiêu chí {c} lấy điểm từ điều tra xã hội học, không nhận giá trị nhập",
                    "leaf {c} is a survey leaf: it is scored from the survey answers and "
                    "takes no value",
                    c=code,
                ),
            )
            continue
        value = parsed.get((code, text))
        if value is None:
            try:
                value = parse_leaf_value(leaf, text)
            except ScoringError as exc:
                value = _prefixed(code, exc.message)
            parsed[(code, text)] = value
        if isinstance(value, Message):
            report(line, value)
            continue
        if unit_problem is not None:
            continue
        key = (unit, code)
        if key in first_line:
            report(
                line,
                msg(
                    "đơn vị {u}, tiêu chí {c} đã có giá trị ở dòng {l}",
                    "unit {u}, leaf {c} already has a value on line {l}",
                    u=unit,
                    c=code,
                    l=first_line[key],
                ),
            )
            continue
        first_line[key] = line
        values.setdefault(unit, {})[code] = Entry(value, text, row.get("note", ""))
    if problems:
        raise InputError(problems)
    return values


# ---------------------------------------------------------------- metrics


def read_metrics(path: str | Path, units: Collection[str] | None) -> dict[str, dict[str, Decimal]]:
    """FORMATS "Metrics — CSV" (`unit,metric,value`): unit → metric (lower case) → number.

    A row whose value cell is empty is skipped: the metric stays missing for that unit. So is a
    row of a unit outside `units`: a metrics file usually covers every unit of the province,
    and one set ranks only one group of them.
    """
    table = read_table(path, required=("unit", "metric", "value"))
    known = frozenset(units) if units is not None else None
    problems: list[Problem] = []
    metrics: dict[str, dict[str, Decimal]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for line, row in table.rows:
        text = row["value"]
        if not text:
            continue
        unit, metric = row["unit"], row["metric"].lower()
        if known is not None and unit and unit not in known:
            continue
        found = len(problems)
        unit_problem = unknown_unit(unit, known)
        if unit_problem is not None:
            problems.append(Problem(table.file, unit_problem, line))
        if not metric:
            problems.append(
                Problem(table.file, msg("thiếu tên chỉ số", "the metric name is empty"), line)
            )
        try:
            number = parse_number(text)
        except ScoringError as exc:
            problems.append(Problem(table.file, _prefixed(metric or "value", exc.message), line))
        if len(problems) > found:
            continue
        key = (unit, metric)
        if key in first_line:
            problems.append(
                Problem(
                    table.file,
                    msg(
                        "đơn vị {u}, chỉ số {m} đã có ở dòng {l}",
                        "unit {u}, metric {m} already given on line {l}",
                        u=unit,
                        m=metric,
                        l=first_line[key],
                    ),
                    line,
                )
            )
            continue
        first_line[key] = line
        metrics.setdefault(unit, {})[metric] = number
    if problems:
        raise InputError(problems)
    return metrics


# ---------------------------------------------------------------- previous results


def read_previous(path: str | Path) -> dict[str, PreviousResult]:
    """The `unit`, `index` and `rank` of each unit of a results JSON (FORMATS "Results")."""
    display = str(path)
    data = read_bytes(Path(path), display)
    text = decode_utf8(data, display)

    def problem(where: str, vi: str, en: str, **params: object) -> Problem:
        return Problem(display, msg(vi, en, **params), path=where)

    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Problem(
                    display,
                    msg("không phải là JSON: {e}", "not JSON: {e}", e=exc.msg),
                    line=exc.lineno,
                )
            ]
        ) from exc
    units = document.get("units") if isinstance(document, dict) else None
    if not isinstance(units, list):
        raise InputError(
            [
                problem(
                    "units",
                    "thiếu danh sách units (không phải là tệp kết quả của compute?)",
                    "no units list (is this a results file written by compute?)",
                )
            ]
        )
    problems: list[Problem] = []
    previous: dict[str, PreviousResult] = {}
    first: dict[str, int] = {}
    for position, entry in enumerate(units):
        where = f"units[{position}]"
        if not isinstance(entry, dict):
            problems.append(problem(where, "phải là một đối tượng", "must be an object"))
            continue
        unit = entry.get("unit")
        if not isinstance(unit, str) or not unit.strip():
            problems.append(problem(f"{where}.unit", "thiếu mã đơn vị", "the unit code is missing"))
            unit = None
        elif unit in first:
            problems.append(
                problem(
                    f"{where}.unit",
                    "đơn vị {u} bị lặp lại (đã có ở units[{p}])",
                    "duplicate unit {u} (already at units[{p}])",
                    u=unit,
                    p=first[unit],
                )
            )
            unit = None
        index = _json_number(entry.get("index"))
        if index is None:
            problems.append(
                problem(
                    f"{where}.index",
                    "thiếu chỉ số hoặc không phải là số",
                    "the index is missing or not a number",
                )
            )
        rank = entry.get("rank")
        if rank is not None and (isinstance(rank, bool) or not isinstance(rank, int) or rank < 1):
            problems.append(
                problem(
                    f"{where}.rank",
                    "thứ hạng phải là số nguyên ≥ 1 hoặc null",
                    "the rank must be a whole number ≥ 1 or null",
                )
            )
            continue
        if unit is None or index is None:
            continue
        first[unit] = position
        previous[unit] = PreviousResult(index=index, rank=rank)
    if problems:
        raise InputError(problems)
    return previous


def _json_number(value: object) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            return parse_number(value)
        except ScoringError:
            return None
    return None
