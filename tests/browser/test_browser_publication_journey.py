"""The end of a cycle in a real browser: the council chair decides the last explanation and
finalises the cycle, the secretariat publishes it, and an anonymous visitor reads the ranking the
engine computed."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from appraisal_builders import entry, submitted
from django.urls import reverse
from playwright.sync_api import expect

from parindex.assessments.appraisal import entry_appraise, explanation_submit
from parindex.assessments.models import AssessmentStatus, ExplanationDecision, Phase
from parindex.assessments.services import cycle_advance
from parindex.results.models import ComputedResult, Publication

pytestmark = pytest.mark.django_db(transaction=True)


def vn(number: float | int) -> str:
    """A number as the Vietnamese page shows it: two decimals, a decimal comma."""
    return f"{Decimal(str(number)):.2f}".replace(".", ",")


def test_the_chair_finalises_the_secretariat_publishes_and_the_public_reads_the_ranking(
    live_server: Any, sign_in: Any, browser: Any
):
    # set-up through the services: both sheets appraised, one correction contested
    w = submitted()
    for unit, code, value, reason, by in (
        ("SO_TP", "1.2", "70%", "Chỉ hoàn thành 7/10 nhiệm vụ", w.noi_vu),
        ("SO_NV", "2.2", "3", "Thanh tra phát hiện 3 vi phạm", w.tu_phap),
    ):
        found = entry(w, code, unit)
        entry_appraise(
            entry=found, value=value, reason=reason, expected_version=found.version, by=by
        )
    cycle_advance(cycle=w.cycle, to_phase=Phase.EXPLANATION, by=w.secretariat)
    explanation = explanation_submit(
        entry=entry(w, "1.2", "SO_TP"), argument="Đã hoàn thành 85%", by=w.focal["SO_TP"]
    )

    # the council chair opens the explanations from the cycle page
    chair = sign_in(w.chair)
    chair.goto(live_server.url + reverse("assessments:cycle_detail", args=[w.cycle.pk]))
    chair.get_by_role("link", name="Giải trình, hoàn thiện và công bố kết quả").click()
    expect(chair.get_by_role("heading", level=1)).to_have_text("Giải trình và phúc tra")
    pending = chair.locator(f"#e-{explanation.pk}")
    expect(pending).to_contain_text("Sở SO_TP · 1.2")
    expect(pending).to_contain_text("Đã hoàn thành 85%")
    assert chair.get_by_role("button", name="Công bố kết quả").count() == 0  # not yet

    # finalising is refused while the explanation awaits its decision
    chair.get_by_role("button", name="Hoàn thiện kết quả").click()
    messages = chair.locator("ul.messages")
    expect(messages.locator("li.error")).to_have_text(
        "Còn 1 giải trình chờ xem xét; hãy xem xét trước."
    )
    w.reload()
    assert w.cycle.phase == Phase.EXPLANATION
    assert not ComputedResult.objects.exists()

    # the chair accepts it: the unit's own value comes back
    pending.get_by_role("button", name="Chấp nhận", exact=True).click()
    expect(messages).to_have_text("Đã chấp nhận giải trình.")
    expect(chair.locator(f"#e-{explanation.pk}")).to_have_count(0)
    decided = chair.locator("table tbody tr")
    expect(decided).to_have_count(1)
    expect(decided).to_contain_text("Sở SO_TP")
    expect(decided).to_contain_text("85%")
    explanation.refresh_from_db()
    assert explanation.decision == ExplanationDecision.ACCEPTED
    assert entry(w, "1.2", "SO_TP").appraised_value == "85%"

    # and finalises: every sheet final, the engine's result stored
    chair.get_by_label("Ghi chú lưu hồ sơ (không bắt buộc)").fill("Hội đồng họp ngày 15/01")
    chair.get_by_role("button", name="Hoàn thiện kết quả").click()
    expect(messages).to_have_text("Đã hoàn thiện kỳ đánh giá và tính kết quả.")
    w.reload()
    assert w.cycle.phase == Phase.FINALISATION
    assert w.cycle.events.latest("pk").reason == "Hội đồng họp ngày 15/01"
    assert {s.status for s in w.cycle.assessments.all()} == {AssessmentStatus.FINAL}
    computed = ComputedResult.objects.get(cycle=w.cycle)
    units = {u["unit"]: u for u in computed.document["units"]}
    # the appraisal reached the engine: 3 violations instead of 1 cost Home Affairs 2 points
    assert Decimal(str(units["SO_TP"]["points"])) - Decimal(str(units["SO_NV"]["points"])) == 2
    assert (units["SO_TP"]["rank"], units["SO_NV"]["rank"]) == (1, 2)

    # the secretariat publishes from the same page and lands on the public ranking
    secretariat = sign_in(w.secretariat)
    secretariat.goto(live_server.url + reverse("assessments:cycle_detail", args=[w.cycle.pk]))
    secretariat.get_by_role("link", name="Giải trình, hoàn thiện và công bố kết quả").click()
    assert secretariat.get_by_role("button", name="Hoàn thiện kết quả").count() == 0
    secretariat.get_by_role("button", name="Công bố kết quả").click()
    expect(secretariat.locator("ul.messages")).to_have_text("Đã công bố, lần 1.")
    expect(secretariat.get_by_role("heading", level=1)).to_have_text(w.cycle.title)
    publication = Publication.objects.get(cycle=w.cycle)
    assert (publication.revision, publication.published_by) == (1, w.secretariat)
    assert json.loads(publication.snapshot)["results"] == computed.document
    w.reload()
    assert w.cycle.phase == Phase.PUBLISHED

    # an anonymous visitor finds the cycle on the home page and reads the engine's numbers
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    public = context.new_page()
    public.set_default_timeout(10_000)
    public.goto(f"{live_server.url}/")
    public.get_by_role("link", name=w.cycle.title).click()
    expect(public.locator("main")).to_contain_text("Bản công bố đã được kiểm tra")
    expect(public.locator("main code")).to_contain_text(publication.sha256[:10])
    rows = public.locator("tbody tr")
    expect(rows).to_have_count(len(computed.document["units"]))
    shown = [row.split("\t") for row in rows.all_inner_texts()]
    expected = [
        [str(u["rank"]), u["name"], vn(u["index"]), vn(u["points"]), u["class_label"], "—"]
        for u in sorted(computed.document["units"], key=lambda u: u["rank"])
    ]
    assert shown == expected
    assert [row[1] for row in shown] == ["Sở SO_TP", "Sở SO_NV"]
    assert all("," in row[2] for row in shown)  # Vietnamese decimal comma
    assert public.get_by_role("button", name="Công bố kết quả").count() == 0
    context.close()
