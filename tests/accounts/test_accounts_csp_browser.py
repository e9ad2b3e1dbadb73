"""The content security policy breaks nothing: in Chromium, the sheet (autosave, its
script), the survey answer page (its inline script with the nonce) and the sign-in pages run
without a single policy violation."""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from parindex.accounts import totp
from parindex.accounts.models import Role, User
from tests.factories import MembershipFactory

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS / "assessments"))
sys.path.insert(0, str(TESTS / "survey"))

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "Mật-khẩu-trình-duyệt-2025!"

# Recorded before any page script runs; init scripts are not subject to the page's policy.
LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI + " " + e.sourceFile);
});
"""


@pytest.fixture
def page(live_server: Any, browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    context.add_init_script(LISTEN)
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.console_messages = []  # type: ignore[attr-defined]
    tab.on("console", lambda message: tab.console_messages.append(message.text))
    yield tab
    context.close()


def _violations(page: Any) -> list[str]:
    found = list(page.evaluate("window.__violations"))
    found += [text for text in page.console_messages if "Content Security Policy" in text]
    return found


def _sign_in(page: Any, live_server: Any, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_the_sheet_autosaves_with_no_policy_violation(live_server: Any, page: Any) -> None:
    from assessment_builders import build

    world = build()
    focal = world.focal["SO_NV"]
    focal.set_password(PASSWORD)
    focal.save()
    _sign_in(page, live_server, focal.username)
    page.wait_for_url(f"{live_server.url}/")
    page.goto(live_server.url + reverse("assessments:sheet", args=[world.sheet().pk]))
    page.select_option("#v-1\\.1\\.1", "cham")
    page.locator("#leaf-1\\.1\\.1 [data-state]").get_by_text("Đã lưu").wait_for()
    assert _violations(page) == []
    # and the listener does hear a violation: an injected inline script is refused
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = 1'; document.body.appendChild(s); }"
    )
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__ran") is None
    assert _violations(page)[0].startswith("script-src")


def test_the_survey_answer_page_runs_its_script_with_no_policy_violation(
    live_server: Any, page: Any
) -> None:
    from survey_builders import invitation, survey_world

    found = invitation(survey_world())
    page.goto(f"{live_server.url}/s/{found.code}/")
    with page.expect_response(lambda reply: reply.url.endswith("/save")) as saved:
        page.locator("#fs-q1 input[value='5']").check()
    assert saved.value.ok
    page.locator("#saved").get_by_text("Đã lưu (1)").wait_for()
    assert (
        page.evaluate("getComputedStyle(document.querySelector('.question')).borderTopStyle")
        == "solid"
    )  # the page's nonce'd <style> applied
    assert _violations(page) == []


def test_two_factor_enrolment_in_the_browser_with_no_policy_violation(
    live_server: Any, page: Any
) -> None:
    user = User.objects.create_user("noi_vu.thu_ky", password=PASSWORD)
    MembershipFactory(user=user, role=Role.SECRETARIAT)
    _sign_in(page, live_server, "noi_vu.thu_ky")
    page.wait_for_url(f"{live_server.url}/accounts/two-factor/enrol/")
    assert page.locator("svg.segno").is_visible()
    secret = page.locator("#totp-secret").inner_text()
    code = totp.code_at(secret, totp.time_step(time.time()))
    page.get_by_label("Mã trên ứng dụng xác thực").fill(code)
    page.get_by_role("button", name="Xác nhận").click()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 8 and all(re.fullmatch(r"[0-9a-f]{5}-[0-9a-f]{5}", c) for c in codes)
    page.get_by_role("link", name="Tôi đã lưu các mã: tiếp tục").click()
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("button", name="Đăng xuất trên mọi thiết bị").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    assert _violations(page) == []
