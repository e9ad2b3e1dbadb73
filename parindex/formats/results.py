"""Results as FORMATS.md writes them: JSON (the exact shape), CSV and XLSX."""

from __future__ import annotations

import csv
import functools
import io
import json
from decimal import Decimal
from typing import Any

from parindex.scoring.engine import ENGINE_VERSION
from parindex.scoring.improve import Improvement
from parindex.scoring.model import CriteriaSet
from parindex.scoring.numbers import quantize
from parindex.scoring.results import LeafResult, Results, UnitResult

Number = int | float | None
PRETTY_UP_TO = 500  # units; larger results are written compact, which is ~10× faster


def number(value: Decimal | None, decimals: int) -> Number:
    """A JSON number rounded half-up to `decimals`: 83.25, 64, 7.5."""
    if value is None:
        return None
    return _number(value, decimals)


@functools.lru_cache(maxsize=1 << 16)  # leaf points repeat a lot: 1, 0.5, 0 ...
def _number(value: Decimal, decimals: int) -> int | float:
    rounded = quantize(value, decimals)
    if rounded == rounded.to_integral_value():
        return int(rounded)
    return float(rounded)  # the shortest repr of a value with ≤ decimals places is exact text


def results_document(results: Results, criteria: CriteriaSet, lang: str = "vi") -> dict[str, Any]:
    d = results.decimals
    document: dict[str, Any] = {
        "criteria_set": results.criteria_set,
        "year": results.year,
        "unit_group": results.unit_group,
        "engine_version": ENGINE_VERSION,
        "units": [unit_document(u, criteria, d, lang) for u in results.units],
        "summary": {
            "units": results.summary.units,
            "mean": number(results.summary.mean, d),
            "median": number(results.summary.median, d),
            "min": number(results.summary.min, d),
            "max": number(results.summary.max, d),
            "classes": dict(results.summary.classes),
            "weak_fields": [
                {"code": w.code, "title": w.title, "percent": number(w.percent, d)}
                for w in results.summary.weak_fields
            ],
        },
    }
    if results.survey is not None:
        document["survey"] = {
            "accepted": results.survey.accepted,
            "rejected": results.survey.rejected,
        }
    return document


def unit_document(unit: UnitResult, criteria: CriteriaSet, d: int, lang: str) -> dict[str, Any]:
    previous: dict[str, Any] | None = None
    delta: dict[str, Any] | None = None
    if unit.previous is not None:
        previous = {"index": number(unit.previous.index, d), "rank": unit.previous.rank}
        if unit.previous_from:
            previous["from"] = list(unit.previous_from)
    if unit.delta is not None:
        delta = {"index": number(unit.delta.index, d), "rank": unit.delta.rank}
    return {
        "unit": unit.unit.code,
        "name": unit.unit.name,
        "points": number(unit.points, d),
        "applicable_max": number(unit.applicable_max, d),
        "index": number(unit.index, d),
        "rank": unit.rank,
        "class": unit.class_code,
        "class_label": criteria.class_label(unit.class_code),
        "class_before_caps": unit.class_before_caps,
        "caps": [cap.reason for cap in unit.caps],
        "by_source": {source: number(p, d) for source, p in unit.by_source.items()},
        "bonus": number(unit.bonus, d),
        "penalty": number(unit.penalty, d),
        "fields": [
            {
                "code": f.code,
                "title": f.title,
                "points": number(f.points, d),
                "max": number(f.max, d),
                "percent": number(f.percent, d),
            }
            for f in unit.fields
        ],
        "leaves": [leaf_document(leaf, d) for leaf in unit.leaves],
        "previous": previous,
        "delta": delta,
        "warnings": [w.render(lang) for w in unit.warnings],
    }


