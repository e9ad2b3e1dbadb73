"""The appraisal journey in a real browser: an appraiser of Home Affairs corrects a unit's value
with a reason, the secretariat opens the explanation phase, and the unit's focal point, on a
phone, reads the change and contests it with an argument and a new document."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from appraisal_builders import entry, submitted
from assessment_builders import pdf_bytes
from django.urls import reverse
from playwright.sync_api import expect

from parindex.assessments.models import (
    AssessmentStatus,
    Change,
    ChangeKind,
    EvidenceLink,
    Explanation,
    ExplanationDecision,
    Phase,
)

pytestmark = pytest.mark.django_db(transaction=True)

REASON = "Báo cáo năm chỉ hoàn thành 7 trên 10 nhiệm vụ"
ARGUMENT = "Ba nhiệm vụ còn lại đã hoàn thành trong tháng 12, có biên bản nghiệm thu kèm theo"


def css_id(text: str) -> str:
    return "#" + text.replace(".", "\\.")


def test_an_appraiser_corrects_a_value_and_the_unit_explains_it(
    live_server: Any, sign_in: Any, tmp_path: Path
):
    w = submitted()
    sheet = w.sheet("SO_TP")
    assert entry(w, "1.2").value == "85%"

    # the appraiser of Home Affairs goes from the cycle page to the worklist
    appraiser = sign_in(w.noi_vu)
    appraiser.goto(live_server.url + reverse("assessments:cycle_detail", args=[w.cycle.pk]))
    appraiser.get_by_role("link", name="Thẩm định giá trị của các đơn vị").click()
    expect(appraiser.get_by_role("heading", level=1)).to_have_text("Thẩm định")
    item = appraiser.locator(css_id(f"w-{sheet.pk}-1.2"))
    expect(item).to_contain_text("Giá trị đơn vị tự đánh giá: 85%")
    expect(item).to_contain_text("ghi chú 1.2")
    expect(item.locator(".badge")).to_have_text("chưa thẩm định")
    # never the leaves of the appraiser's own unit
    assert appraiser.locator(f"[id^='w-{w.sheet('SO_NV').pk}-']").count() == 0

    # a correction without a reason is refused with a message, and nothing is stored
    item.get_by_label("Giá trị thẩm định").fill("70%")
    item.get_by_label("Lý do (bắt buộc khi điều chỉnh)").fill("")
    item.get_by_role("button", name="Lưu kết quả thẩm định").click()
    messages = appraiser.locator("ul.messages")
    expect(messages.locator("li.error")).to_have_text(
        "Sở SO_TP · 1.2: điều chỉnh phải nêu lý do để đơn vị được biết."
    )
    assert entry(w, "1.2").appraised_value == ""
    assert not Change.objects.filter(assessment=sheet, kind=ChangeKind.APPRAISAL).exists()

    # with a reason the correction is stored and marked
    item.get_by_label("Giá trị thẩm định").fill("70%")
    item.get_by_label("Lý do (bắt buộc khi điều chỉnh)").fill(REASON)
    item.get_by_role("button", name="Lưu kết quả thẩm định").click()
    expect(messages).to_have_text("Đã thẩm định Sở SO_TP · 1.2.")
    expect(item.locator(".badge")).to_have_text("điều chỉnh")
    expect(item).to_contain_text(f"Giá trị thẩm định: 70% — {REASON}")

    # keeping the unit's value confirms it; no reason needed
    kept = appraiser.locator(css_id(f"w-{sheet.pk}-1.1.1"))
    kept.get_by_role("button", name="Lưu kết quả thẩm định").click()
    expect(messages).to_have_text("Đã thẩm định Sở SO_TP · 1.1.1.")
    expect(kept.locator(".badge")).to_have_text("giữ nguyên")
    expect(appraiser.locator("main")).to_contain_text("Đã thẩm định: 2 / 3")

    corrected = entry(w, "1.2")
    assert (corrected.value, corrected.appraised_value) == ("85%", "70%")
    assert (corrected.appraisal_reason, corrected.appraised_by) == (REASON, w.noi_vu)
    assert entry(w, "1.1.1").appraised_value == entry(w, "1.1.1").value == "dung_han"

    # the secretariat moves the cycle to the explanation phase on the cycle page
    secretariat = sign_in(w.secretariat)
    secretariat.goto(live_server.url + reverse("assessments:cycle_detail", args=[w.cycle.pk]))
    secretariat.get_by_role("button", name="Chuyển sang “Giải trình”").click()
    expect(secretariat.locator("ul.messages")).to_have_text(
        "Kỳ đánh giá đã chuyển sang giai đoạn tiếp theo."
    )
    expect(secretariat.locator("[aria-current=step]")).to_contain_text("Giải trình")
    w.reload()
    assert w.cycle.phase == Phase.EXPLANATION

    # the unit's focal point, on a phone, goes from the sheet to what the appraisal changed
    unit = sign_in(w.focal["SO_TP"], phone=True)
    unit.goto(live_server.url + reverse("assessments:sheet", args=[sheet.pk]))
    unit.get_by_role("link", name="Kết quả thẩm định và giải trình").click()
    expect(unit.locator("main")).to_contain_text("Tiêu chí đã thẩm định: 2, trong đó điều chỉnh: 1")
    change = unit.locator(css_id("c-1.2"))
    expect(change.locator(".badge")).to_have_text("điều chỉnh")
    pairs = change.locator("dl.pair-list").inner_text()
    assert re.search(r"Giá trị đơn vị tự đánh giá\s+85%", pairs)
    assert re.search(r"Giá trị thẩm định\s+70%", pairs)
    assert re.search(rf"Lý do\s+{REASON}", pairs)
    assert "Tham_Dinh_Nv" in pairs  # who appraised
    change.locator("details.history summary").click()
    expect(change.locator("details.history")).to_contain_text("thẩm định: 85% → 70%")
    expect(change.locator("details.history")).to_contain_text(f"Lý do: {REASON}")
    confirmed = unit.locator(css_id("c-1.1.1"))
    expect(confirmed.locator(".badge")).to_have_text("giữ nguyên")
    assert confirmed.locator("form").count() == 0  # nothing to contest

    # the argument is required: the browser does not send the form without it
    change.get_by_role("button", name="Gửi giải trình").click()
    argument = change.get_by_label("Nội dung giải trình (bắt buộc)")
    assert argument.evaluate("node => node.validity.valueMissing")
    assert not Explanation.objects.exists()

    # the explanation, a proposed value and a new document
    document = tmp_path / "bien-ban-nghiem-thu.pdf"
    document.write_bytes(pdf_bytes("Bien ban nghiem thu"))
    argument.fill(ARGUMENT)
    change.get_by_label("Giá trị đề nghị (để trống: giá trị tự đánh giá)").fill("100%")
    change.get_by_label("Tài liệu kiểm chứng bổ sung").set_input_files(str(document))
    change.get_by_role("button", name="Gửi giải trình").click()
    expect(unit.locator("ul.messages")).to_have_text("Đã gửi giải trình cho 1.2.")
    shown = change.locator(".readonly")
    expect(shown).to_contain_text(ARGUMENT)
    expect(shown).to_contain_text("Giá trị đề nghị: 100%")
    expect(shown.locator(".badge")).to_have_text("Chờ xử lý")
    expect(change.get_by_role("link", name="bien-ban-nghiem-thu.pdf")).to_be_visible()
    assert change.locator("form").count() == 0  # one pending explanation at a time
    assert unit.evaluate("document.documentElement.scrollWidth") <= 390

    # what the database keeps
    explanation = Explanation.objects.get()
    assert explanation.entry == corrected
    assert (explanation.argument, explanation.proposed_value) == (ARGUMENT, "100%")
    assert (explanation.by, explanation.decision) == (w.focal["SO_TP"], ExplanationDecision.PENDING)
    history = Change.objects.filter(assessment=sheet, code="1.2").order_by("at", "pk")
    link = EvidenceLink.objects.get(evidence__original_name="bien-ban-nghiem-thu.pdf")
    assert (link.code, link.evidence.assessment_id) == ("1.2", sheet.pk)
    uploaded = f"bien-ban-nghiem-thu.pdf (SHA-256 {link.evidence.sha256[:12]})"
    focal = w.focal["SO_TP"]
    assert [(c.kind, c.old, c.new, c.reason, c.by) for c in history] == [
        (ChangeKind.VALUE, "", "85%", "", focal),
        (ChangeKind.NOTE, "", "ghi chú 1.2", "", focal),
        (ChangeKind.APPRAISAL, "85%", "70%", REASON, w.noi_vu),
        (ChangeKind.EXPLANATION, "70%", "100%", ARGUMENT, focal),
        (ChangeKind.EVIDENCE, "", uploaded, "", focal),
    ]
    assert w.sheet("SO_TP").status == AssessmentStatus.EXPLAINED
    assert entry(w, "1.2").appraised_value == "70%"  # unchanged until the council decides
