"""The API of the evaluation cycle: the same services, selectors and permissions as the pages,
behind a bearer token; refusals as `{"detail", "problems"}` in the caller's language."""

from __future__ import annotations

from typing import Any

import pytest
from appraisal_builders import NOI_VU, TU_PHAP, AppraisalWorld, entry, move, submitted
from assessment_builders import EXE, FULL, World, build, pdf_bytes, person
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from factories import AuthorityFactory

from parindex.accounts.models import Role, User
from parindex.accounts.tokens import api_token_create
from parindex.assessments.models import (
    AssessmentStatus,
    Cycle,
    Evidence,
    Explanation,
    ExplanationDecision,
    LeafEntry,
    Phase,
)
from parindex.assessments.services import entry_save, evidence_upload

pytestmark = pytest.mark.django_db

JSON = "application/json"


def api(user: User, language: str = "vi") -> Client:
    """A client that calls the API with a fresh token of `user` (no session)."""
    _, key = api_token_create(user=user, name="thử API")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE=language)


def fill(world: World, unit: str = "SO_NV", values: dict[str, str] = FULL) -> None:
    for code, value in values.items():
        entry_save(
            assessment=world.sheet(unit),
            code=code,
            value=value,
            note=f"ghi chú {code}",
            expected_version=0,
            by=world.focal[unit],
        )


def document(world: World, unit: str = "SO_NV") -> Evidence:
    return evidence_upload(
        assessment=world.sheet(unit),
        file=ContentFile(pdf_bytes(), name="quyet_dinh.pdf"),
        codes=["1.1.1"],
        by=world.focal[unit],
    )


def outsider() -> User:
    """The secretariat of another authority."""
    return person("thu_ky_lao_cai", AuthorityFactory(code="lao-cai"), Role.SECRETARIAT)


def put(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.put(url, body, content_type=JSON)


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, body or {}, content_type=JSON)


NOT_FOUND = {"detail": "Không tìm thấy.", "problems": []}

# ---------------------------------------------------------------- token and scope


def test_the_api_needs_a_valid_token_or_a_session():
    world = build()
    url = f"/api/assessments/{world.sheet().pk}"
    assert Client().get(url).status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer pi_wrong").get(url).status_code == 401
    assert api(world.focal["SO_NV"]).get(url).status_code == 200
    session = Client()
    session.force_login(world.focal["SO_NV"])
    assert session.get(url).status_code == 200


def test_cycles_are_listed_for_their_authority_only():
    world = build()
    listed = api(world.focal["SO_NV"]).get("/api/cycles")
    assert listed.status_code == 200
    [cycle] = listed.json()
    assert cycle["id"] == world.cycle.pk
    assert cycle["title"] == "Chỉ số CCHC các sở năm 2024"
    assert cycle["authority"] == "son-la"
    assert cycle["criteria_set"] == "T-2024 v1"
    assert (cycle["phase"], cycle["phase_label"]) == ("self_assessment", "Tự đánh giá")
    assert cycle["self_assessment_closes"].startswith(
        world.cycle.self_assessment_closes.isoformat()[:16]  # type: ignore[union-attr]
    )
    stranger = api(outsider())
    assert stranger.get("/api/cycles").json() == []
    missing = stranger.get(f"/api/cycles/{world.cycle.pk}")
    assert (missing.status_code, missing.json()) == (404, NOT_FOUND)


def test_the_status_board_shows_what_each_role_may_see():
    world = build()
    fill(world, values={"1.1.1": "cham", "1.2": "90%"})
    document(world)
    board = api(world.secretariat).get(f"/api/cycles/{world.cycle.pk}").json()
    assert board["next_phase"] == "appraisal"
    assert board["can_advance"] is True
    assert board["leaf_count"] == 6
    rows = {row["unit"]: row for row in board["board"]}
    assert sorted(rows) == ["SO_NV", "SO_TP"]
    assert (rows["SO_NV"]["filled"], rows["SO_NV"]["documents"]) == (2, 1)
    assert (rows["SO_TP"]["filled"], rows["SO_TP"]["documents"]) == (0, 0)
    assert rows["SO_NV"]["status"] == "draft"
    assert rows["SO_NV"]["assessment"] == world.sheet().pk
    own = api(world.focal["SO_TP"]).get(f"/api/cycles/{world.cycle.pk}").json()
    assert [row["unit"] for row in own["board"]] == ["SO_TP"]
    assert own["can_advance"] is False