def leaf_document(leaf: LeafResult, d: int) -> dict[str, Any]:
    document: dict[str, Any] = {
        "code": leaf.code,
        "value": leaf.text,
        "points": number(leaf.points, d),
        "max": number(leaf.max, d),
        "status": leaf.status.value,
        "source": leaf.source.value,
    }
    if leaf.survey is not None:
        document["responses"] = leaf.survey.responses
        document["share"] = number(leaf.survey.share, 4)
    if leaf.metric:
        document["metric"] = leaf.metric
    return document


def results_json(results: Results, criteria: CriteriaSet, lang: str = "vi") -> str:
    document = results_document(results, criteria, lang)
    if len(results.units) > PRETTY_UP_TO:  # the C encoder only runs without indentation
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- tables


def ranking_rows(results: Results, criteria: CriteriaSet) -> tuple[list[str], list[list[Any]]]:
    """One row per unit, by rank: the table behind CSV and XLSX output."""
    d = results.decimals
    fields = [f.code for f in criteria.fields]
    header = [
        "rank", "unit", "name", "index", "class", "class_before_caps", "points",
        "applicable_max", "self", "survey", "data", "bonus", "penalty",
        *[f"field_{code}" for code in fields],
        "previous_index", "previous_rank", "delta_index", "delta_rank", "caps",
    ]  # fmt: skip
    rows = []
    for u in results.units:
        by_field = {f.code: f.points for f in u.fields}
        rows.append(
            [
                u.rank,
                u.unit.code,
                u.unit.name,
                number(u.index, d),
                u.class_code or "",
                u.class_before_caps or "",
                number(u.points, d),
                number(u.applicable_max, d),
                number(u.by_source["self"], d),
                number(u.by_source["survey"], d),
                number(u.by_source["data"], d),
                number(u.bonus, d),
                number(u.penalty, d),
                *[number(by_field.get(code), d) for code in fields],
                number(u.previous.index, d) if u.previous else None,
                u.previous.rank if u.previous else None,
                number(u.delta.index, d) if u.delta else None,
                u.delta.rank if u.delta else None,
                "; ".join(cap.reason for cap in u.caps),
            ]
        )
    return header, rows


def leaf_rows(results: Results) -> tuple[list[str], list[list[Any]]]:
    d = results.decimals
    header = ["unit", "code", "source", "value", "points", "max", "status"]
    rows = [
        [u.unit.code, leaf.code, leaf.source.value, leaf.text or "", number(leaf.points, d),
         number(leaf.max, d), leaf.status.value]
        for u in results.units
        for leaf in u.leaves
    ]  # fmt: skip
    return header, rows


def neutralise(cell: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def results_csv(results: Results, criteria: CriteriaSet) -> str:
    header, rows = ranking_rows(results, criteria)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(["" if c is None else neutralise(c) for c in row])
    return buffer.getvalue()


def results_xlsx(results: Results, criteria: CriteriaSet) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    for title, (header, rows) in (
        ("Xếp hạng", ranking_rows(results, criteria)),
        ("Chi tiết", leaf_rows(results)),
    ):
        sheet = book.add_worksheet(title)
        sheet.write_row(0, 0, header, bold)
        for r, row in enumerate(rows, start=1):
            for c, cell in enumerate(row):
                if isinstance(cell, str):
                    sheet.write_string(r, c, cell)
                elif cell is not None:
                    sheet.write_number(r, c, cell)
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()


def improvement_document(plan: Improvement, decimals: int) -> dict[str, Any]:
    return {
        "unit": plan.unit,
        "index": number(plan.index, decimals),
        "rank": plan.rank,
        "target_rank": plan.target_rank,
        "target_index": number(plan.target_index, decimals),
        "index_needed": number(plan.index_needed, decimals),
        "points_needed": number(plan.points_needed, decimals),
        "leaves": [
            {
                "code": leaf.code,
                "title": leaf.title,
                "points": number(leaf.points, decimals),
                "max": number(leaf.max, decimals),
                "lost": number(leaf.lost, decimals),
            }
            for leaf in plan.leaves
        ],
    }
