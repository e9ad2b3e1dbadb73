"""The respondent's journey in a real browser on a phone: no account, a one-use link, each tapped
answer kept at once, the answers still there after a reload, one submission, and the link
refused (410) when opened again."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parindex.survey.models import Invitation, Response

# the survey builders (`tests/survey/survey_builders.py`) build the cycle and its campaign
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "survey"))
from survey_builders import invitation, survey_world

pytestmark = pytest.mark.django_db(transaction=True)

TOUCH_TARGET = 44  # px: the smallest comfortable target for a finger
PHONE_WIDTH = 390  # the `phone` fixture's viewport (tests/browser/conftest.py)


def option(page: Any, question: str, answer: str) -> Any:
    """The label (the whole tappable row) of one answer to one question."""
    return page.locator(f"#fs-{question} label").filter(
        has=page.locator(f"input[value='{answer}']")
    )


def choose(page: Any, question: str, answer: str) -> None:
    """Tap an answer and wait for its autosave to come back."""
    with page.expect_response(lambda reply: reply.url.endswith("/save")) as saved:
        option(page, question, answer).tap()
    assert saved.value.ok, saved.value.text()


def checked(page: Any, question: str) -> Any:
    return page.locator(f"#fs-{question} input:checked")


def no_sideways_scroll(page: Any) -> bool:
    """On a phone Chromium widens the layout viewport to fit what overflows, so the page's
    width is checked against the screen's as well as against `innerWidth`."""
    width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    return width <= inner <= PHONE_WIDTH


def draft(found: Invitation) -> Response:
    return Response.objects.get(invitation=found)


def test_a_respondent_answers_on_a_phone_without_an_account(
    live_server: Any, phone: Any, browser: Any
):
    found = invitation(survey_world())
    link = f"{live_server.url}/s/{found.code}/"

    opened = phone.goto(link)
    assert opened.status == 200
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Phiếu khảo sát ý kiến")
    expect(phone.locator("main")).to_contain_text("Đơn vị được đánh giá: Sở SO_NV")
    expect(phone.locator("main")).to_contain_text("Mỗi câu trả lời được lưu ngay khi Ông/Bà chọn")
    send = phone.get_by_role("button", name="Gửi phiếu trả lời")
    expect(send).to_be_visible()
    assert phone.locator("fieldset.question").count() == 3
    expect(option(phone, "q1", "5")).to_contain_text("Rất hài lòng")

    # made for a phone: nothing scrolls sideways, every answer is a finger-sized target
    assert no_sideways_scroll(phone)
    heights = phone.locator(".options label").evaluate_all(
        "labels => labels.map(label => label.getBoundingClientRect().height)"
    )
    assert heights and min(heights) >= TOUCH_TARGET - 0.5, heights

    # each tap is kept at once: the page says so and the draft holds it, not yet counted
    status = phone.get_by_role("status").filter(has_text="Đã lưu")
    choose(phone, "q1", "4")
    expect(phone.locator("#saved")).to_have_text("Đã lưu (1)")
    assert draft(found).answers == {"q1": "4"}
    choose(phone, "q2", "5")
    expect(phone.locator("#saved")).to_have_text("Đã lưu (2)")
    expect(status).to_be_visible()
    choose(phone, "q2", "2")  # a change of mind replaces the answer
    expect(phone.locator("#saved")).to_have_text("Đã lưu (2)")
    kept = draft(found)
    assert kept.answers == {"q1": "4", "q2": "2"}
    assert kept.submitted_at is None
    found.refresh_from_db()
    assert found.opened_at is not None and found.submitted_at is None

    # after a reload, and on another device, the answers are still chosen
    phone.reload()
    expect(checked(phone, "q1")).to_have_value("4")
    expect(checked(phone, "q2")).to_have_value("2")
    expect(checked(phone, "q3")).to_have_count(0)
    other = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    try:
        elsewhere = other.new_page()
        elsewhere.goto(link)
        expect(checked(elsewhere, "q1")).to_have_value("4")
        expect(checked(elsewhere, "q2")).to_have_value("2")
    finally:
        other.close()

    # the last answer, then one submission
    choose(phone, "q3", "3")
    expect(phone.locator("#saved")).to_have_text("Đã lưu (3)")
    send.tap()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Cảm ơn Ông/Bà đã tham gia khảo sát")
    expect(phone.get_by_role("status")).to_have_text(
        "Ý kiến của Ông/Bà đã được ghi nhận. Đường liên kết này không thể dùng lại."
    )
    counted = draft(found)
    assert counted.answers == {"q1": "4", "q2": "2", "q3": "3"}
    assert counted.submitted_at is not None
    assert no_sideways_scroll(phone)

    # the same link again: gone, with the reason
    again = phone.goto(link)
    assert again.status == 410
    expect(phone.get_by_role("alert")).to_have_text(
        "Đường liên kết này đã được sử dụng: mỗi đường liên kết chỉ dùng để trả lời một lần."
    )
    assert phone.locator("#survey-form").count() == 0


def test_a_code_typed_in_lower_case_with_a_dash_opens_the_form(live_server: Any, phone: Any):
    found = invitation(survey_world())
    typed = f"{found.code[:4]}-{found.code[4:]}".lower()

    phone.goto(f"{live_server.url}/s/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Trả lời phiếu khảo sát")
    phone.get_by_label("Mã phiếu in trên thẻ").fill(typed)
    phone.get_by_role("button", name="Bắt đầu").tap()

    phone.wait_for_url(f"{live_server.url}/s/{found.code}/")
    expect(phone.get_by_role("button", name="Gửi phiếu trả lời")).to_be_visible()
    expect(phone.locator("fieldset.question")).to_have_count(3)
