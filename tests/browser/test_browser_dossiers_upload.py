"""Importing a one-stop export in a real browser: the upload shows a progress bar (percent and
bytes, then "Đang xử lý tệp…" while the server reads the file), then the import's page with its
figures; a refused file leaves the page showing every problem by line."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parindex.accounts.models import Role
from parindex.dossiers.models import DossierImport, DossierStat, Holiday, StatKind
from tests.dossiers.conftest import EXAMPLES, UNITS, vietnamese_csv
from tests.factories import AuthorityFactory, MembershipFactory, UnitFactory, UnitGroupFactory

pytestmark = pytest.mark.django_db(transaction=True)

COPIES = 1500  # the example's 38 dossiers, 1,500 times: 57,000 rows, ~7 MB
STATUS_VI = {"finished": "Đã trả kết quả", "pending": "Đang giải quyết", "withdrawn": "Đã rút"}
ONLINE_VI = {"1": "Có", "0": "Không", "": ""}

# Every text the progress panel shows, kept across the page being replaced by the answer.
RECORD_PROGRESS = """
new MutationObserver(() => {
  const text = document.querySelector(".upload-progress-text");
  if (!text) { return; }
  const seen = JSON.parse(sessionStorage.getItem("progress") || "[]");
  const bar = document.querySelector(".upload-progress progress");
  const entry = text.textContent + (bar && !bar.hasAttribute("value") ? " [indeterminate]" : "");
  if (seen[seen.length - 1] !== entry) { seen.push(entry); }
  sessionStorage.setItem("progress", JSON.stringify(seen));
}).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
"""


def export(copies: int) -> bytes:
    """The example export with the Vietnamese headers and values, its rows repeated under
    new dossier ids."""
    rows = list(csv.reader(io.StringIO(vietnamese_csv().decode("utf-8"))))
    header, body = rows[0], rows[1:]
    status, online = header.index("Trạng thái"), header.index("Trực tuyến")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for copy in range(copies):
        for row in body:
            cells = list(row)
            cells[0] = f"{cells[0]}-{copy:05d}"
            cells[status], cells[online] = STATUS_VI[cells[status]], ONLINE_VI[cells[online]]
            writer.writerow(cells)
    return out.getvalue().encode("utf-8")


@pytest.fixture
def secretariat(db: None) -> Any:
    authority = AuthorityFactory(code="son-la", name="Sơn La")
    group = UnitGroupFactory(authority=authority, code="so_nganh")
    for code in UNITS:
        UnitFactory(authority=authority, code=code, group=group)
    for line in (EXAMPLES / "holidays-2024.csv").read_text("utf-8").splitlines()[1:]:
        date, name = line.split(",", 1)
        Holiday.objects.create(authority=authority, date=dt.date.fromisoformat(date), name=name)
    return MembershipFactory(authority=authority, role=Role.SECRETARIAT).user


def open_import(page: Any, live_server: Any, path: Path) -> None:
    page.goto(f"{live_server.url}/dossiers/son-la/import/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nhập tệp hồ sơ một cửa")
    page.get_by_label("Tệp xuất từ phần mềm một cửa (CSV hoặc XLSX)").set_input_files(path)
    page.get_by_label("Năm").fill("2024")


def test_an_export_uploads_with_a_progress_bar_then_shows_its_figures(
    live_server: Any, sign_in: Any, secretariat: Any, tmp_path: Path
):
    path = tmp_path / "mot-cua-2024.csv"
    path.write_bytes(export(COPIES))
    page = sign_in(secretariat)
    page.add_init_script(RECORD_PROGRESS)
    open_import(page, live_server, path)

    page.get_by_role("button", name="Nhập").click()
    progress = page.locator("form[data-upload-progress] .upload-progress progress")
    expect(progress).to_be_attached()
    expect(page.get_by_role("status").filter(has_text="Đang xử lý tệp…")).to_be_visible()

    page.wait_for_url(f"{live_server.url}/dossiers/imports/*/", timeout=120_000)
    expect(page.get_by_role("heading", level=2, name="Tỷ lệ đúng hạn theo đơn vị")).to_be_visible()
    expect(page.locator("ul.messages")).to_contain_text("Đã nhập tệp.")
    record = DossierImport.objects.get()
    assert page.url == f"{live_server.url}/dossiers/imports/{record.pk}/"
    assert (record.received, record.finished, record.withdrawn) == (
        38 * COPIES,
        30 * COPIES,
        3 * COPIES,
    )
    so_tp = DossierStat.objects.get(dossier_import=record, kind=StatKind.UNIT, key="SO_TP")
    row = page.locator("table").first.locator("tr").filter(has=page.locator("th", has_text="SO_TP"))
    expect(row.locator("td").nth(0)).to_have_text(str(so_tp.received))
    expect(row.locator("td").nth(1)).to_have_text(str(8 * COPIES))

    seen = page.evaluate("JSON.parse(sessionStorage.getItem('progress') || '[]')")
    assert any(text.startswith("Đang gửi tệp…") for text in seen), seen
    assert any("%" in text and "MB" in text for text in seen), seen
    assert seen[-1] == "Đang xử lý tệp… [indeterminate]", seen


def test_a_refused_file_shows_its_problems_in_place(
    live_server: Any, sign_in: Any, secretariat: Any, tmp_path: Path
):
    path = tmp_path / "hong.csv"
    path.write_bytes(export(2).replace("Đã rút".encode(), "Đã huỷ".encode(), 1))
    page = sign_in(secretariat)
    open_import(page, live_server, path)
    page.get_by_role("button", name="Nhập").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Tệp có lỗi; không nhập gì.")
    expect(page.locator("table.problems")).to_contain_text("Đã huỷ")
    assert page.url == f"{live_server.url}/dossiers/son-la/import/"
    assert DossierImport.objects.count() == 0
    # the page answered is live again: the form still sends with its progress bar
    expect(page.locator("form[data-upload-progress]")).to_have_attribute("data-upload-ready", "")