def test_a_sheet_of_another_unit_or_authority_is_not_found():
    world = build()
    document(world)
    sheet = world.sheet("SO_NV")
    evidence = Evidence.objects.get()
    for user in (world.focal["SO_TP"], world.head["SO_TP"], outsider()):
        client = api(user)
        for url in (
            f"/api/assessments/{sheet.pk}",
            f"/api/assessments/{sheet.pk}/evidence",
            f"/api/assessments/{sheet.pk}/changes",
            f"/api/evidence/{evidence.pk}",
        ):
            answer = client.get(url)
            assert (answer.status_code, answer.json()) == (404, NOT_FOUND), (user, url)
        saved = put(
            client, f"/api/assessments/{sheet.pk}/entries/1.2", {"value": "1", "version": 0}
        )
        assert saved.status_code == 404
        assert post(client, f"/api/assessments/{sheet.pk}/submit").status_code == 404
    assert not LeafEntry.objects.filter(assessment=sheet).exists()


def test_not_found_is_said_in_english_on_request():
    world = build()
    answer = api(world.focal["SO_NV"], "en").get("/api/assessments/999999")
    assert answer.json() == {"detail": "Not found.", "problems": []}


# ---------------------------------------------------------------- the sheet


def test_the_sheet_carries_values_versions_documents_and_the_engines_points():
    world = build()
    fill(world)
    evidence = document(world)
    body = api(world.focal["SO_NV"]).get(f"/api/assessments/{world.sheet().pk}").json()
    assert (body["unit"], body["status"], body["editable"], body["can_submit"]) == (
        "SO_NV", "draft", True, False,
    )  # fmt: skip
    leaves = {leaf["code"]: leaf for leaf in body["leaves"]}
    assert list(leaves) == ["1.1.1", "1.1.2", "1.2", "2.1", "2.2", "2.3", "2.4", "B"]
    assert leaves["1.1.1"] | {"documents": None} == leaves["1.1.1"] | {
        "value": "dung_han", "note": "ghi chú 1.1.1", "version": 1, "points": 2, "max": 2,
        "field": "1", "entered": True, "evidence_required": True, "rule": "choice",
        "documents": None,
    }  # fmt: skip
    assert leaves["1.1.1"]["documents"] == [evidence.pk]
    assert (leaves["2.1"]["value"], leaves["2.1"]["points"]) == ("45/50", 3.6)
    assert (leaves["1.2"]["value"], leaves["1.2"]["points"]) == ("85%", 2)
    assert (leaves["2.2"]["points"], leaves["B"]["points"]) == (2, 1.5)
    assert leaves["2.3"]["entered"] is False  # the survey's, not the unit's
    assert leaves["2.3"]["version"] == 0
    assert body["totals"]["points"] == 12.1
    assert body["totals"]["bonus"] == 1.5
    assert body["totals"]["max_points"] == 20
    assert [f["code"] for f in body["fields"]] == ["1", "2", "B"]
    assert body["fields"][0]["points"] == 5
    assert body["missing"] == []
    [listed] = body["documents"]
    assert listed["name"] == "quyet_dinh.pdf"
    assert listed["codes"] == ["1.1.1"]
    assert listed["url"] == f"/api/evidence/{evidence.pk}"
    assert listed["content_type"] == "application/pdf"


def test_a_leaf_is_saved_with_its_version_and_answers_with_the_new_points():
    world = build()
    sheet = world.sheet()
    client = api(world.focal["SO_NV"])
    url = f"/api/assessments/{sheet.pk}/entries/1.1.1"
    saved = put(client, url, {"value": "cham", "note": "Ban hành tháng 3", "version": 0})
    assert saved.status_code == 200
    body = saved.json()
    assert body["leaf"]["value"] == "cham"
    assert body["leaf"]["note"] == "Ban hành tháng 3"
    assert (body["leaf"]["version"], body["leaf"]["points"]) == (1, 1)
    assert body["totals"]["points"] == 1
    assert {m["code"] for m in body["missing"]} == {"1.1.1", "1.1.2", "1.2", "2.1", "2.2", "B"}
    again = put(client, url, {"value": "dung_han", "note": "", "version": 1})
    assert (again.json()["leaf"]["version"], again.json()["leaf"]["points"]) == (2, 2)
    stored = LeafEntry.objects.get(assessment=sheet, code="1.1.1")
    assert (stored.value, stored.version) == ("dung_han", 2)


