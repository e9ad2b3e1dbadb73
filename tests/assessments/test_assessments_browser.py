"""The sheet in a real browser on a phone: autosave, live points, a conflict, evidence upload.

Chromium is Debian's (`apt-get install chromium`); without it the test is skipped.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from assessment_builders import build, docx_bytes, pdf_bytes
from django.conf import settings
from django.test import Client
from django.urls import reverse

from parindex.assessments.models import Evidence, LeafEntry
from parindex.assessments.services import entry_save

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def page(live_server: Any, browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="vi-VN", is_mobile=True, has_touch=True
    )
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    yield tab
    context.close()


def sign_in(page: Any, live_server: Any, user: Any) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )


def test_a_focal_point_fills_the_sheet_on_a_phone(live_server: Any, page: Any, tmp_path: Path):
    world = build()
    sheet = world.sheet()
    sign_in(page, live_server, world.focal["SO_NV"])
    page.goto(live_server.url + reverse("assessments:sheet", args=[sheet.pk]))

    # a choice saves itself and the engine's points come back
    page.select_option("#v-1\\.1\\.1", "cham")
    leaf = page.locator("#leaf-1\\.1\\.1")
    leaf.locator("[data-state]").get_by_text("Đã lưu").wait_for()
    assert leaf.locator("[data-leaf-points]").inner_text() == "1"
    assert page.locator("[data-total-points]").inner_text() == "1"
    assert page.locator("[data-field-points='1']").inner_text() == "1"
    assert LeafEntry.objects.get(code="1.1.1").value == "cham"

    # the history of the leaf shows the change
    leaf.locator("details.history summary").click()  # fetched when opened
    leaf.locator("[data-history] ins").get_by_text("cham").wait_for()
    assert "∅ → cham" in leaf.locator("[data-history]").inner_text()

    # a value that does not fit is refused in Vietnamese and marked on the input
    page.locator("summary", has_text="Cải cách thủ tục hành chính").click()
    count = page.locator("#v-2\\.2")
    count.fill("-1")
    state = page.locator("#leaf-2\\.2 [data-state]")
    state.get_by_text("số lần vi phạm phải là số nguyên không âm").wait_for()
    assert count.get_attribute("aria-invalid") == "true"
    count.fill("1")
    state.get_by_text("Đã lưu").wait_for()
    assert page.locator("[data-leaf-points='2.2']").inner_text() == "2"
    assert page.locator("[data-total-points]").inner_text() == "3"

    # a ratio as two numbers; Vietnamese decimal comma in the points
    page.locator("#leaf-2\\.1 [name=numerator]").fill("45")
    page.locator("#leaf-2\\.1 [name=denominator]").fill("50")
    page.locator("#leaf-2\\.1 [data-state]").get_by_text("Đã lưu").wait_for()
    assert page.locator("[data-leaf-points='2.1']").inner_text() == "3,6"

    # someone else saves 1.1.1 meanwhile: the next save shows their value and keeps ours
    entry_save(
        assessment=sheet,
        code="1.1.1",
        value="khong",
        note="Chưa ban hành",
        expected_version=1,
        by=world.head["SO_NV"],
    )
    page.select_option("#v-1\\.1\\.1", "dung_han")
    conflict = leaf.locator("[data-conflict]")
    conflict.get_by_text("Chưa ban hành").wait_for()
    assert LeafEntry.objects.get(code="1.1.1").value == "khong"
    conflict.get_by_role("button", name="Giữ bản của tôi và lưu").click()
    leaf.locator("[data-state]").get_by_text("Đã lưu").wait_for()
    entry = LeafEntry.objects.get(code="1.1.1")
    assert (entry.value, entry.version) == ("dung_han", 3)

    # evidence: two files at once through the file input, then linked to another leaf
    pdf, docx = tmp_path / "quyet-dinh.pdf", tmp_path / "bao-cao.docx"
    pdf.write_bytes(pdf_bytes())
    docx.write_bytes(docx_bytes())
    leaf.locator("input[type=file]").set_input_files([str(pdf), str(docx)])
    leaf.locator("[data-evidence] a", has_text="bao-cao.docx").wait_for()
    assert Evidence.objects.count() == 2
    other = page.locator("#leaf-1\\.1\\.2")
    other.locator("[data-link-select]").select_option(label="quyet-dinh.pdf")
    other.locator("[data-link-form] button").click()
    other.locator("[data-evidence] a", has_text="quyet-dinh.pdf").wait_for()
    assert page.locator("[data-missing-count]").count() == 0  # the focal point does not submit

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing overflows the phone's screen


def test_a_save_whose_answer_was_lost_is_sent_again_and_kept_once(live_server: Any, page: Any):
    """The first sending is committed but its answer is a 503 (a database restart at COMMIT):
    the page says it is trying again, sends the same save, and the server knows it as done."""
    world = build()
    sheet = world.sheet()
    sign_in(page, live_server, world.focal["SO_NV"])
    sent: list[int] = []

    def lose_first_answer(route: Any) -> None:
        sent.append(route.request.method == "POST")
        if len(sent) == 1:
            route.fetch()  # the server saves it
            route.fulfill(status=503, headers={"Retry-After": "30"}, json={"ok": False})
        else:
            route.continue_()

    page.route(lambda url: url.endswith("/entries/1.1.1/"), lose_first_answer)
    page.goto(live_server.url + reverse("assessments:sheet", args=[sheet.pk]))
    page.select_option("#v-1\\.1\\.1", "cham")
    state = page.locator("#leaf-1\\.1\\.1 [data-state]")
    state.get_by_text("Chưa lưu: chưa kết nối được máy chủ, đang thử lại…").wait_for()
    state.get_by_text("Đã lưu").wait_for()
    assert sent == [True, True]
    entry = LeafEntry.objects.get(assessment=sheet, code="1.1.1")
    assert (entry.value, entry.version) == ("cham", 1)
    assert sheet.changes.filter(code="1.1.1", kind="value").count() == 1
    assert page.locator("#leaf-1\\.1\\.1 [data-conflict]").is_hidden()
