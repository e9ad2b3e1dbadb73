"""One unit's score sheet as XLSX, in the layout provinces print (*bảng điểm*): STT 1 / 1.1 /
1.1.1, content, max points, the unit's self-assessed value and points, the appraised value,
the final points and the notes; a total row. Text cells that a spreadsheet would run as a
formula are neutralised.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from parindex.formats.results import neutralise, number
from parindex.scoring.model import CriteriaSet, Node
from parindex.scoring.results import UnitResult

HEADERS = {
    "vi": (
        "STT", "Nội dung", "Điểm tối đa", "Tự đánh giá", "Điểm tự chấm",
        "Giá trị thẩm định", "Điểm thẩm định", "Ghi chú",
    ),
    "en": (
        "No.", "Content", "Max points", "Self-assessed", "Self points",
        "Appraised value", "Final points", "Notes",
    ),
}  # fmt: skip
TOTAL = {"vi": "Tổng điểm", "en": "Total"}


@dataclass(frozen=True)
class LeafInput:
    """What the unit entered for a leaf and what the appraisal made of it."""

    value: str = ""
    appraised: str = ""
    note: str = ""
    reason: str = ""


def score_sheet_xlsx(
    criteria: CriteriaSet,
    title: str,
    own: UnitResult,
    final: UnitResult,
    inputs: Mapping[str, LeafInput],
    lang: str = "vi",
) -> bytes:
    """The sheet: `own` are the engine's points of the self-assessed values, `final` those of
    the values after appraisal (the same as `own` before any appraisal)."""
    import xlsxwriter

    d = criteria.decimals
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True, "text_wrap": True, "valign": "top", "border": 1})
    text = book.add_format({"text_wrap": True, "valign": "top", "border": 1})
    figure = book.add_format({"valign": "top", "border": 1, "num_format": "0." + "0" * d})
    sheet = book.add_worksheet("Bảng điểm" if lang != "en" else "Score sheet")
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 6, 13)
    sheet.set_column(7, 7, 40)
    sheet.write_string(0, 0, neutralise(title), book.add_format({"bold": True}))
    sheet.write_row(2, 0, HEADERS["en" if lang == "en" else "vi"], bold)
    sheet.freeze_panes(3, 2)
    own_points = _points_by_code(criteria, own)
    final_points = _points_by_code(criteria, final)
    row = 3
    for node, depth in _walk(criteria.nodes):
        style = bold if node.children else text
        leaf = inputs.get(node.code, LeafInput())
        notes = "; ".join(part for part in (leaf.note, leaf.reason) if part)
        cells: list[str | float | int | None] = [
            node.code,
            "  " * depth + node.title,
            number(node.max, d),
            leaf.value or None,
            number(own_points.get(node.code), d),
            leaf.appraised or None,
            number(final_points.get(node.code), d),
            notes or None,
        ]
        _write_row(sheet, row, cells, style, figure)
        row += 1
    totals = [
        None, TOTAL["en" if lang == "en" else "vi"], number(criteria.max_points, d), None,
        number(own.points, d), None, number(final.points, d), None,
    ]  # fmt: skip
    _write_row(sheet, row, totals, bold, figure)
    book.close()
    return buffer.getvalue()


def _walk(nodes: tuple[Node, ...], depth: int = 0) -> list[tuple[Node, int]]:
    found: list[tuple[Node, int]] = []
    for node in nodes:
        found.append((node, depth))
        found.extend(_walk(node.children, depth + 1))
    return found


def _points_by_code(criteria: CriteriaSet, result: UnitResult) -> dict[str, Decimal]:
    """Points of every node: leaves as the engine gave them, groups as their leaves' sum."""
    points: dict[str, Decimal] = {leaf.code: leaf.points for leaf in result.leaves}

    def total(node: Node) -> Decimal:
        if node.children:
            points[node.code] = sum((total(child) for child in node.children), Decimal(0))
        return points.get(node.code, Decimal(0))

    for node in criteria.nodes:
        total(node)
    return points


def _write_row(sheet: object, row: int, cells: list[str | float | int | None], style: object,
               figure: object) -> None:  # fmt: skip
    for column, cell in enumerate(cells):
        if cell is None:
            sheet.write_blank(row, column, None, style)  # type: ignore[attr-defined]
        elif isinstance(cell, str):
            sheet.write_string(row, column, neutralise(cell), style)  # type: ignore[attr-defined]
        else:
            sheet.write_number(row, column, cell, figure)  # type: ignore[attr-defined]