def test_a_stale_version_is_a_conflict_that_shows_what_the_other_person_left():
    world = build()
    sheet = world.sheet()
    url = f"/api/assessments/{sheet.pk}/entries/1.2"
    put(api(world.head["SO_NV"]), url, {"value": "100%", "note": "đủ", "version": 0})
    late = put(api(world.focal["SO_NV"]), url, {"value": "50%", "version": 0})
    assert late.status_code == 409
    body = late.json()
    assert body["detail"] == "Người khác vừa lưu tiêu chí này; thay đổi của bạn chưa được lưu."
    assert body["problems"] == [body["detail"]]
    assert body["code"] == "1.2"
    current = body["current"]
    assert (current["value"], current["note"], current["version"]) == ("100%", "đủ", 1)
    assert current["by"] == world.head["SO_NV"].first_name
    assert current["at"]
    assert LeafEntry.objects.get(assessment=sheet, code="1.2").value == "100%"
    english = put(api(world.focal["SO_NV"], "en"), url, {"value": "50%", "version": 0})
    assert english.json()["detail"] == (
        "Someone else saved this criterion in the meantime; your change was not saved."
    )


def test_a_value_that_does_not_fit_the_rule_is_refused_with_the_engines_reason():
    world = build()
    url = f"/api/assessments/{world.sheet().pk}/entries/1.1.1"
    refused = put(api(world.focal["SO_NV"], "en"), url, {"value": "som", "version": 0})
    assert refused.status_code == 400
    assert "som" in refused.json()["detail"]
    assert refused.json()["problems"] == [refused.json()["detail"]]
    missing_version = put(api(world.focal["SO_NV"]), url, {"value": "cham"})
    assert missing_version.status_code == 422  # the body's schema: `version` is required
    assert not LeafEntry.objects.exists()


def test_a_closed_sheet_cannot_be_changed():
    world = build()
    move(world.cycle, Phase.APPRAISAL)
    url = f"/api/assessments/{world.sheet().pk}/entries/1.2"
    refused = put(api(world.focal["SO_NV"]), url, {"value": "90%", "version": 0})
    assert refused.status_code == 400
    assert refused.json()["detail"] == "Giai đoạn tự đánh giá của kỳ này không mở."


# ---------------------------------------------------------------- submission


def test_submission_is_refused_with_every_missing_item():
    world = build()
    fill(world, values={code: v for code, v in FULL.items() if code != "2.2"})
    url = f"/api/assessments/{world.sheet().pk}/submit"
    refused = post(api(world.head["SO_NV"]), url)
    assert refused.status_code == 422
    body = refused.json()
    assert body["detail"] == "Chưa gửi được phiếu: còn 2 tiêu chí chưa hoàn thành."
    assert body["missing"] == [
        {"code": "1.1.1", "title": "Ban hành kế hoạch CCHC năm", "what": "evidence"},
        {"code": "2.2", "title": "Vi phạm quy định", "what": "value"},
    ]
    assert body["problems"] == [
        "1.1.1. Ban hành kế hoạch CCHC năm — chưa có tài liệu kiểm chứng",
        "2.2. Vi phạm quy định — chưa nhập giá trị",
    ]
    english = post(api(world.head["SO_NV"], "en"), url).json()
    assert english["problems"][1] == "2.2. Vi phạm quy định — no value"
    assert world.sheet().status == AssessmentStatus.DRAFT


def test_only_the_head_submits_and_then_the_sheet_is_closed():
    world = build()
    fill(world)
    document(world)
    url = f"/api/assessments/{world.sheet().pk}/submit"
    focal = post(api(world.focal["SO_NV"]), url)
    assert focal.status_code == 403
    assert focal.json()["detail"] == "Chỉ thủ trưởng đơn vị mới được gửi phiếu tự đánh giá."
    done = post(api(world.head["SO_NV"]), url)
    assert done.status_code == 200
    assert done.json()["status"] == "submitted"
    assert done.json()["submitted_by"] == world.head["SO_NV"].first_name
    assert world.sheet().status == AssessmentStatus.SUBMITTED
    sheet = api(world.focal["SO_NV"]).get(f"/api/assessments/{world.sheet().pk}").json()
    assert (sheet["editable"], sheet["closed"]) == (
        False, "Phiếu đã được gửi; không thể sửa được nữa.",
    )  # fmt: skip


