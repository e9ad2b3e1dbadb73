"""The results report as PDF: Decree 30/2020 layout, Vietnamese text and numbers, the ranking."""

from __future__ import annotations

import datetime as dt
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from parindex.formats.criteria import read_criteria
from parindex.formats.inputs import read_units, read_values, units_for
from parindex.formats.results import results_document
from parindex.formats.results_pdf import Heading, grouped, results_pdf
from parindex.scoring import compute
from parindex.scoring.model import Inputs

SON_LA = Path(__file__).resolve().parents[2] / "examples" / "son-la-2014"


def pdf_text(pdf: bytes, tmp_path: Path, *, page: int | None = None) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, check=True
    )
    return done.stdout.decode("utf-8")


def pdf_info(pdf: bytes, tmp_path: Path, tool: str = "pdfinfo") -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run([tool, str(path)], capture_output=True, check=True).stdout.decode()


@pytest.fixture(scope="module")
def departments():  # type: ignore[no-untyped-def]
    criteria = read_criteria(SON_LA / "departments.yaml")
    records = read_units(SON_LA / "departments-units.csv")
    units = units_for(records, unit_group=criteria.unit_group, year=criteria.year)
    values = read_values(SON_LA / "departments-values.csv", criteria, {u.code for u in units})
    results = compute(criteria, Inputs(units=units, values=values))
    return criteria, results


def test_numbers_are_written_as_each_language_writes_them():
    assert grouped(Decimal("73.785"), 2, "vi") == "73,79"
    assert grouped(Decimal("7209"), 0, "vi") == "7.209"
    assert grouped(Decimal("1234.5"), 2, "vi") == "1.234,50"
    assert grouped(Decimal("1234.5"), 2, "en") == "1,234.50"
    assert grouped(Decimal("-7.205"), 2, "vi") == "-7,21"
    assert grouped(None, 2, "vi") == "—"


def test_page_one_carries_the_national_heading_the_issuer_and_the_date(departments, tmp_path):
    criteria, results = departments
    heading = Heading("UBND TỈNH SƠN LA", "SỞ NỘI VỤ", "Sơn La", dt.date(2015, 2, 10))
    first = pdf_text(
        results_pdf(results_document(results, criteria), criteria, "vi", heading), tmp_path, page=1
    )
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines[0]
    assert lines[0].startswith("UBND TỈNH SƠN LA")
    assert "Độc lập - Tự do - Hạnh phúc" in lines[1]
    assert "SỞ NỘI VỤ" in lines[1]
    assert "Sơn La, ngày 10 tháng 02 năm 2015" in first
    assert "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2014" in first
    assert lines[-1] != "1"  # no page number on page one


def test_the_ranking_table_shows_every_unit_with_vietnamese_numbers(departments, tmp_path):
    criteria, results = departments
    text = pdf_text(results_pdf(results_document(results, criteria), criteria, "vi"), tmp_path)
    first = results.units[0]
    index = f"{first.index:.2f}".replace(".", ",")
    assert index in text and f"{first.index:.2f}" not in text
    rows = [line.split() for line in text.splitlines() if line.strip().startswith("1 ")]
    assert rows[0][:3] == ["1", "Sở", "Tư"]
    assert "Số đơn vị: 19." in text
    classes = {rule.code: rule.label for rule in criteria.classes}
    counted = ", ".join(f"{classes[c]} {n}" for c, n in results.summary.classes.items())
    assert f"Xếp loại: {counted}." in " ".join(text.split())
    for unit in results.units:
        assert (unit.unit.name or "")[:10] in text
    assert "Biểu đồ xếp hạng Chỉ số CCHC năm 2014" in text


def test_later_pages_are_numbered_at_the_top_and_the_page_is_a4(departments, tmp_path):
    criteria, results = departments
    pdf = results_pdf(results_document(results, criteria), criteria, "vi")
    assert "Page size:       595.276 x 841.89 pts (A4)" in pdf_info(pdf, tmp_path)
    second = [line.strip() for line in pdf_text(pdf, tmp_path, page=2).splitlines()]
    assert next(line for line in second if line) == "2"
    fonts = pdf_info(pdf, tmp_path, "pdffonts")
    assert "LiberationSerif-Bold" in fonts and "LiberationSerif " in fonts.replace("+", " ")


def test_english_output_speaks_english(departments, tmp_path):
    criteria, results = departments
    text = pdf_text(results_pdf(results_document(results, criteria), criteria, "en"), tmp_path)
    assert "SOCIALIST REPUBLIC OF VIETNAM" in text
    assert "PUBLIC ADMINISTRATION REFORM INDEX 2014: RESULTS" in text
    assert f"{results.units[0].index:.2f}" in text


def test_a_score_sheet_cell_that_looks_like_a_formula_is_kept_as_text(departments, tmp_path):
    from python_calamine import CalamineWorkbook

    from parindex.formats.score_sheet import LeafInput, score_sheet_xlsx

    criteria, results = departments
    unit = results.units[0]
    leaf = unit.leaves[0].code
    content = score_sheet_xlsx(
        criteria, '=HYPERLINK("x")', unit, unit, {leaf: LeafInput("1", "", "@SUM(A1)", "")}
    )
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(content)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == '\'=HYPERLINK("x")'
    assert next(row for row in rows if row[0] == leaf)[7] == "'@SUM(A1)"
