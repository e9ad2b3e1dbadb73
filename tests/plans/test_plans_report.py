"""The periodic report as XLSX: the tasks of the period, their state, no formula runs."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from parindex.plans.models import ProgressReport, Task
from parindex.plans.report import period_span, report_pdf, report_xlsx
from parindex.plans.services import tasks_import
from tests.plans.plans_factories import EXAMPLE, Province

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("period", "first", "last"),
    [
        ("q1", dt.date(2017, 1, 1), dt.date(2017, 3, 31)),
        ("q3", dt.date(2017, 7, 1), dt.date(2017, 9, 30)),
        ("q4", dt.date(2017, 10, 1), dt.date(2017, 12, 31)),
        ("h1", dt.date(2017, 1, 1), dt.date(2017, 6, 30)),
        ("year", dt.date(2017, 1, 1), dt.date(2017, 12, 31)),
    ],
)
def test_periods_span_their_months(period: str, first: dt.date, last: dt.date) -> None:
    assert period_span(period, 2017) == (first, last)


def rows(content: bytes) -> list[list[object]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_the_third_quarter_report_lists_its_tasks_with_their_state(kh: Province) -> None:
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    Task.objects.filter(code="NV-07").update(completed_at=dt.date(2017, 8, 2))  # late
    ProgressReport.objects.create(
        task=Task.objects.get(code="NV-11"), period="q3", text='=HYPERLINK("x")', percent=40,
        by=kh.nv_focal,
    )  # fmt: skip
    with translation.override("vi"):
        table = rows(report_xlsx(kh.plan, "q3", kh.secretariat))
    assert table[0][0] == "Kế hoạch số 23/KH-UBND Kế hoạch cải cách hành chính năm 2017"
    assert "01/07/2017" in str(table[1][0]) and "30/09/2017" in str(table[1][0])
    assert table[3][:3] == ["Mã", "Nhiệm vụ", "Đơn vị chủ trì"]
    by_code = {row[0]: row for row in table[4:]}
    # due in Q3, ongoing and started by its end; not NV-09/NV-18 (done in June), not 2018's
    assert sorted(by_code) == [
        "NV-01", "NV-02", "NV-03", "NV-06", "NV-07", "NV-08", "NV-10", "NV-11", "NV-12",
        "NV-14", "NV-19", "NV-21",
    ]  # fmt: skip
    assert by_code["NV-02"][5].date() == dt.date(2017, 9, 30)  # a date cell
    assert by_code["NV-02"][6] == "Đã hoàn thành"
    assert by_code["NV-07"][6] == "Hoàn thành muộn"
    assert by_code["NV-11"][8] == '\'=HYPERLINK("x")'  # never a formula
    assert by_code["NV-11"][9] == 40
    assert by_code["NV-03"][3] == (  # partners in the order of their codes
        "Bảo hiểm Xã hội tỉnh; Cục Hải quan tỉnh; Cục Thuế tỉnh; Kho bạc Nhà nước; "
        "Sở Tài nguyên và Môi trường; Sở Xây dựng"
    )


def test_a_unit_reports_only_on_the_tasks_it_leads(kh: Province) -> None:
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    table = rows(report_xlsx(kh.plan, "year", kh.tp_focal))
    assert [row[0] for row in table[4:]] == ["NV-06", "NV-07"]


def test_the_report_is_also_a_pdf_with_vietnamese_text(kh: Province, tmp_path: Path) -> None:
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    with translation.override("vi"):
        content = report_pdf(kh.plan, "q3", kh.secretariat)
    assert content.startswith(b"%PDF-")
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(content)
    done = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    text = " ".join(done.stdout.decode("utf-8").split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "QUÝ III 2017" in text
    assert "Sở Kế hoạch và Đầu tư" in text
