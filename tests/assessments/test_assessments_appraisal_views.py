"""Appraisal, explanation, decision, finalisation and publication pages."""

from __future__ import annotations

import pytest
from appraisal_builders import entry, move, submitted
from assessment_builders import pdf_bytes
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

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
