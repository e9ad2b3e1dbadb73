"""Results as a Word document (DOCX) in the layout of Decree 30/2020/NĐ-CP, for those who edit
the report before it is signed.

The same content as `results_pdf` from the same results document, as far as Word allows: A4;
margins top 20 mm, bottom 20 mm, left 30 mm, right 20 mm; Times New Roman 13 pt; on page one
the issuing body on the left and the national heading (*Quốc hiệu, Tiêu ngữ*) on the right, each
with its short rule, the place and date below; page numbers centred at the top from page two
on (a different first-page header, left empty). Then the title, the summary (mean, extremes,
classes, weak fields), the ranking table (its heading row repeated on every page), the notes,
and the group's share of points by field as a table. The PDF's bar charts are left out: Word
has no chart that python-docx writes, and a picture of one could not be edited. Numbers are
the PDF's: `73,79` and `7.209` in Vietnamese.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_PARAGRAPH_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

from parindex.formats.results_pdf import (
    TEXTS,
    VIETNAM,
    Document,
    Heading,
    _signed,
    _signed_rank,
    grouped,
)
from parindex.scoring.model import CriteriaSet

FONT = "Times New Roman"
SIZE = 13  # points: Decree 30 asks 13-14 for the body
PAGE_MM = (210, 297)  # A4
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 20}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
COLUMN_SHARES = (0.09, 0.31, 0.11, 0.12, 0.15, 0.12, 0.10)  # as the PDF's table
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

Container = Any  # a document body, a header or a table cell: anything with add_paragraph()

# Word wants the children of a properties element in the schema's order (ECMA-376 part 1):
# the elements that may follow each one this module adds
AFTER = {
    "w:pBdr": (
        "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
        "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
        "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
        "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
    ),
    "w:lang": ("w:eastAsianLayout", "w:specVanish", "w:oMath"),
    "w:tblBorders": (
        "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
        "w:tblPrChange",
    ),
    "w:shd": (
        "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark",
        "w:headers", "w:cellIns", "w:cellDel", "w:cellMerge", "w:tcPrChange",
    ),
    "w:tblHeader": ("w:tblCellSpacing", "w:jc", "w:hidden", "w:ins", "w:del", "w:trPrChange"),
}  # fmt: skip


def _put(parent: Any, tag: str) -> Any:
    """`parent`'s child `tag`, made and placed in schema order when it is missing."""
    found = parent.find(qn(tag))
    if found is None:
        found = OxmlElement(tag)
        parent.insert_element_before(found, *AFTER[tag])
    return found


def results_docx(
    results: Document, criteria: CriteriaSet, lang: str = "vi", heading: Heading | None = None
) -> bytes:
    """The ranking report as DOCX bytes, from the results document (a published snapshot's
    `results`, or `results_document` of a computation): the same figures as the JSON."""
    texts = TEXTS["en" if lang == "en" else "vi"]
    heading = heading or Heading()
    document = docx.Document()
    _page_setup(document)
    _base_style(document, lang)
    title = texts["title"].format(year=results["year"])
    properties = document.core_properties
    properties.title = title
    properties.author = heading.issuer or "parindex"
    properties.subject = criteria.title
    properties.comments = "parindex"
    properties.language = "vi-VN" if lang != "en" else "en-GB"

    _national_heading(document, heading, texts)
    _paragraph(document, "", space_after=6)
    _paragraph(document, title, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, criteria.title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    for text in _summary(results, criteria, texts, lang):
        _paragraph(document, text, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_first=True)
    _ranking_table(document, results, criteria, texts, lang)
    for note in _notes(results, texts):
        _paragraph(document, note, size=11.5, space_before=3)
    _fields_table(document, results, texts, lang)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- page and styles


def _page_setup(document: Any) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)
    # Decree 30: no number on page one; from page two, centred at the top
    section.different_first_page_header_footer = True
    first = section.first_page_header
    first.is_linked_to_previous = False
    first.paragraphs[0].text = ""
    header = section.header
    header.is_linked_to_previous = False
    number = header.paragraphs[0]
    number.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_field(number)