# ---------------------------------------------------------------- evidence


def test_evidence_is_uploaded_listed_and_downloaded_through_the_api():
    world = build()
    sheet = world.sheet()
    client = api(world.focal["SO_NV"])
    content = pdf_bytes("Ke hoach CCHC 2024")
    uploaded = client.post(
        f"/api/assessments/{sheet.pk}/evidence",
        {"file": SimpleUploadedFile("ke_hoach.pdf", content), "codes": ["1.1.1", "1.2"]},
    )
    assert uploaded.status_code == 201, uploaded.content
    body = uploaded.json()
    assert (body["name"], body["codes"], body["size"]) == (
        "ke_hoach.pdf", ["1.1.1", "1.2"], len(content),
    )  # fmt: skip
    assert body["uploaded_by"] == world.focal["SO_NV"].first_name
    listed = client.get(f"/api/assessments/{sheet.pk}/evidence").json()
    assert [(d["id"], d["codes"]) for d in listed] == [(body["id"], ["1.1.1", "1.2"])]
    download = client.get(body["url"])
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content  # type: ignore[attr-defined]
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Type"] == "application/pdf"


def test_a_file_that_is_not_a_document_is_refused():
    world = build()
    refused = api(world.focal["SO_NV"], "en").post(
        f"/api/assessments/{world.sheet().pk}/evidence",
        {"file": SimpleUploadedFile("bao_cao.pdf", EXE), "codes": ["1.1.1"]},
    )
    assert refused.status_code == 400
    assert refused.json()["detail"].startswith("This file is not an accepted document.")
    assert not Evidence.objects.exists()


def test_an_appraiser_downloads_the_evidence_of_a_sheet_they_appraise():
    world = submitted()
    evidence = Evidence.objects.get(assessment=world.sheet("SO_TP"))
    assert api(world.tu_phap).get(f"/api/evidence/{evidence.pk}").status_code == 200
    own = Evidence.objects.get(assessment=world.sheet("SO_NV"))
    assert api(world.noi_vu).get(f"/api/evidence/{own.pk}").status_code == 404  # own unit


# ---------------------------------------------------------------- appraisal


def appraise(world: AppraisalWorld, user: User, code: str, unit: str = "SO_TP", **body: Any) -> Any:
    found = LeafEntry.objects.get(assessment=world.sheet(unit), code=code)
    payload = {"value": found.value, "version": found.version, **body}
    url = f"/api/assessments/{world.sheet(unit).pk}/appraisals/{code}"
    return put(api(user), url, payload)


def test_the_worklist_holds_the_appraisers_leaves_on_other_units_sheets():
    world = submitted()
    url = f"/api/cycles/{world.cycle.pk}/worklist"
    groups = api(world.tu_phap).get(url).json()
    assert [(g["key"], [i["code"] for i in g["items"]]) for g in groups] == [
        ("unit-SO_NV", list(TU_PHAP)),
        ("unit-SO_TP", list(TU_PHAP)),
    ]
    item = groups[1]["items"][0]
    assert (item["unit"], item["value"], item["version"], item["appraised"]) == (
        "SO_TP", "45/50", 1, False,
    )  # fmt: skip
    assert item["assessment"] == world.sheet("SO_TP").pk
    own_excluded = api(world.noi_vu).get(url).json()
    assert [(g["key"], [i["code"] for i in g["items"]]) for g in own_excluded] == [
        ("unit-SO_TP", list(NOI_VU))
    ]
    assert own_excluded[0]["items"][0]["documents"] == [
        Evidence.objects.get(assessment=world.sheet("SO_TP")).pk
    ]
    by_leaf = api(world.tu_phap).get(url, {"by": "leaf"}).json()
    assert [g["key"] for g in by_leaf] == ["leaf-2.1", "leaf-2.2"]
    assert api(world.focal["SO_TP"]).get(url).json() == NOT_FOUND


