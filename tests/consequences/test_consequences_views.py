"""The consequences page and its XLSX on a real database: three published years, a merged
unit, dossier figures; what each reader sees, line by line."""

from __future__ import annotations

import io
import re
from html import unescape

import openpyxl
import pytest
from django.test import Client

from parindex.accounts.models import User
from parindex.consequences.selectors import survey_share
from tests.consequences.conftest import Province, build_province

pytestmark = pytest.mark.django_db


def client_of(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def rows_of(html: str) -> dict[tuple[str, str], str]:
    """(subject, key) → the row's text, tags removed, spaces collapsed."""
    found = {}
    for subject, key, body in re.findall(
        r'<tr data-subject="(\w+)" data-key="([^"]*)">(.*?)</tr>', html, re.S
    ):
        text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", body))).strip()
        found[(subject, unescape(key))] = text
    return found


def test_the_secretariat_sees_every_unit_head_and_late_official_with_every_reason(kh: Province):
    response = client_of(kh.secretary).get(f"/consequences/{kh.cycles[2025].pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    rows = rows_of(html)
    assert sorted(rows) == [
        ("head", "M"), ("head", "U1"), ("head", "U2"),
        ("official", "Lê Văn C"), ("official", "Phạm Văn D"),
        ("unit", "M"), ("unit", "U1"), ("unit", "U2"),
    ]  # fmt: skip
    u1 = rows[("unit", "U1")]
    assert u1.startswith("U1 Sở Một Hoàn thành nhiệm vụ")
    assert "don_vi_tre_han ⚑ khong_xet_thi_dua" in u1
    assert "tỷ lệ hồ sơ trễ hạn 10,00% ≥ 10,00%" in u1
    assert "xếp loại CCHC năm 2025: Trung bình → tối đa Hoàn thành nhiệm vụ" in u1
    assert "2023: Trung bình; 2024: Yếu; 2025: Trung bình" in u1
    head_u1 = rows[("head", "U1")]
    assert head_u1.startswith("U1 Sở Một Hoàn thành nhiệm vụ")
    assert "nguoi_dung_dau_trung_binh" in head_u1
    assert "ba_nam_trung_binh ⚑ xem_xet_thay_the" in head_u1
    assert "hai_nam_yeu" not in head_u1  # 2024 Yếu, 2025 Trung bình
    head_m = rows[("head", "M")]
    assert head_m.startswith("M Sở Hợp nhất Không hoàn thành nhiệm vụ")
    assert "hai_nam_yeu ⚑ xem_xet_thay_the" in head_m
    assert "2024: Yếu (từ X, Y); 2025: Yếu" in head_m
    assert "2023: Yếu (từ X, Y); 2024: Yếu (từ X, Y); 2025: Yếu" in head_m
    assert rows[("unit", "U2")].startswith("U2 Sở Hai Hoàn thành xuất sắc nhiệm vụ")
    assert "No rule lowers it" in rows[("head", "U2")] or "Không có quy tắc" in rows[("head", "U2")]
    official = rows[("official", "Lê Văn C")]
    assert official.startswith("U1 Lê Văn C Hoàn thành nhiệm vụ")
    assert "tỷ lệ hồ sơ trễ hạn 11,00% > 10,00%" in official
    assert "Trần Thị B" not in html  # exactly 10%: not over the limit
    flagged = html.split("<h2>", 2)[1]
    assert "Sở Một (U1)" in flagged and "Sở Hợp nhất (M)" in flagged and "Sở Hai" not in flagged


def test_the_page_speaks_english_when_asked(kh: Province):
    client = client_of(kh.chair)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(f"/consequences/{kh.cycles[2025].pk}/").content.decode()
    rows = rows_of(html)
    assert rows[("unit", "U1")].startswith("U1 Sở Một Completed")
    assert "late dossiers 10.00% ≥ 10.00%" in rows[("unit", "U1")]
    assert "PAR class 2025: Trung bình → at most Completed" in rows[("unit", "U1")]


def test_the_xlsx_lists_the_same_lines_and_one_row_per_reason(kh: Province):
    response = client_of(kh.leader).get(f"/consequences/{kh.cycles[2025].pk}/consequences.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('-consequences.xlsx"')
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    summary, reasons = book.worksheets
    assert summary["A1"].value == "Chỉ số CCHC các sở năm 2025"
    header = [cell.value for cell in summary[3]]
    assert header[:5] == [
        "Đối tượng", "Mã đơn vị", "Tên", "Mức xếp loại cao nhất được phép", "Cảnh báo",
    ]  # fmt: skip
    lines = {(row[0], row[2]): row for row in summary.iter_rows(min_row=4, values_only=True)}
    assert len(lines) == 8
    head_m = lines[("Người đứng đầu đơn vị", "Sở Hợp nhất")]
    assert head_m[3] == "Không hoàn thành nhiệm vụ"
    assert head_m[4] == "xem_xet_thay_the"  # two rules, one flag
    assert "[hai_nam_yeu]" in head_m[5] and "2024: Yếu (từ X, Y); 2025: Yếu" in head_m[5]
    assert lines[("Cán bộ, công chức", "Lê Văn C")][3] == "Hoàn thành nhiệm vụ"
    by_reason = list(reasons.iter_rows(min_row=4, values_only=True))
    (late,) = [row for row in by_reason if row[3] == "don_vi_tre_han"]
    assert late[:6] == (
        "Đơn vị", "U1", "Sở Một", "don_vi_tre_han", "Hoàn thành tốt nhiệm vụ", "khong_xet_thi_dua",
    )  # fmt: skip
    assert late[7] == "tỷ lệ hồ sơ trễ hạn 10,00% ≥ 10,00%"
    assert sum(1 for row in by_reason if row[3] == "ba_nam_trung_binh") == 2  # U1 and M


def test_a_unit_sees_only_its_own_lines(kh: Province):
    for user, unit, official, hidden in (
        (kh.focal_u1, "U1", "Lê Văn C", ("U2", "M", "Phạm Văn D")),
        (kh.head_u2, "U2", "Phạm Văn D", ("U1", "M", "Lê Văn C")),
    ):
        client = client_of(user)
        html = client.get(f"/consequences/{kh.cycles[2025].pk}/").content.decode()
        assert sorted(rows_of(html)) == sorted(
            [("unit", unit), ("head", unit), ("official", official)]
        )
        for name in hidden:
            assert f'data-key="{name}"' not in html
        book = openpyxl.load_workbook(
            io.BytesIO(client.get(f"/consequences/{kh.cycles[2025].pk}/consequences.xlsx").content)
        )
        codes = {row[1] for row in book.worksheets[0].iter_rows(min_row=4, values_only=True)}
        assert codes == {unit}


def test_others_get_404_and_visitors_are_sent_to_sign_in(kh: Province):
    cycle = kh.cycles[2025].pk
    for user in (kh.appraiser, kh.other_secretary):
        client = client_of(user)
        assert client.get(f"/consequences/{cycle}/").status_code == 404
        assert client.get(f"/consequences/{cycle}/consequences.xlsx").status_code == 404
    assert Client().get(f"/consequences/{cycle}/").status_code == 302
    assert client_of(kh.secretary).get("/consequences/999999/").status_code == 404


def test_an_unpublished_cycle_says_so_and_exports_headers_only(db):
    kh = build_province(publish_last=False)
    client = client_of(kh.secretary)
    html = client.get(f"/consequences/{kh.cycles[2025].pk}/").content.decode()
    assert "chưa được công bố" in html
    assert rows_of(html) == {}
    book = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/consequences/{kh.cycles[2025].pk}/consequences.xlsx").content)
    )
    assert book.worksheets[0].max_row == 3


def test_an_earlier_year_is_read_with_only_its_own_past(kh: Province):
    """2024: U1 Yếu after Trung bình — not yet a streak; M did not exist, so no lines."""
    rows = rows_of(
        client_of(kh.secretary).get(f"/consequences/{kh.cycles[2024].pk}/").content.decode()
    )
    assert ("head", "M") not in rows and ("head", "X") in rows
    assert "ba_nam_trung_binh ⚑" not in rows[("head", "U1")]
    assert "thiếu kết quả năm 2022" in rows[("head", "U1")]


def test_formula_like_names_are_neutralised_in_the_xlsx(kh: Province):
    from parindex.dossiers.models import DossierStat

    DossierStat.objects.filter(key="Lê Văn C").update(key='=HYPERLINK("x")')
    response = client_of(kh.secretary).get(f"/consequences/{kh.cycles[2025].pk}/consequences.xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[2] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert '\'=HYPERLINK("x")' in names


def test_satisfaction_is_the_share_of_survey_points_of_the_scored_survey_leaves():
    unit = {
        "leaves": [
            {"source": "survey", "status": "ok", "points": 4.5, "max": 5},
            {"source": "survey", "status": "ok", "points": 2, "max": 3},
            {"source": "survey", "status": "low_sample", "points": 0, "max": 2},
            {"source": "self", "status": "ok", "points": 10, "max": 10},
        ]
    }
    assert survey_share(unit) == pytest.approx(6.5 / 8) and str(survey_share(unit)) == "0.8125"
    assert (
        survey_share({"leaves": [{"source": "self", "status": "ok", "points": 1, "max": 1}]})
        is None
    )


def test_the_ranking_page_links_signed_in_readers_to_the_consequences(kh: Province):
    cycle = kh.cycles[2025].pk
    link = f'href="/consequences/{cycle}/"'
    assert link in client_of(kh.secretary).get(f"/results/{cycle}/").content.decode()
    assert link not in Client().get(f"/results/{cycle}/").content.decode()