def _page_field(paragraph: Paragraph) -> None:
    """A PAGE field: Word writes the page's number in it."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instruction = OxmlElement("w:instrText")
    instruction.set(qn("xml:space"), "preserve")
    instruction.text = " PAGE "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    shown = OxmlElement("w:t")
    shown.text = "2"  # what a reader that does not update fields shows
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instruction, separate, shown, end):
        run._r.append(element)


def _base_style(document: Any, lang: str) -> None:
    """Times New Roman 13 pt for every script (Vietnamese letters included), single spacing."""
    for name in ("Normal", "Table Grid", "Header"):
        style = document.styles[name]
        style.font.name = FONT
        if name == "Normal":
            style.font.size = Pt(SIZE)
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attribute), FONT)
    normal = document.styles["Normal"]
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(3)
    normal.paragraph_format.line_spacing = 1.0
    language = _put(normal.element.get_or_add_rPr(), "w:lang")
    language.set(qn("w:val"), "en-GB" if lang == "en" else "vi-VN")


def _paragraph(
    container: Container,
    text: str,
    *,
    size: float = SIZE,
    bold: bool = False,
    italic: bool = False,
    align: WD_PARAGRAPH_ALIGNMENT | None = None,
    space_before: float = 0,
    space_after: float = 3,
    indent_first: bool = False,
) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    layout = paragraph.paragraph_format
    layout.space_before, layout.space_after = Pt(space_before), Pt(space_after)
    if indent_first:
        layout.first_line_indent = Mm(10)
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold, run.italic = bold or None, italic or None
    return paragraph


def _rule_under(paragraph: Paragraph, length_mm: float, width_mm: float) -> None:
    """The short solid line under the issuer and under the motto: the paragraph's bottom
    border, its indents narrowing it to `length_mm` centred in `width_mm`."""
    side = max((width_mm - length_mm) / 2, 0)
    paragraph.paragraph_format.left_indent = Mm(side)
    paragraph.paragraph_format.right_indent = Mm(side)
    borders = _put(paragraph._p.get_or_add_pPr(), "w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)


# ---------------------------------------------------------------- page one


def _national_heading(document: Any, heading: Heading, texts: dict[str, Any]) -> None:
    """Issuer left (40%), national heading right (60%), no borders, as the PDF lays them."""
    left_mm, right_mm = TEXT_WIDTH_MM * 0.4, TEXT_WIDTH_MM * 0.6
    table = document.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    _column_widths(table, (left_mm, right_mm))
    left, right = table.rows[0].cells
    centre = WD_ALIGN_PARAGRAPH.CENTER
    issuer = left.paragraphs[0]
    issuer.alignment = centre
    issuer.paragraph_format.space_after = Pt(0)
    if heading.issuer:
        issuer.add_run(heading.issuer).font.size = Pt(13)
    unit = _paragraph(left, heading.issuer_unit, bold=True, align=centre, space_after=0)
    if heading.issuer or heading.issuer_unit:
        _rule_under(unit if heading.issuer_unit else issuer, 30, left_mm)
    nation = right.paragraphs[0]
    nation.alignment = centre
    nation.paragraph_format.space_after = Pt(0)
    run = nation.add_run(texts["nation"])
    run.bold, run.font.size = True, Pt(12.5)
    motto = _paragraph(right, texts["motto"], size=13.5, bold=True, align=centre, space_after=0)
    _rule_under(motto, 62, right_mm)
    today = heading.date or dt.datetime.now(VIETNAM).date()
    place = f"{heading.place}, " if heading.place else ""
    _paragraph(
        right,
        texts["date"].format(place=place, d=today.day, m=today.month, y=today.year),
        size=13.5,
        italic=True,
        align=centre,
        space_before=8,
    )


def _no_borders(table: Table) -> None:
    borders = _put(table._tbl.tblPr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)


def _column_widths(table: Table, widths_mm: Sequence[float]) -> None:
    """The grid's widths and each cell's: Word reads the one, LibreOffice the other."""
    for column, millimetres in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(millimetres)
        for cell in column.cells:
            cell.width = Mm(millimetres)


# ---------------------------------------------------------------- body


def _summary(
    results: Document, criteria: CriteriaSet, texts: dict[str, Any], lang: str
) -> list[str]:
    summary = results["summary"]
    d = criteria.decimals
    found = [
        texts["summary"].format(
            units=summary["units"],
            mean=grouped(summary["mean"], d, lang),
            median=grouped(summary["median"], d, lang),
            max=grouped(summary["max"], d, lang),
            min=grouped(summary["min"], d, lang),
        )
    ]
    labels = {rule.code: rule.label for rule in criteria.classes}
    if summary["classes"]:
        counts = ", ".join(
            f"{labels.get(code, code)} {count}" for code, count in summary["classes"].items()
        )
        found.append(texts["classes"].format(classes=counts))
    if summary["weak_fields"]:
        weak = "; ".join(
            f"{field['code']}. {field['title']} ({grouped(field['percent'], d, lang)}%)"
            for field in summary["weak_fields"]
        )
        found.append(texts["weak"].format(fields=weak))
    return found


def ranking_rows(results: Document, decimals: int, lang: str) -> list[list[str]]:
    """The ranking table's body as text: rank, unit, points, index, class, ± index, ± rank."""
    rows = []
    for unit in results["units"]:
        merged = " (*)" if (unit.get("previous") or {}).get("from") else ""
        delta = unit.get("delta") or {}
        rows.append(
            [
                str(unit["rank"]),
                (unit["name"] or unit["unit"]) + merged,
                grouped(unit["points"], decimals, lang),
                grouped(unit["index"], decimals, lang),
                unit.get("class_label") or unit.get("class") or "",
                _signed(delta.get("index"), decimals, lang),
                _signed_rank(delta.get("rank")),
            ]
        )
    return rows