def test_a_confirmation_needs_no_reason_and_a_correction_needs_one():
    world = submitted()
    confirmed = appraise(world, world.tu_phap, "2.1")
    assert confirmed.status_code == 200
    assert (confirmed.json()["corrected"], confirmed.json()["appraised_value"]) == (False, "45/50")
    refused = appraise(world, world.tu_phap, "2.2", value="3")
    assert refused.status_code == 400
    assert refused.json()["detail"] == "2.2: điều chỉnh phải nêu lý do để đơn vị được biết."
    assert entry(world, "2.2").appraised_value == ""
    corrected = appraise(world, world.tu_phap, "2.2", value="3", reason="Có 3 vi phạm")
    assert corrected.status_code == 200
    body = corrected.json()
    assert (body["corrected"], body["value"], body["appraised_value"]) == (True, "1", "3")
    assert (body["appraisal_reason"], body["version"]) == ("Có 3 vi phạm", 2)
    assert body["sheet_status"] == "submitted"  # Home Affairs has not appraised yet
    for code in NOI_VU:
        last = appraise(world, world.noi_vu, code)
    assert last.json()["sheet_status"] == "appraised"


def test_an_appraiser_outside_the_leafs_agency_or_of_the_unit_is_refused():
    world = submitted()
    refused = appraise(world, world.tu_phap, "1.1.1", value="cham", reason="Chậm")
    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "Chỉ thẩm định viên của cơ quan thẩm định tiêu chí này, không thuộc đơn vị được đánh "
        "giá, mới được thẩm định."
    )
    own = appraise(world, world.noi_vu, "1.1.1", unit="SO_NV")
    assert (own.status_code, own.json()) == (404, NOT_FOUND)
    unit = appraise(world, world.focal["SO_TP"], "2.1")
    assert unit.status_code == 404  # no agency: no appraisal route at all
    assert not LeafEntry.objects.filter(appraised_at__isnull=False).exists()


def test_a_stale_appraisal_is_a_conflict():
    world = submitted()
    appraise(world, world.tu_phap, "2.1", value="40/50", reason="Sai số liệu")
    stale = appraise(world, world.tu_phap, "2.1", value="45/50", version=1)
    assert stale.status_code == 409
    assert (stale.json()["current"]["value"], stale.json()["current"]["version"]) == ("40/50", 2)
    assert entry(world, "2.1").appraised_value == "40/50"


def test_the_unit_sees_its_corrections_and_explains_one():
    world = submitted()
    appraise(world, world.tu_phap, "2.1", value="40/50", reason="Sai số liệu")
    appraise(world, world.tu_phap, "2.2")
    sheet = world.sheet("SO_TP")
    changes = api(world.focal["SO_TP"]).get(f"/api/assessments/{sheet.pk}/changes").json()
    assert [(c["code"], c["corrected"]) for c in changes] == [("2.1", True), ("2.2", False)]
    [history] = changes[0]["history"]
    assert (history["kind"], history["old"], history["new"], history["reason"]) == (
        "appraisal", "45/50", "40/50", "Sai số liệu",
    )  # fmt: skip
    url = f"/api/assessments/{sheet.pk}/explanations/2.1"
    early = post(api(world.focal["SO_TP"]), url, {"argument": "Đúng 45 hồ sơ"})
    assert early.status_code == 400  # the explanation window is not open yet
    move(world.cycle, Phase.EXPLANATION)
    body = {"argument": "Đúng 45 hồ sơ", "proposed_value": "45/50"}
    assert post(api(world.focal["SO_NV"]), url, body).status_code == 404
    explained = post(api(world.focal["SO_TP"]), url, body)
    assert explained.status_code == 201
    assert (explained.json()["code"], explained.json()["decision"]) == ("2.1", "pending")
    nothing = post(
        api(world.focal["SO_TP"]),
        f"/api/assessments/{sheet.pk}/explanations/2.2",
        {"argument": "?"},
    )
    assert nothing.json()["detail"] == "2.2 không bị điều chỉnh; không có gì để giải trình."
    changes = api(world.focal["SO_TP"]).get(f"/api/assessments/{sheet.pk}/changes").json()
    assert changes[0]["pending"] is True
    assert world.sheet("SO_TP").status == AssessmentStatus.EXPLAINED


