"""Appraisal, explanation and finalisation (SPEC §3.3–3.6): the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from appraisal_builders import NOI_VU, TU_PHAP, entry, move, submitted
from assessment_builders import pdf_bytes
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from parindex.assessments.appraisal import (
    appraisals_confirm_remaining,
    cycle_finalise,
    entry_appraise,
    explanation_decide,
    explanation_submit,
)
from parindex.assessments.errors import AssessmentError, ConflictError, NotAllowedError
from parindex.assessments.models import (
    AssessmentStatus,
    Change,
    ChangeKind,
    Cycle,
    ExplanationDecision,
    Phase,
)
from parindex.assessments.selectors import engine_inputs_for
from parindex.assessments.services import cycle_advance, entry_save, evidence_upload
from parindex.results.models import ComputedResult
from parindex.results.services import publication_publish

pytestmark = pytest.mark.django_db


def texts(error: pytest.ExceptionInfo[AssessmentError]) -> list[str]:
    with translation.override("en"):
        return [str(m) for m in error.value.messages]


def appraise(w, code, value, reason="", unit="SO_TP", by=None):  # type: ignore[no-untyped-def]
    found = entry(w, code, unit)
    return entry_appraise(
        entry=found,
        value=value,
        reason=reason,
        expected_version=found.version,
        by=by or (w.noi_vu if code in NOI_VU else w.tu_phap),
    )


def final_value(cycle: Cycle, unit: str, code: str) -> str:
    return engine_inputs_for(cycle, stage="final").values[unit][code].text


# ---------------------------------------------------------------- appraisal


def test_an_appraiser_confirms_without_reason_and_corrects_with_one_kept_in_history():
    w = submitted()
    confirmed = appraise(w, "1.1.2", "có")
    assert (confirmed.appraised_value, confirmed.appraised_by) == ("có", w.noi_vu)
    corrected = appraise(w, "1.2", "70%", reason="Báo cáo chỉ ghi 70%")
    assert corrected.appraised_value == "70%"
    assert corrected.appraisal_reason == "Báo cáo chỉ ghi 70%"
    change = Change.objects.filter(kind=ChangeKind.APPRAISAL, code="1.2").get()
    assert (change.old, change.new, change.reason, change.by) == (
        "85%",
        "70%",
        "Báo cáo chỉ ghi 70%",
        w.noi_vu,
    )
    assert final_value(w.cycle, "SO_TP", "1.2") == "70%"
    assert engine_inputs_for(w.cycle, stage="self").values["SO_TP"]["1.2"].text == "85%"


def test_an_option_is_stored_by_its_code_and_a_bad_value_is_refused():
    w = submitted()
    with pytest.raises(AssessmentError):
        appraise(w, "1.2", "not a percent", reason="x")
    saved = appraise(w, "1.1.1", "Chậm", reason="Ban hành sau hạn")
    assert saved.appraised_value == "cham"


def test_appraisal_outside_ones_agency_is_refused_and_leaves_no_trace():
    w = submitted()
    before = Change.objects.count()
    with pytest.raises(NotAllowedError):
        appraise(w, "2.1", "40/50", reason="x", by=w.noi_vu)  # Justice's leaf
    with pytest.raises(NotAllowedError):
        appraise(w, "B", "0", reason="x", by=w.noi_vu)  # nobody's leaf
    for who in (w.secretariat, w.chair, w.focal["SO_NV"]):
        with pytest.raises(NotAllowedError):
            appraise(w, "1.2", "70%", reason="x", by=who)
    assert Change.objects.count() == before
    assert entry(w, "2.1").appraised_value == ""


def test_nobody_appraises_their_own_unit():
    w = submitted()
    with pytest.raises(NotAllowedError):
        appraise(w, "1.2", "70%", reason="x", unit="SO_NV", by=w.noi_vu)
    assert entry(w, "1.2", "SO_NV").appraised_value == ""


def test_a_correction_without_a_reason_is_refused():
    w = submitted()
    with pytest.raises(AssessmentError) as error:
        appraise(w, "1.2", "70%", reason="  ")
    assert texts(error) == ["1.2: a correction needs a reason the unit can read."]
    assert not Change.objects.filter(kind=ChangeKind.APPRAISAL).exists()


def test_two_appraisers_on_one_leaf_the_second_gets_a_conflict_with_the_first_value():
    w = submitted()
    other = w.noi_vu.__class__.objects.create(username="tham_dinh_2")
    other.memberships.create(authority=w.authority, role="appraiser", agency="noi_vu", active=True)
    loaded = entry(w, "1.2")
    entry_appraise(
        entry=loaded, value="70%", reason="a", expected_version=loaded.version, by=w.noi_vu
    )
    with pytest.raises(ConflictError) as error:
        entry_appraise(
            entry=loaded, value="90%", reason="b", expected_version=loaded.version, by=other
        )
    assert error.value.current.value == "70%"
    assert entry(w, "1.2").appraised_value == "70%"


def test_appraisal_only_in_its_phase_before_its_deadline_and_on_submitted_sheets():
    w = submitted()
    Cycle.objects.filter(pk=w.cycle.pk).update(
        appraisal_closes=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(AssessmentError) as error:
        appraise(w, "1.2", "70%", reason="x")
    assert "The appraisal closed on" in texts(error)[0]
    Cycle.objects.filter(pk=w.cycle.pk).update(appraisal_closes=None)
    move(w.cycle, Phase.EXPLANATION)
    with pytest.raises(AssessmentError):
        appraise(w, "1.2", "70%", reason="x")


def test_the_sheet_is_appraised_once_every_leaf_with_an_agency_is():
    w = submitted()
    for code in NOI_VU:
        appraise(w, code, entry(w, code).value)
    assert w.sheet("SO_TP").status == AssessmentStatus.SUBMITTED
    appraise(w, "2.1", "45/50")
    appraise(w, "2.2", "2", reason="Thêm một vi phạm")
    assert w.sheet("SO_TP").status == AssessmentStatus.APPRAISED  # the bonus has no agency
    status = Change.objects.filter(kind=ChangeKind.STATUS, new="appraised").get()
    assert status.by == w.tu_phap


def test_the_remaining_values_of_ones_agencies_are_confirmed_at_once_and_each_is_kept():
    w = submitted()
    appraise(w, "1.2", "70%", reason="Báo cáo chỉ ghi 70%")  # corrected first, one by one
    confirmed = appraisals_confirm_remaining(assessment=w.sheet("SO_TP"), by=w.noi_vu)
    assert confirmed == ["1.1.1", "1.1.2"]  # Home Affairs' leaves only; 1.2 already done
    for code in confirmed:
        found = entry(w, code)
        assert (found.appraised_value, found.appraisal_reason) == (found.value, "")
        assert found.appraised_by == w.noi_vu
    assert entry(w, "1.2").appraised_value == "70%"  # the correction stays
    assert entry(w, "2.1").appraised_at is None  # Justice's leaves wait for Justice
    rows = Change.objects.filter(kind=ChangeKind.APPRAISAL, by=w.noi_vu).order_by("id")
    assert [row.code for row in rows] == ["1.2", "1.1.1", "1.1.2"]
    assert appraisals_confirm_remaining(assessment=w.sheet("SO_TP"), by=w.noi_vu) == []
    assert w.sheet("SO_TP").status == AssessmentStatus.SUBMITTED
    assert appraisals_confirm_remaining(assessment=w.sheet("SO_TP"), by=w.tu_phap) == [
        "2.1",
        "2.2",
    ]
    assert w.sheet("SO_TP").status == AssessmentStatus.APPRAISED


def test_confirming_the_rest_is_refused_outside_the_appraisal_phase_and_changes_nothing():
    w = submitted()
    move(w.cycle, Phase.EXPLANATION)
    with pytest.raises(AssessmentError):
        appraisals_confirm_remaining(assessment=w.sheet("SO_TP"), by=w.noi_vu)
    assert not Change.objects.filter(kind=ChangeKind.APPRAISAL).exists()


# ---------------------------------------------------------------- explanation


def corrected_then_explaining():  # type: ignore[no-untyped-def]
    w = submitted()
    appraise(w, "1.2", "70%", reason="Báo cáo chỉ ghi 70%")  # 85% → 70%: 2 → 0 points
    appraise(w, "1.1.2", "có")  # confirmed
    move(w.cycle, Phase.EXPLANATION)
    return w


def test_an_explanation_only_on_a_corrected_leaf_and_only_in_its_phase():
    w = submitted()
    appraise(w, "1.2", "70%", reason="x")
    appraise(w, "1.1.2", "có")
    focal = w.focal["SO_TP"]
    with pytest.raises(AssessmentError) as error:
        explanation_submit(entry=entry(w, "1.2"), argument="Đủ 85%", by=focal)
    assert texts(error) == ["The explanation phase of this cycle is not open."]
    move(w.cycle, Phase.EXPLANATION)
    with pytest.raises(AssessmentError) as error:
        explanation_submit(entry=entry(w, "1.1.2"), argument="?", by=focal)
    assert texts(error) == ["1.1.2 was not corrected; there is nothing to explain."]
    with pytest.raises(AssessmentError):
        explanation_submit(entry=entry(w, "1.2"), argument="  ", by=focal)
    with pytest.raises(NotAllowedError):
        explanation_submit(entry=entry(w, "1.2"), argument="x", by=w.focal["SO_NV"])
    explanation = explanation_submit(
        entry=entry(w, "1.2"), argument="Đủ 85%", proposed_value="85%", by=focal
    )
    assert explanation.decision == ExplanationDecision.PENDING
    assert w.sheet("SO_TP").status == AssessmentStatus.EXPLAINED
    with pytest.raises(AssessmentError):  # one pending explanation per leaf
        explanation_submit(entry=entry(w, "1.2"), argument="again", by=focal)
    Cycle.objects.filter(pk=w.cycle.pk).update(
        explanation_closes=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(AssessmentError):
        explanation_submit(entry=entry(w, "1.2"), argument="late", by=w.head["SO_TP"])


def test_new_evidence_in_the_explanation_phase_only_for_corrected_leaves():
    w = corrected_then_explaining()
    document = ContentFile(pdf_bytes("bao cao 85%"), name="bao-cao.pdf")
    evidence = evidence_upload(
        assessment=w.sheet("SO_TP"), file=document, codes=["1.2"], by=w.focal["SO_TP"]
    )
    assert list(evidence.links.values_list("code", flat=True)) == ["1.2"]
    with pytest.raises(AssessmentError):
        evidence_upload(
            assessment=w.sheet("SO_TP"),
            file=ContentFile(pdf_bytes("khac"), name="khac.pdf"),
            codes=["1.1.2"],
            by=w.focal["SO_TP"],
        )


def test_accepting_an_explanation_changes_the_final_value_and_the_results():
    w = corrected_then_explaining()
    explanation = explanation_submit(
        entry=entry(w, "1.2"), argument="Đủ 85%", proposed_value="", by=w.focal["SO_TP"]
    )
    assert final_value(w.cycle, "SO_TP", "1.2") == "70%"
    with pytest.raises(NotAllowedError):  # Justice's appraiser is not of this leaf
        explanation_decide(explanation=explanation, accept=True, by=w.tu_phap)
    decided = explanation_decide(
        explanation=explanation, accept=True, reason="Có báo cáo bổ sung", by=w.chair
    )
    assert decided.decision == ExplanationDecision.ACCEPTED
    assert final_value(w.cycle, "SO_TP", "1.2") == "85%"  # the unit's own value back
    line = Change.objects.filter(kind=ChangeKind.APPRAISAL, code="1.2").last()
    assert line is not None and (line.old, line.new, line.by) == ("70%", "85%", w.chair)
    with pytest.raises(AssessmentError):
        explanation_decide(explanation=explanation, accept=False, reason="x", by=w.chair)
    cycle_finalise(cycle=w.cycle, by=w.chair)
    result = ComputedResult.objects.get(cycle=w.cycle)
    points = {u["unit"]: Decimal(str(u["points"])) for u in result.document["units"]}
    assert points["SO_TP"] == points["SO_NV"]  # both back to the same values


def test_rejecting_needs_a_reason_and_keeps_the_correction():
    w = corrected_then_explaining()
    explanation = explanation_submit(
        entry=entry(w, "1.2"), argument="Đủ 85%", proposed_value="80%", by=w.focal["SO_TP"]
    )
    with pytest.raises(AssessmentError):
        explanation_decide(explanation=explanation, accept=False, reason="", by=w.noi_vu)
    explanation_decide(
        explanation=explanation, accept=False, reason="Không có số liệu", by=w.noi_vu
    )
    assert final_value(w.cycle, "SO_TP", "1.2") == "70%"
    cycle_finalise(cycle=w.cycle, by=w.chair)
    result = ComputedResult.objects.get(cycle=w.cycle)
    points = {u["unit"]: Decimal(str(u["points"])) for u in result.document["units"]}
    assert points["SO_NV"] - points["SO_TP"] == Decimal("2")  # 85% → 2 points, 70% → 0


# ---------------------------------------------------------------- finalisation


def test_finalisation_is_refused_while_explanations_are_pending_and_to_anyone_but_the_chair():
    w = corrected_then_explaining()
    explanation = explanation_submit(entry=entry(w, "1.2"), argument="x", by=w.focal["SO_TP"])
    with pytest.raises(NotAllowedError):
        cycle_finalise(cycle=w.cycle, by=w.secretariat)
    with pytest.raises(AssessmentError) as error:
        cycle_finalise(cycle=w.cycle, by=w.chair)
    assert texts(error) == ["1 explanations still await a decision; decide them first."]
    with pytest.raises(AssessmentError):  # the cycle's own button goes the same way
        cycle_advance(cycle=w.cycle, to_phase=Phase.FINALISATION, by=w.chair)
    explanation_decide(explanation=explanation, accept=False, reason="Không đủ", by=w.chair)
    cycle = cycle_advance(cycle=w.cycle, to_phase=Phase.FINALISATION, by=w.chair)
    assert cycle.phase == Phase.FINALISATION
    assert set(cycle.assessments.values_list("status", flat=True)) == {AssessmentStatus.FINAL}
    assert ComputedResult.objects.filter(cycle=cycle).count() == 1


def test_after_finalisation_nothing_can_be_changed():
    w = corrected_then_explaining()
    cycle_finalise(cycle=w.cycle, by=w.chair)
    before = Change.objects.count()
    found = entry(w, "1.2")
    with pytest.raises(AssessmentError):
        entry_save(
            assessment=w.sheet("SO_TP"),
            code="1.2",
            value="100%",
            note="",
            expected_version=found.version,
            by=w.focal["SO_TP"],
        )
    with pytest.raises(AssessmentError):
        appraise(w, "1.2", "100%", reason="x")
    with pytest.raises(AssessmentError):
        explanation_submit(entry=found, argument="x", by=w.focal["SO_TP"])
    with pytest.raises(AssessmentError):
        evidence_upload(
            assessment=w.sheet("SO_TP"),
            file=ContentFile(pdf_bytes(), name="a.pdf"),
            codes=["1.2"],
            by=w.focal["SO_TP"],
        )
    with pytest.raises(AssessmentError):
        cycle_finalise(cycle=w.cycle, by=w.chair)
    assert Change.objects.count() == before


def test_the_whole_flow_from_self_assessment_to_the_public_ranking(client):  # type: ignore[no-untyped-def]
    w = submitted()  # self-assessment → submit
    for code in NOI_VU:
        appraise(w, code, entry(w, code).value)
    appraise(w, "2.1", "40/50", reason="Hồ sơ trễ hạn bị bỏ sót")  # 3.6 → 3.2
    appraise(w, "2.2", "1")
    assert w.sheet("SO_TP").status == AssessmentStatus.APPRAISED
    cycle_advance(cycle=w.cycle, to_phase=Phase.EXPLANATION, by=w.secretariat)
    explanation = explanation_submit(
        entry=entry(w, "2.1"), argument="Hồ sơ đã giải quyết", proposed_value="43/50",
        by=w.head["SO_TP"],
    )  # fmt: skip
    explanation_decide(explanation=explanation, accept=True, reason="Đúng", by=w.tu_phap)
    assert final_value(w.cycle, "SO_TP", "2.1") == "43/50"
    cycle = cycle_advance(cycle=w.cycle, to_phase=Phase.FINALISATION, by=w.chair)
    publication_publish(cycle=cycle, by=w.chair)
    cycle.refresh_from_db()
    assert cycle.phase == Phase.PUBLISHED
    page = client.get(f"/results/{cycle.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("Sở SO_NV") < html.index("Sở SO_TP")  # 3.6 beats 3.44 on 2.1
    assert TU_PHAP  # (Justice's leaves were the corrected ones)
