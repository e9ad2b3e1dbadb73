"""Results as a PDF report in the layout of Decree 30/2020/NĐ-CP on administrative documents.

A4; margins top 20 mm, bottom 20 mm, left 30 mm, right 20 mm; a Times-metric font (Liberation
Serif, shipped in `fonts/` under the SIL Open Font License, with every Vietnamese letter); on
page one the issuing body on the left and the national heading (*Quốc hiệu, Tiêu ngữ*) on the
right with the place and date below it; page numbers centred at the top from page two on,
never on page one. Then the title, a summary (mean, extremes, classes, weak fields), the
ranking table, the ranking as bars and the group's share of points by field as bars. Numbers
are written as the reader's language writes them: `73,79` and `1.234,5` in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate

from parindex.scoring.model import CriteriaSet
from parindex.scoring.numbers import quantize

Document = Mapping[str, Any]  # the results as `results_document` writes them (FORMATS JSON)

FONT_DIR = Path(__file__).resolve().parent / "fonts"
SERIF = "ParindexSerif"
MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 20 * mm}
BARS_PER_CHART = 40
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Heading:
    """Who issues the report and where: the left block of page one and the place line."""

    issuer: str = ""  # e.g. "UBND TỈNH SƠN LA" (upper case as written on documents)
    issuer_unit: str = ""  # e.g. "SỞ NỘI VỤ" under it, or empty
    place: str = ""  # e.g. "Sơn La"
    date: dt.date | None = None


TEXTS: dict[str, dict[str, Any]] = {
    "vi": {
        "nation": "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "motto": "Độc lập - Tự do - Hạnh phúc",
        "date": "{place}ngày {d:02d} tháng {m:02d} năm {y}",
        "title": "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year}",
        "summary": (
            "Số đơn vị: {units}. Chỉ số trung bình: {mean}; trung vị: {median}; "
            "cao nhất: {max}; thấp nhất: {min}."
        ),
        "classes": "Xếp loại: {classes}.",
        "weak": "Các lĩnh vực có tỷ lệ điểm đạt thấp nhất: {fields}.",
        "columns": ("Hạng", "Đơn vị", "Điểm", "Chỉ số (%)", "Xếp loại", "± chỉ số", "± hạng"),
        "chart": "Biểu đồ xếp hạng Chỉ số CCHC năm {year}",
        "fields_chart": "Tỷ lệ điểm đạt theo lĩnh vực của cả khối năm {year} (%)",
        "capped": "Xếp loại bị giới hạn: {units}.",
        "merged": "(*) so với bình quân các đơn vị trước sáp nhập.",
    },
    "en": {
        "nation": "SOCIALIST REPUBLIC OF VIETNAM",
        "motto": "Independence - Freedom - Happiness",
        "date": "{place}{y}-{m:02d}-{d:02d}",
        "title": "PUBLIC ADMINISTRATION REFORM INDEX {year}: RESULTS",
        "summary": (
            "Units: {units}. Mean index: {mean}; median: {median}; highest: {max}; lowest: {min}."
        ),
        "classes": "Classes: {classes}.",
        "weak": "Fields with the lowest share of points: {fields}.",
        "columns": ("Rank", "Unit", "Points", "Index (%)", "Class", "± index", "± rank"),
        "chart": "PAR index {year}: ranking",
        "fields_chart": "Share of points achieved by field, whole group, {year} (%)",
        "capped": "Class capped: {units}.",
        "merged": "(*) against the mean of the units merged into it.",
    },
}


def grouped(number: Decimal | float | None, decimals: int, lang: str) -> str:
    """A number rounded half-up to `decimals`, grouped by thousands: `1.234,50` (vi) or
    `1,234.50` (en)."""
    if number is None:
        return "—"
    # fixed decimals, as a table of figures wants; a float is read from its shortest text
    text = f"{quantize(Decimal(str(number)), decimals):,f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def results_pdf(
    results: Document, criteria: CriteriaSet, lang: str = "vi", heading: Heading | None = None
) -> bytes:
    """The ranking report as PDF bytes, from the results document (a published snapshot's
    `results`, or `results_document` of a computation): the same figures as the JSON."""
    _register_fonts()
    texts = TEXTS["en" if lang == "en" else "vi"]
    heading = heading or Heading()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        topMargin=MARGINS["top"],
        bottomMargin=MARGINS["bottom"],
        leftMargin=MARGINS["left"],
        rightMargin=MARGINS["right"],
        title=texts["title"].format(year=results["year"]),
        author=heading.issuer or "parindex",
        subject=criteria.title,
        creator="parindex",
        initialFontName=SERIF,  # every font embedded: no base-14 Helvetica left in the file
        initialFontSize=13,
    )
    story: list[Flowable] = [
        _national_heading(heading, texts, document.width),
        Spacer(1, 8 * mm),
        Paragraph(texts["title"].format(year=results["year"]), _style(14, bold=True)),
        Paragraph(_escape(criteria.title), _style(13, bold=True)),
        Spacer(1, 5 * mm),
        *_summary(results, criteria, texts, lang),
        Spacer(1, 4 * mm),
        _ranking_table(results, criteria, texts, lang, document.width),
        *_notes(results, texts),
        *_charts(results, criteria.decimals, texts, lang, document.width),
    ]
    document.build(story, onFirstPage=_no_number, onLaterPages=_page_number)
    return buffer.getvalue()


# ---------------------------------------------------------------- page one


def _national_heading(heading: Heading, texts: dict[str, Any], width: float) -> Table:
    left = [
        Paragraph(_escape(heading.issuer), _style(13)),
        Paragraph(f"<b>{_escape(heading.issuer_unit)}</b>", _style(13)),
    ]
    if heading.issuer or heading.issuer_unit:
        left.append(_Rule(30 * mm))
    today = heading.date or dt.datetime.now(VIETNAM).date()
    place = f"{heading.place}, " if heading.place else ""
    right = [
        Paragraph(f"<b>{texts['nation']}</b>", _style(12.5)),
        Paragraph(f"<b>{texts['motto']}</b>", _style(13.5)),
        _Rule(62 * mm),
        Spacer(1, 3 * mm),
        Paragraph(
            "<i>"
            + _escape(texts["date"].format(place=place, d=today.day, m=today.month, y=today.year))
            + "</i>",
            _style(13.5),
        ),
    ]
    table = Table([[left, right]], colWidths=[width * 0.4, width * 0.6])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


class _Rule(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """The short line under the issuer and under the motto, centred."""

    def __init__(self, length: float) -> None:
        super().__init__()
        self.length = length

    def wrap(self, available_width: float, _available_height: float) -> tuple[float, float]:
        self.available = available_width
        return available_width, 2

    def draw(self) -> None:
        start = (self.available - self.length) / 2
        self.canv.setLineWidth(0.6)
        self.canv.line(start, 1, start + self.length, 1)


# ---------------------------------------------------------------- body


def _summary(
    results: Document, criteria: CriteriaSet, texts: dict[str, Any], lang: str
) -> list[Flowable]:
    summary = results["summary"]
    d = criteria.decimals
    body = _style(13, align=TA_JUSTIFY)
    found: list[Flowable] = [
        Paragraph(
            texts["summary"].format(
                units=summary["units"],
                mean=grouped(summary["mean"], d, lang),
                median=grouped(summary["median"], d, lang),
                max=grouped(summary["max"], d, lang),
                min=grouped(summary["min"], d, lang),
            ),
            body,
        )
    ]
    labels = {rule.code: rule.label for rule in criteria.classes}
    if summary["classes"]:
        counts = ", ".join(
            f"{_escape(labels.get(code, code))} {count}"
            for code, count in summary["classes"].items()
        )
        found.append(Paragraph(texts["classes"].format(classes=counts), body))
    if summary["weak_fields"]:
        weak = "; ".join(
            f"{_escape(field['code'])}. {_escape(field['title'])} "
            f"({grouped(field['percent'], d, lang)}%)"
            for field in summary["weak_fields"]
        )
        found.append(Paragraph(texts["weak"].format(fields=weak), body))
    return found


def _ranking_table(
    results: Document, criteria: CriteriaSet, texts: dict[str, Any], lang: str, width: float
) -> LongTable:
    d = criteria.decimals
    cell = _style(11, align=TA_CENTER)
    name_cell = _style(11, align=TA_LEFT)
    head = _style(10.5, align=TA_CENTER)
    rows: list[list[Any]] = [[Paragraph(f"<b>{c}</b>", head) for c in texts["columns"]]]
    for unit in results["units"]:
        merged = " (*)" if (unit.get("previous") or {}).get("from") else ""
        delta = unit.get("delta") or {}
        rows.append(
            [
                str(unit["rank"]),
                Paragraph(_escape(unit["name"] or unit["unit"]) + merged, name_cell),
                grouped(unit["points"], d, lang),
                grouped(unit["index"], d, lang),
                Paragraph(_escape(unit.get("class_label") or unit.get("class") or ""), cell),
                _signed(delta.get("index"), d, lang),
                _signed_rank(delta.get("rank")),
            ]
        )
    shares = (0.09, 0.31, 0.11, 0.12, 0.15, 0.12, 0.10)
    table = LongTable(rows, colWidths=[width * s for s in shares], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), SERIF, 11),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 1), (0, -1), "CENTER"),
                ("ALIGN", (2, 1), (3, -1), "RIGHT"),
                ("ALIGN", (5, 1), (6, -1), "RIGHT"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _signed(value: float | None, decimals: int, lang: str) -> str:
    if value is None:
        return "—"
    text = grouped(value, decimals, lang)
    return text if text.startswith("-") or not text.strip("0.,") else f"+{text}"


def _signed_rank(rank: int | None) -> str:
    if rank is None:
        return "—"
    return f"+{rank}" if rank > 0 else str(rank)


def _notes(results: Document, texts: dict[str, Any]) -> list[Flowable]:
    note = _style(11.5)
    found: list[Flowable] = [Spacer(1, 2 * mm)]
    units = results["units"]
    if any((unit.get("previous") or {}).get("from") for unit in units):
        found.append(Paragraph(_escape(texts["merged"]), note))
    capped = [
        f"{_escape(unit['name'] or unit['unit'])} ({_escape('; '.join(unit['caps']))})"
        for unit in units
        if unit.get("caps")
    ]
    if capped:
        found.append(Paragraph(texts["capped"].format(units="; ".join(capped)), note))
    return found


def _charts(
    results: Document, decimals: int, texts: dict[str, Any], lang: str, width: float
) -> list[Flowable]:
    """The ranking as horizontal bars, in charts of at most `BARS_PER_CHART` units, then the
    group's percent of each field's points achieved (all units' points over all units' max)."""
    units = list(results["units"])
    found: list[Flowable] = []
    title = Paragraph(f"<b>{_escape(texts['chart'].format(year=results['year']))}</b>", _style(12))
    for start in range(0, len(units), BARS_PER_CHART):
        part = units[start : start + BARS_PER_CHART]
        rows = [
            (f"{unit['rank']}. {unit['name'] or unit['unit']}", float(unit["index"]),
             grouped(unit["index"], decimals, lang))
            for unit in part
        ]  # fmt: skip
        found.append(KeepTogether([Spacer(1, 6 * mm), title, _Bars(rows, width)]))
    totals: dict[str, list[Any]] = {}
    for unit in units:
        for item in unit["fields"]:
            found_field = totals.setdefault(item["code"], [item["title"], Decimal(0), Decimal(0)])
            found_field[1] += Decimal(str(item["points"]))
            found_field[2] += Decimal(str(item["max"]))
    fields = [
        (f"{code}. {title_}", float(points / most * 100), grouped(points / most * 100, 1, lang))
        for code, (title_, points, most) in totals.items()
        if most
    ]
    if fields:
        heading = texts["fields_chart"].format(year=results["year"])
        found.append(
            KeepTogether(
                [
                    Spacer(1, 6 * mm),
                    Paragraph(f"<b>{_escape(heading)}</b>", _style(12)),
                    _Bars(fields, width),
                ]
            )
        )
    return found


class _Bars(Flowable):  # type: ignore[misc]  # reportlab has no type hints
    """One bar per row (label, value out of 100, value's text), drawn straight on the page
    (a reportlab Drawing would bring in the unembedded Helvetica as its default font)."""

    ROW = 5 * mm

    def __init__(self, rows: list[tuple[str, float, str]], width: float) -> None:
        super().__init__()
        self.rows, self.width = rows, width
        self.height = self.ROW * len(rows) + 2 * mm

    def wrap(self, _available_width: float, _available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        label_width = self.width * 0.42
        room = self.width - label_width - 16 * mm
        canvas.setFont(SERIF, 8.5)
        canvas.setLineWidth(0.5)
        canvas.line(label_width, 0, label_width, self.height)
        for i, (label, value, text) in enumerate(self.rows):
            y = self.height - (i + 1) * self.ROW
            label = label if len(label) <= 52 else label[:51] + "…"
            canvas.setFillColor(colors.black)
            canvas.drawString(0, y + 1.2 * mm, label)
            length = max(0.0, min(value, 100.0)) / 100 * room
            canvas.setFillColor(colors.Color(0.25, 0.4, 0.65))
            canvas.rect(label_width, y + 0.6 * mm, length, self.ROW - 1.6 * mm, stroke=0, fill=1)
            canvas.setFillColor(colors.black)
            canvas.drawString(label_width + length + 1.5 * mm, y + 1.2 * mm, text)


# ---------------------------------------------------------------- page furniture


def _no_number(canvas: Any, document: BaseDocTemplate) -> None:
    """Decree 30: no page number on the first page."""


def _page_number(canvas: Any, document: BaseDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont(SERIF, 13)
    width, height = A4
    canvas.drawCentredString(
        MARGINS["left"] + (width - MARGINS["left"] - MARGINS["right"]) / 2,
        height - MARGINS["top"] / 2 - 2 * mm,
        str(document.page),
    )
    canvas.restoreState()


def _style(size: float, *, bold: bool = False, align: int = TA_CENTER) -> ParagraphStyle:
    return ParagraphStyle(
        f"s{size}{bold}{align}",
        fontName=f"{SERIF}-Bold" if bold else SERIF,
        fontSize=size,
        leading=size * 1.25,
        alignment=align,
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_registered = False


def _register_fonts() -> None:
    global _registered
    if _registered:
        return
    pdfmetrics.registerFont(TTFont(SERIF, FONT_DIR / "LiberationSerif-Regular.ttf"))
    pdfmetrics.registerFont(TTFont(f"{SERIF}-Bold", FONT_DIR / "LiberationSerif-Bold.ttf"))
    pdfmetrics.registerFont(TTFont(f"{SERIF}-Italic", FONT_DIR / "LiberationSerif-Italic.ttf"))
    pdfmetrics.registerFontFamily(
        SERIF,
        normal=SERIF,
        bold=f"{SERIF}-Bold",
        italic=f"{SERIF}-Italic",
        boldItalic=f"{SERIF}-Bold",
    )
    _registered = True