def test_the_council_chair_decides_an_explanation():
    world = submitted()
    appraise(world, world.tu_phap, "2.1", value="40/50", reason="Sai số liệu")
    move(world.cycle, Phase.EXPLANATION)
    url = f"/api/assessments/{world.sheet('SO_TP').pk}/explanations/2.1"
    post(api(world.focal["SO_TP"]), url, {"argument": "Đúng 45 hồ sơ"})
    explanation = Explanation.objects.get()
    decide = f"/api/explanations/{explanation.pk}/decision"
    assert post(api(world.focal["SO_TP"]), decide, {"accept": True}).status_code == 404
    rejected = post(api(world.chair), decide, {"accept": False})
    assert rejected.status_code == 400  # a rejection needs a reason
    accepted = post(api(world.chair), decide, {"accept": True, "reason": "Đủ hồ sơ"})
    assert accepted.status_code == 200
    assert accepted.json()["decision"] == "accepted"
    assert Explanation.objects.get().decision == ExplanationDecision.ACCEPTED
    assert entry(world, "2.1").appraised_value == "45/50"


def test_the_secretariat_moves_the_cycle_on_and_nobody_else():
    world = build()
    url = f"/api/cycles/{world.cycle.pk}/advance"
    refused = post(api(world.focal["SO_NV"]), url, {"to_phase": "appraisal"})
    assert refused.status_code == 403
    assert (
        refused.json()["detail"] == "Vai trò của bạn không được thực hiện bước này của kỳ đánh giá."
    )
    moved = post(api(world.secretariat), url, {"to_phase": "appraisal"})
    assert (moved.status_code, moved.json()["phase"]) == (200, "appraisal")
    assert Cycle.objects.get().phase == Phase.APPRAISAL


# ---------------------------------------------------------------- the document


def test_the_openapi_document_lists_the_cycle_sheet_and_appraisal_paths():
    document = Client().get("/api/openapi.json").json()
    paths = document["paths"]
    wanted = {
        "/api/cycles": {"get"},
        "/api/cycles/{cycle_id}": {"get"},
        "/api/cycles/{cycle_id}/advance": {"post"},
        "/api/assessments/{assessment_id}": {"get"},
        "/api/assessments/{assessment_id}/entries/{code}": {"put"},
        "/api/assessments/{assessment_id}/submit": {"post"},
        "/api/assessments/{assessment_id}/evidence": {"get", "post"},
        "/api/evidence/{evidence_id}": {"get"},
        "/api/cycles/{cycle_id}/worklist": {"get"},
        "/api/assessments/{assessment_id}/appraisals/{code}": {"put"},
        "/api/assessments/{assessment_id}/changes": {"get"},
        "/api/assessments/{assessment_id}/explanations/{code}": {"post"},
        "/api/explanations/{explanation_id}/decision": {"post"},
    }
    for path, methods in wanted.items():
        assert set(paths[path]) >= methods, path
    entry_put = paths["/api/assessments/{assessment_id}/entries/{code}"]["put"]
    assert set(entry_put["responses"]) >= {"200", "400", "403", "404", "409"}
    assert entry_put["security"] == [{"BearerToken": []}, {"SessionAuth": []}]
    submit = paths["/api/assessments/{assessment_id}/submit"]["post"]
    assert "422" in submit["responses"]
    upload = paths["/api/assessments/{assessment_id}/evidence"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"]
    download = paths["/api/evidence/{evidence_id}"]["get"]
    assert "application/octet-stream" in download["responses"]["200"]["content"]


def test_a_save_with_a_token_is_in_the_score_history_under_the_tokens_user():
    """The sign-in middleware never sees a token (the API checks it later): the service names
    its person in the database's hash-chained history itself."""
    from parindex.integrity.selectors import history_for_entry

    world = build()
    head = world.head["SO_NV"]
    url = f"/api/assessments/{world.sheet().pk}/entries/1.2"
    assert put(api(head), url, {"value": "100%", "note": "đủ", "version": 0}).status_code == 200
    saved = LeafEntry.objects.get(assessment=world.sheet(), code="1.2")
    assert [row.actor for row in history_for_entry(saved)] == [str(head.pk)]