def _ranking_table(
    document: Any, results: Document, criteria: CriteriaSet, texts: dict[str, Any], lang: str
) -> None:
    rows = ranking_rows(results, criteria.decimals, lang)
    _paragraph(document, "", space_after=3)
    table = document.add_table(rows=1 + len(rows), cols=len(texts["columns"]))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    widths = [TEXT_WIDTH_MM * share for share in COLUMN_SHARES]
    _column_widths(table, widths)
    head = table.rows[0]
    _repeat_as_heading(head)
    for cell, text in zip(head.cells, texts["columns"], strict=True):
        _cell(cell, text, size=10.5, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "EBEBEB")
    aligns = (
        WD_ALIGN_PARAGRAPH.CENTER,
        WD_ALIGN_PARAGRAPH.LEFT,
        WD_ALIGN_PARAGRAPH.RIGHT,
        WD_ALIGN_PARAGRAPH.RIGHT,
        WD_ALIGN_PARAGRAPH.CENTER,
        WD_ALIGN_PARAGRAPH.RIGHT,
        WD_ALIGN_PARAGRAPH.RIGHT,
    )
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, text, align in zip(row.cells, values, aligns, strict=True):
            _cell(cell, text, size=11, align=align)


def _cell(
    cell: _Cell, text: str, *, size: float, align: WD_PARAGRAPH_ALIGNMENT, bold: bool = False
) -> None:
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run(text)
    run.font.size = Pt(size)
    run.bold = bold or None


def _repeat_as_heading(row: Any) -> None:
    """The heading row repeated at the top of each page the table runs over."""
    _put(row._tr.get_or_add_trPr(), "w:tblHeader").set(qn("w:val"), "true")


def _shade(cell: _Cell, colour: str) -> None:
    shading = _put(cell._tc.get_or_add_tcPr(), "w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)


FIELDS_TITLE = {  # when results_pdf has no words for its field chart
    "vi": "Tỷ lệ điểm đạt theo lĩnh vực của cả khối năm {year} (%)",
    "en": "Share of points achieved by field, whole group, {year} (%)",
}
FIELDS_COLUMNS = {"vi": ("Lĩnh vực", "Tỷ lệ (%)"), "en": ("Field", "Share (%)")}


def field_rows(results: Document, lang: str) -> list[list[str]]:
    """The group's share of each field's points achieved (all units' points over all units'
    maximum), one decimal: the figures of the PDF's field chart, as an editable table."""
    totals: dict[str, list[Any]] = {}
    for unit in results["units"]:
        for item in unit.get("fields", ()):
            found = totals.setdefault(item["code"], [item["title"], Decimal(0), Decimal(0)])
            found[1] += Decimal(str(item["points"]))
            found[2] += Decimal(str(item["max"]))
    return [
        [f"{code}. {title}", grouped(points / most * 100, 1, lang)]
        for code, (title, points, most) in totals.items()
        if most
    ]


def _fields_table(document: Any, results: Document, texts: dict[str, Any], lang: str) -> None:
    rows = field_rows(results, lang)
    if not rows:
        return
    language = "en" if lang == "en" else "vi"
    title = texts.get("fields_chart") or FIELDS_TITLE[language]
    _paragraph(
        document,
        title.format(year=results["year"]),
        size=12,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
        space_before=12,
    )
    table = document.add_table(rows=1 + len(rows), cols=2)
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _column_widths(table, (TEXT_WIDTH_MM * 0.75, TEXT_WIDTH_MM * 0.25))
    _repeat_as_heading(table.rows[0])
    for cell, text in zip(table.rows[0].cells, FIELDS_COLUMNS[language], strict=True):
        _cell(cell, text, size=10.5, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
        _shade(cell, "EBEBEB")
    for row, (name, share) in zip(table.rows[1:], rows, strict=True):
        _cell(row.cells[0], name, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
        _cell(row.cells[1], share, size=11, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _notes(results: Document, texts: dict[str, Any]) -> list[str]:
    units = results["units"]
    found: list[str] = []
    if any((unit.get("previous") or {}).get("from") for unit in units):
        found.append(texts["merged"])
    capped = [
        f"{unit['name'] or unit['unit']} ({'; '.join(unit['caps'])})"
        for unit in units
        if unit.get("caps")
    ]
    if capped:
        found.append(texts["capped"].format(units="; ".join(capped)))
    return found
