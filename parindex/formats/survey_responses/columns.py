"""The column mapping of a survey export and the matching of its headers."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from parindex.formats.problems import InputError, Problem
from parindex.scoring.messages import msg

# Internal column names (question codes cannot clash with them).
_ROW, _LINE = "__row", "__line"
_ID, _UNIT, _GROUP, _TIME = "__id", "__unit", "__group", "__time"
_BAD = "\x00"  # a value that could not be read (an answer, unit or group)
_BOM = b"\xef\xbb\xbf"
_OUTPUT = ("response_id", "unit", "group", "submitted_at", "line")
_UTC_OFFSET = "%Y-%m-%dT%H:%M:%S%.f%z"
_UTC_NAIVE = "%Y-%m-%dT%H:%M:%S%.f"
_WHOLE = re.compile(r"(-?\d+)(?:[.,]0+)?", re.ASCII)
_ZONE = re.compile(
    r"(.*\d:\d\d(?::\d\d(?:[.,]\d+)?)?)\s*(Z|[+-]\d\d(?::?\d\d)?)", re.ASCII | re.IGNORECASE
)


# ---------------------------------------------------------------- the column mapping


@dataclass(frozen=True, slots=True)
class ColumnMap:
    """Which header of an export holds what; stored by the web app as JSON."""

    response_id: str = "response_id"
    unit: str = "unit"
    group: str = "group"  # "" when fixed_group is used
    fixed_group: str = ""  # every row belongs to this group (one Kobo form per group)
    submitted_at: str = "submitted_at"  # "" = not in the file
    questions: Mapping[str, str] = field(default_factory=dict)  # header → question code
    unit_values: Mapping[str, str] = field(default_factory=dict)  # value as written → unit

    def to_json(self) -> dict[str, Any]:
        return {
            "response_id": self.response_id,
            "unit": self.unit,
            "group": self.group,
            "fixed_group": self.fixed_group,
            "submitted_at": self.submitted_at,
            "questions": dict(self.questions),
            "unit_values": dict(self.unit_values),
        }

    @classmethod
    def from_json(cls, data: Any) -> ColumnMap:
        """The map `to_json` wrote; ValueError for anything else. Missing keys: defaults."""
        if not isinstance(data, Mapping):
            raise ValueError("a column map is a JSON object")
        names = set(ColumnMap.__dataclass_fields__)
        unknown = sorted(str(key) for key in data if key not in names)
        if unknown:
            raise ValueError(f"unknown column map key(s): {', '.join(unknown)}")
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key in ("questions", "unit_values"):
                if not isinstance(value, Mapping) or not all(
                    isinstance(k, str) and isinstance(v, str) for k, v in value.items()
                ):
                    raise ValueError(f"{key} must map text to text")
                values[key] = dict(value)
            elif isinstance(value, str):
                values[key] = value
            else:
                raise ValueError(f"{key} must be text")
        return cls(**values)


KOBO_COLUMNS = ColumnMap(
    response_id="_uuid", unit="unit", group="group", submitted_at="_submission_time"
)


# ---------------------------------------------------------------- matching headers


def _norm(text: str) -> str:
    """Text as compared: NFC, casefolded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _last_segment(header: str) -> str:
    return header.rsplit("/", 1)[-1]


def _find(header: list[str], wanted: str) -> list[int]:
    """Positions of the headers matching `wanted`: whole, else by the last path segment."""
    key = _norm(wanted)
    whole = [i for i, name in enumerate(header) if name == key]
    if whole or "/" in key:
        return whole
    return [i for i, name in enumerate(header) if _last_segment(name) == key]


def _header_problem(display: str, line: int, vi: str, en: str, **params: object) -> Problem:
    return Problem(display, msg(vi, en, **params), line)


@dataclass(frozen=True, slots=True)
class _Layout:
    """The columns to read: (position, internal name), and the questions in file order."""

    wanted: list[tuple[int, str]]
    questions: list[str]


def _fixed_columns(columns: ColumnMap) -> list[tuple[str, str]]:
    fixed = [(_ID, columns.response_id), (_UNIT, columns.unit)]
    if not columns.fixed_group:
        fixed.append((_GROUP, columns.group))
    if columns.submitted_at:
        fixed.append((_TIME, columns.submitted_at))
    return fixed


def _locate(
    display: str, line: int, header: list[str], wanted: str, problems: list[Problem]
) -> int | None:
    found = _find(header, wanted)
    if not found:
        problems.append(
            _header_problem(display, line, "thiếu cột {c}", "missing column {c}", c=wanted.strip())
        )
        return None
    if len(found) > 1:
        problems.append(
            _header_problem(
                display,
                line,
                "cột {c} có nhiều hơn một lần",
                "column {c} appears more than once",
                c=wanted.strip(),
            )
        )
        return None
    return found[0]


def _mapped_questions(
    display: str,
    line: int,
    header: list[str],
    columns: ColumnMap,
    codes: Mapping[str, str],
    problems: list[Problem],
) -> list[tuple[int, str]]:
    """(position, question code) of the mapped question headers."""
    found: list[tuple[int, str]] = []
    for name, code in columns.questions.items():
        canonical = codes.get(_norm(code))
        if canonical is None:
            problems.append(
                _header_problem(
                    display,
                    line,
                    "cột {c} ứng với câu hỏi {q} không có trong phiếu",
                    "column {c} is mapped to question {q}, which the questionnaire lacks",
                    c=name,
                    q=code,
                )
            )
        position = _locate(display, line, header, name, problems)
        if position is not None and canonical is not None:
            found.append((position, canonical))
    return found


def _matched_questions(
    header: list[str], used: set[int], codes: Mapping[str, str]
) -> list[tuple[int, str]]:
    """(position, question code) of the headers named after a question, whole or by the last
    path segment."""
    found: list[tuple[int, str]] = []
    for position, name in enumerate(header):
        if position in used:
            continue
        code = codes.get(name, codes.get(_last_segment(name)))
        if code is not None:
            found.append((position, code))
    return found


def _layout(
    display: str, raw_header: list[str], line: int, columns: ColumnMap, questions: Collection[str]
) -> _Layout:
    """The columns to read, or InputError naming every problem of the header."""
    header = [_norm(cell) for cell in raw_header]
    problems: list[Problem] = []
    wanted: list[tuple[int, str]] = []
    for name, mapped in _fixed_columns(columns):
        position = _locate(display, line, header, mapped, problems)
        if position is not None:
            wanted.append((position, name))
    codes = {_norm(code): code for code in questions}
    if columns.questions:
        found = _mapped_questions(display, line, header, columns, codes, problems)
    else:
        found = _matched_questions(header, {p for p, _ in wanted}, codes)
    by_code: dict[str, list[int]] = {}
    for position, code in found:
        by_code.setdefault(code, []).append(position)
    for code, positions in by_code.items():
        if len(positions) > 1:
            problems.append(
                _header_problem(
                    display,
                    line,
                    "nhiều cột cùng ứng với câu hỏi {q}: {c}",
                    "several columns hold question {q}: {c}",
                    q=code,
                    c=", ".join(raw_header[p].strip() for p in positions),
                )
            )
    if not found and not problems:
        problems.append(
            _header_problem(
                display,
                line,
                "không có cột câu hỏi nào (các câu hỏi: {q})",
                "no question column (the questions: {q})",
                q=", ".join(sorted(questions)[:20]),
            )
        )
    if problems:
        raise InputError(problems)
    ordered = sorted(found)
    names = [code for _, code in ordered]
    wanted.extend((position, f"__q{i}") for i, (position, _) in enumerate(ordered))
    return _Layout(sorted(wanted), names)
