"""Appraisal, explanation, decision, finalisation and publication pages."""

from __future__ import annotations

import pytest
from appraisal_builders import entry, move, submitted
from assessment_builders import EXE, pdf_bytes
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from parindex.assessments.appraisal import entry_appraise
from parindex.assessments.models import (
    AssessmentStatus,
    Explanation,
    ExplanationDecision,
    Phase,
)
from parindex.results.models import Publication

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def vietnamese_after():  # type: ignore[no-untyped-def]
    """The English pages of these tests must not leave English active for the next test."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def signed_in(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_worklist_shows_only_the_agencys_leaves_of_other_units():
    w = submitted()
    page = signed_in(w.noi_vu).get(reverse("appraisal:worklist", args=[w.cycle.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Sở SO_TP" in html
    assert f'id="w-{w.sheet("SO_NV").pk}-' not in html  # never their own unit
    assert f'id="w-{w.sheet("SO_TP").pk}-1.2"' in html
    assert f'id="w-{w.sheet("SO_TP").pk}-2.1"' not in html  # Justice's leaf
    assert "qd.pdf" in html and "ghi chú 1.2" in html
    by_leaf = signed_in(w.noi_vu).get(reverse("appraisal:worklist", args=[w.cycle.pk]) + "?by=leaf")
    assert "1.2. Tỷ lệ hoàn thành nhiệm vụ" in by_leaf.content.decode()


def test_people_without_an_agency_get_404_on_the_worklist_and_the_appraise_action():
    w = submitted()
    url = reverse("appraisal:worklist", args=[w.cycle.pk])
    action = reverse("appraisal:appraise", args=[w.sheet("SO_TP").pk, "1.2"])
    for who in (w.focal["SO_TP"], w.head["SO_NV"], w.secretariat):
        assert signed_in(who).get(url).status_code == 404
        response = signed_in(who).post(action, {"value": "70%", "reason": "x", "version": 1})
        assert response.status_code == 404
    assert entry(w, "1.2").appraised_value == ""


def test_an_appraiser_corrects_on_the_page_and_the_unit_sees_and_explains_it():
    w = submitted()
    found = entry(w, "1.2")
    client = signed_in(w.noi_vu)
    action = reverse("appraisal:appraise", args=[found.assessment_id, "1.2"])
    refused = client.post(action, {"value": "70%", "reason": "", "version": found.version})
    assert refused.status_code == 302
    assert entry(w, "1.2").appraised_value == ""
    client.post(action, {"value": "70%", "reason": "Chỉ 70%", "version": found.version})
    assert entry(w, "1.2").appraised_value == "70%"
    stale = client.post(action, {"value": "60%", "reason": "y", "version": found.version})
    assert stale.status_code == 302
    assert entry(w, "1.2").appraised_value == "70%"  # the stale form changed nothing

    move(w.cycle, Phase.EXPLANATION)
    unit = signed_in(w.focal["SO_TP"])
    changes = unit.get(reverse("appraisal:sheet_changes", args=[found.assessment_id]))
    html = changes.content.decode()
    assert changes.status_code == 200
    assert "Chỉ 70%" in html and "85%" in html and "Send the explanation" in html
    upload = SimpleUploadedFile("bao-cao.pdf", pdf_bytes("85"), content_type="application/pdf")
    unit.post(
        reverse("appraisal:explain", args=[found.assessment_id, "1.2"]),
        {"argument": "Có báo cáo đủ 85%", "proposed_value": "", "files": upload},
    )
    explanation = Explanation.objects.get()
    assert explanation.argument == "Có báo cáo đủ 85%"
    assert w.sheet("SO_TP").evidence.filter(original_name="bao-cao.pdf").exists()
    assert w.sheet("SO_TP").status == AssessmentStatus.EXPLAINED

    decisions = signed_in(w.chair).get(reverse("appraisal:explanations", args=[w.cycle.pk]))
    assert "Có báo cáo đủ 85%" in decisions.content.decode()
    assert (
        signed_in(w.tu_phap).post(reverse("appraisal:decide", args=[explanation.pk])).status_code
        == 404
    )
    signed_in(w.chair).post(
        reverse("appraisal:decide", args=[explanation.pk]), {"decision": "accept", "reason": ""}
    )
    explanation.refresh_from_db()
    assert explanation.decision == ExplanationDecision.ACCEPTED
    assert entry(w, "1.2").appraised_value == "85%"


def test_a_refused_document_leaves_the_explanation_unsent_so_the_unit_can_send_it_again():
    w = submitted()
    found = entry(w, "1.2")
    entry_appraise(
        entry=found, value="70%", reason="r", expected_version=found.version, by=w.noi_vu
    )
    move(w.cycle, Phase.EXPLANATION)
    unit = signed_in(w.focal["SO_TP"])
    action = reverse("appraisal:explain", args=[found.assessment_id, "1.2"])
    page = unit.post(
        action, {"argument": "Có báo cáo", "files": SimpleUploadedFile("a.exe", EXE)}, follow=True
    )
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert not Explanation.objects.exists()
    assert w.sheet("SO_TP").status == AssessmentStatus.SUBMITTED  # not explained
    unit.post(action, {"argument": "Có báo cáo"})
    assert Explanation.objects.get().argument == "Có báo cáo"


def test_another_units_people_cannot_see_a_sheets_changes():
    w = submitted()
    url = reverse("appraisal:sheet_changes", args=[w.sheet("SO_TP").pk])
    assert signed_in(w.focal["SO_NV"]).get(url).status_code == 404
    assert signed_in(w.noi_vu).get(url).status_code == 200  # an appraiser of another unit


def test_the_chair_finalises_and_publishes_from_the_page():
    w = submitted()
    move(w.cycle, Phase.EXPLANATION)
    url = reverse("appraisal:explanations", args=[w.cycle.pk])
    assert signed_in(w.focal["SO_TP"]).get(url).status_code == 404
    assert (
        signed_in(w.secretariat).post(reverse("appraisal:finalise", args=[w.cycle.pk])).status_code
        == 404
    )
    chair = signed_in(w.chair)
    assert "Finalise the results" in chair.get(url).content.decode()
    chair.post(reverse("appraisal:finalise", args=[w.cycle.pk]))
    w.reload()
    assert w.cycle.phase == Phase.FINALISATION
    assert "Publish the results" in signed_in(w.secretariat).get(url).content.decode()
    response = signed_in(w.secretariat).post(reverse("appraisal:publish", args=[w.cycle.pk]))
    assert response.status_code == 302
    assert Publication.objects.filter(cycle=w.cycle).count() == 1
    public = Client().get(reverse("results:ranking", args=[w.cycle.pk]))
    assert "Sở SO_TP" in public.content.decode()


def test_the_cycle_and_sheet_pages_link_to_the_appraisal_pages_for_the_right_people():
    w = submitted()
    cycle_url = reverse("assessments:cycle_detail", args=[w.cycle.pk])
    assert (
        reverse("appraisal:worklist", args=[w.cycle.pk])
        in signed_in(w.noi_vu).get(cycle_url).content.decode()
    )
    assert (
        reverse("appraisal:worklist", args=[w.cycle.pk])
        not in signed_in(w.head["SO_TP"]).get(cycle_url).content.decode()
    )
    sheet = signed_in(w.head["SO_TP"]).get(reverse("assessments:sheet", args=[w.sheet("SO_TP").pk]))
    assert reverse("appraisal:sheet_changes", args=[w.sheet("SO_TP").pk]) in sheet.content.decode()


def test_the_worklist_confirms_the_rest_of_a_unit_in_one_step(client):  # type: ignore[no-untyped-def]
    w = submitted()
    client.force_login(w.noi_vu)
    page = client.get(reverse("appraisal:worklist", args=[w.cycle.pk])).content.decode()
    url = reverse("appraisal:confirm_remaining", args=[w.sheet("SO_TP").pk])
    assert f'action="{url}"' in page
    answer = client.post(url, follow=True)
    assert "đã xác nhận 3 giá trị đúng như đơn vị tự đánh giá" in answer.content.decode()
    assert answer.redirect_chain[-1][0].endswith("#unit-SO_TP")
    page = client.get(reverse("appraisal:worklist", args=[w.cycle.pk])).content.decode()
    assert f'action="{url}"' not in page  # nothing left to confirm for this unit


def test_the_score_sheet_exports_self_appraised_and_final_points_per_row(client):  # type: ignore[no-untyped-def]
    from python_calamine import CalamineWorkbook

    w = submitted()
    found = entry(w, "1.2")
    entry_appraise(
        entry=found, value="70%", reason="=Báo cáo chỉ ghi 70%", expected_version=found.version,
        by=w.noi_vu,
    )  # fmt: skip
    client.force_login(w.focal["SO_TP"])
    url = reverse("assessments:sheet_export", args=[w.sheet("SO_TP").pk])
    answer = client.get(url)
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == 'attachment; filename="bang-diem-SO_TP-2024.xlsx"'
    path = settings.MEDIA_ROOT / "bang-diem.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(answer.content)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[2][:4] == ["STT", "Nội dung", "Điểm tối đa", "Tự đánh giá"]
    by_code = {row[0]: row for row in rows[3:] if row[0]}
    assert by_code["1.2"][2:7] == [3, "85%", 2, "70%", 0]
    assert by_code["1.2"][7] == "ghi chú 1.2; =Báo cáo chỉ ghi 70%"  # the note, then the reason
    assert by_code["1.1"][4] == 3 and by_code["1.1"][6] == 3  # a group: its leaves' sum
    assert by_code["1"][4] == 5 and by_code["1"][6] == 3
    assert rows[-1][1] == "Tổng điểm"
    assert (rows[-1][4], rows[-1][6]) == (12.1, 10.1)
    other = Client()
    other.force_login(w.focal["SO_NV"])
    assert other.get(url).status_code == 404
