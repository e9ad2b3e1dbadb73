"""The results report as DOCX: reopened with python-docx, it carries the Decree 30/2020 layout,
Vietnamese text and numbers, and the ranking's actual figures."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH

from parindex import cli
from parindex.formats.criteria import parse_criteria, read_criteria
from parindex.formats.inputs import read_units, read_values, units_for
from parindex.formats.results import results_document
from parindex.formats.results_docx import results_docx
from parindex.formats.results_pdf import Heading
from parindex.scoring import compute
from parindex.scoring.model import Inputs

SON_LA = Path(__file__).resolve().parents[2] / "examples" / "son-la-2014"

SMALL = """\
code: DOCX
title: Bộ tiêu chí thử DOCX
year: 2024
unit_group: xa
max_points: 10000
decimals: 2
classes:
  - {code: tot, label: Tốt, min: 90}
  - {code: kha, label: Khá, min: 70}
  - {code: tb, label: Trung bình, min: 0}
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    children:
      - {code: "1.1", title: Kế hoạch, max: 10000, source: self, rule: {type: manual, step: 0.5}}
"""


def reopen(content: bytes) -> Any:
    return docx.Document(io.BytesIO(content))


def texts(document: Any) -> list[str]:
    return [p.text for p in document.paragraphs if p.text]


def cells(table: Any) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def vi(number: Decimal) -> str:
    """What a Vietnamese report writes for a figure with two decimals (no grouping needed)."""
    return f"{number:.2f}".replace(".", ",")


@pytest.fixture(scope="module")
def departments():  # type: ignore[no-untyped-def]
    criteria = read_criteria(SON_LA / "departments.yaml")
    records = read_units(SON_LA / "departments-units.csv")
    units = units_for(records, unit_group=criteria.unit_group, year=criteria.year)
    values = read_values(SON_LA / "departments-values.csv", criteria, {u.code for u in units})
    results = compute(criteria, Inputs(units=units, values=values))
    return criteria, results


def test_results_docx_page_one_carries_the_national_heading_the_issuer_and_the_date(departments):
    criteria, results = departments
    heading = Heading("UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "Sơn La", dt.date(2015, 2, 10))
    document = reopen(results_docx(results_document(results, criteria), criteria, "vi", heading))
    issuer, nation = document.tables[0].rows[0].cells
    assert [p.text for p in issuer.paragraphs] == ["UBND TỈNH SƠN LA", "SỞ NỘI VỤ"]
    assert [p.text for p in nation.paragraphs] == [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Sơn La, ngày 10 tháng 02 năm 2015",
    ]
    assert nation.paragraphs[0].runs[0].bold and nation.paragraphs[1].runs[0].bold
    assert nation.paragraphs[2].runs[0].italic
    # the short rule under the motto and under the issuer's unit: a bottom border
    for paragraph in (nation.paragraphs[1], issuer.paragraphs[1]):
        assert paragraph._p.pPr.find(docx.oxml.ns.qn("w:pBdr")) is not None
    body = texts(document)
    assert body[0] == "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2014"
    assert body[1] == criteria.title
    assert document.paragraphs[[p.text for p in document.paragraphs].index(body[0])].alignment == (
        WD_ALIGN_PARAGRAPH.CENTER
    )
    assert document.core_properties.title == "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2014"
    assert document.core_properties.author == "UBND TỈNH SƠN LA"


def test_results_docx_is_a4_with_decree_30_margins_and_no_page_number_on_page_one(departments):
    criteria, results = departments
    document = reopen(results_docx(results_document(results, criteria), criteria, "vi"))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    margins = [section.top_margin, section.bottom_margin, section.left_margin]
    assert [round(m.mm) for m in [*margins, section.right_margin]] == [20, 20, 30, 20]
    assert 20 <= section.top_margin.mm <= 25 and 30 <= section.left_margin.mm <= 35
    assert section.different_first_page_header_footer
    first = section.first_page_header
    assert not first.is_linked_to_previous
    assert "".join(p.text for p in first.paragraphs) == ""
    assert not first._element.xpath(".//w:instrText")
    later = section.header
    assert [i.text for i in later._element.xpath(".//w:instrText")] == [" PAGE "]
    assert later.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size.pt) == ("Times New Roman", 13)
    fonts = normal.element.rPr.rFonts
    assert fonts.get(docx.oxml.ns.qn("w:cs")) == "Times New Roman"


def test_results_docx_ranking_table_has_every_unit_with_vietnamese_numbers(departments):
    criteria, results = departments
    document = reopen(results_docx(results_document(results, criteria), criteria, "vi"))
    table = cells(document.tables[1])
    assert table[0] == ["Hạng", "Đơn vị", "Điểm", "Chỉ số (%)", "Xếp loại", "± chỉ số", "± hạng"]
    labels = {rule.code: rule.label for rule in criteria.classes}
    expected = [
        [
            str(unit.rank),
            unit.unit.name,
            vi(unit.points),
            vi(unit.index),
            labels[unit.class_code] if unit.class_code else "",
            "—",  # no previous year in this computation
            "—",
        ]
        for unit in results.units
    ]
    assert table[1:] == expected
    assert len(table) == 1 + 19
    heading_row = document.tables[1].rows[0]._tr
    assert heading_row.xpath("./w:trPr/w:tblHeader")  # repeated on each page
    body = " ".join(texts(document))
    assert "Số đơn vị: 19." in body
    counted = ", ".join(f"{labels[c]} {n}" for c, n in results.summary.classes.items())
    assert f"Xếp loại: {counted}." in body
    mean = vi(Decimal(str(results_document(results, criteria)["summary"]["mean"])))
    assert f"Chỉ số trung bình: {mean};" in body
    assert "Các lĩnh vực có tỷ lệ điểm đạt thấp nhất:" in body
    # the group's share of each field's points, one decimal: the PDF's field chart as a table
    assert "Tỷ lệ điểm đạt theo lĩnh vực của cả khối năm 2014 (%)" in body
    fields = cells(document.tables[2])
    assert fields[0] == ["Lĩnh vực", "Tỷ lệ (%)"]
    first = criteria.fields[0]
    points = sum(u.fields[0].points for u in results.units)
    most = sum(u.fields[0].max for u in results.units)
    share = (points / most * 100).quantize(Decimal("0.1"), rounding="ROUND_HALF_UP")
    assert fields[1] == [f"{first.code}. {first.title}", str(share).replace(".", ",")]
    assert len(fields) == 1 + len(criteria.fields)


def test_results_docx_writes_deltas_thousands_and_merged_units_the_vietnamese_way():
    criteria = parse_criteria(SMALL)
    document = {
        "year": 2024,
        "units": [
            {"unit": "X1", "name": "Xã Chiềng Mung", "rank": 1, "points": 9500,
             "index": 95, "class": "tot", "class_label": "Tốt", "caps": [],
             "previous": {"index": 80, "rank": 3}, "delta": {"index": 15, "rank": 2}},
            {"unit": "X2", "name": "Xã Hua La", "rank": 2, "points": 7378.5,
             "index": 73.785, "class": "kha", "class_label": "Khá",
             "caps": ["≥10% hồ sơ trễ hạn"],
             "previous": {"index": 81, "rank": 1, "from": ["X2a", "X2b"]},
             "delta": {"index": -7.205, "rank": -1}},
            {"unit": "X3", "name": "Xã Chiềng Cơi", "rank": 3, "points": 7209,
             "index": 72.09, "class": "kha", "class_label": "Khá", "caps": [],
             "previous": None, "delta": None},
        ],
        "summary": {"units": 3, "mean": 80.29, "median": 73.79, "max": 95, "min": 72.09,
                    "classes": {"tot": 1, "kha": 2}, "weak_fields": []},
    }  # fmt: skip
    report = reopen(results_docx(document, criteria, "vi"))
    assert cells(report.tables[1])[1:] == [
        ["1", "Xã Chiềng Mung", "9.500,00", "95,00", "Tốt", "+15,00", "+2"],
        ["2", "Xã Hua La (*)", "7.378,50", "73,79", "Khá", "-7,21", "-1"],
        ["3", "Xã Chiềng Cơi", "7.209,00", "72,09", "Khá", "—", "—"],
    ]
    body = texts(report)
    assert "Xếp loại: Tốt 1, Khá 2." in body
    assert "(*) so với bình quân các đơn vị trước sáp nhập." in body
    assert "Xếp loại bị giới hạn: Xã Hua La (≥10% hồ sơ trễ hạn)." in body
    assert len(report.tables) == 2  # no fields in this document: no field table
    english = cells(reopen(results_docx(document, criteria, "en")).tables[1])
    assert english[0][0] == "Rank"
    assert english[2][2:4] == ["7,378.50", "73.79"]


def test_results_docx_english_output_speaks_english(departments):
    criteria, results = departments
    document = reopen(results_docx(results_document(results, criteria), criteria, "en"))
    nation = document.tables[0].rows[0].cells[1]
    assert nation.paragraphs[0].text == "SOCIALIST REPUBLIC OF VIETNAM"
    assert "PUBLIC ADMINISTRATION REFORM INDEX 2014: RESULTS" in texts(document)
    assert document.tables[1].rows[1].cells[3].text == f"{results.units[0].index:.2f}"


def test_results_docx_from_the_command_line_matches_the_json(tmp_path, capsys):
    files = [
        "compute",
        "--criteria", str(SON_LA / "departments.yaml"),
        "--values", str(SON_LA / "departments-values.csv"),
        "--units", str(SON_LA / "departments-units.csv"),
        "--lang", "vi",
    ]  # fmt: skip
    target = tmp_path / "ket-qua.docx"
    assert cli.main([*files, "--out", str(target)]) == 0  # the extension chooses DOCX
    other = tmp_path / "report.bin"
    assert cli.main([*files, "--format", "docx", "--out", str(other)]) == 0
    assert cli.main([*files, "--format", "json"]) == 0
    published = json.loads(capsys.readouterr().out)
    assert other.read_bytes()[:2] == b"PK"  # --format wins over the extension
    report = reopen(target.read_bytes())
    assert report.tables[0].rows[0].cells[1].paragraphs[0].text == (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    )
    rows = cells(report.tables[1])[1:]
    assert [row[:5] for row in rows] == [
        [
            str(unit["rank"]),
            unit["name"],
            vi(Decimal(str(unit["points"]))),
            vi(Decimal(str(unit["index"]))),
            unit["class_label"],
        ]
        for unit in published["units"]
    ]
