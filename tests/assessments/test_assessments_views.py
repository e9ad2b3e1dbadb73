"""The cycle pages, the sheet, autosave, evidence upload and download, submission."""

from __future__ import annotations

import json
import logging
from zoneinfo import ZoneInfo

import pytest
from assessment_builders import FULL, SET, build, docx_bytes, pdf_bytes, person
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from factories import AuthorityFactory

from parindex.accounts.models import Role
from parindex.assessments.models import AssessmentStatus, Cycle, LeafEntry, Phase
from parindex.assessments.services import entry_save, evidence_upload
from parindex.criteria.services import criteria_set_import

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def sheet_url(world, unit="SO_NV") -> str:  # type: ignore[no-untyped-def]
    return reverse("assessments:sheet", args=[world.sheet(unit).pk])


def save_url(world, code: str, unit="SO_NV") -> str:  # type: ignore[no-untyped-def]
    return reverse("assessments:entry_save", args=[world.sheet(unit).pk, code])


# ---------------------------------------------------------------- cycles


def test_the_cycle_list_shows_the_cycles_a_person_takes_part_in():
    world = build()
    assert world.cycle.title in client_for(world.focal["SO_NV"]).get("/cycles/").content.decode()
    assert world.cycle.title in client_for(world.secretariat).get("/cycles/").content.decode()
    stranger = person("nguoi_la", AuthorityFactory(code="dien-bien"), Role.SECRETARIAT)
    page = client_for(stranger).get("/cycles/").content.decode()
    assert world.cycle.title not in page
    assert Client().get("/cycles/").status_code == 302  # to the sign-in page


def test_the_status_board_shows_every_unit_to_the_secretariat_and_its_own_to_a_unit():
    world = build()
    entry_save(
        assessment=world.sheet(),
        code="1.1.1",
        value="cham",
        note="",
        expected_version=0,
        by=world.focal["SO_NV"],
    )
    url = reverse("assessments:cycle_detail", args=[world.cycle.pk])
    board = client_for(world.secretariat).get(url)
    assert board.status_code == 200
    html = board.content.decode()
    assert "Sở SO_NV" in html and "Sở SO_TP" in html
    assert "1 / 6" in html  # criteria filled, of the six the unit enters
    closes = world.cycle.self_assessment_closes
    assert timezone.localtime(closes, VN).strftime("%d/%m/%Y %H:%M") in html
    own = client_for(world.focal["SO_TP"]).get(url).content.decode()
    assert "Sở SO_TP" in own and "Sở SO_NV" not in own
    stranger = person("nguoi_la", AuthorityFactory(code="dien-bien"), Role.SECRETARIAT)
    assert client_for(stranger).get(url).status_code == 404


def test_the_secretariat_moves_the_cycle_from_its_page_and_a_unit_cannot():
    world = build(phase=Phase.SETUP)
    url = reverse("assessments:cycle_advance", args=[world.cycle.pk])
    page = client_for(world.secretariat).get(
        reverse("assessments:cycle_detail", args=[world.cycle.pk])
    )
    assert b'name="to_phase" value="self_assessment"' in page.content
    response = client_for(world.secretariat).post(url, {"to_phase": "self_assessment"})
    assert response.status_code == 302
    world.reload()
    assert world.cycle.phase == Phase.SELF_ASSESSMENT
    client_for(world.head["SO_NV"]).post(url, {"to_phase": "appraisal"}, follow=True)
    world.reload()
    assert world.cycle.phase == Phase.SELF_ASSESSMENT


def test_the_secretariat_creates_a_cycle_through_the_form():
    world = build()
    client = client_for(world.secretariat)
    assert client.get("/cycles/new/").status_code == 200
    assert client_for(world.focal["SO_NV"]).get("/cycles/new/").status_code == 403
    version = criteria_set_import(
        authority=world.authority,
        yaml_text=SET.replace("T-2024", "T-2025").replace("2024", "2025"),
    )
    response = client.post(
        "/cycles/new/",
        {
            "authority": world.authority.pk,
            "unit_group": world.group.pk,
            "criteria_set": version.pk,
            "year": 2025,
            "title": "Chỉ số CCHC năm 2025",
            "self_assessment_opens": "2026-01-05T08:00",
            "self_assessment_closes": "2026-01-31T17:00",
        },
    )
    cycle = Cycle.objects.get(year=2025)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:cycle_detail", args=[cycle.pk])
    local = timezone.localtime(cycle.self_assessment_closes, VN)
    assert (local.day, local.hour) == (31, 17)  # typed as Vietnam time
    again = client.post(
        "/cycles/new/",
        {"authority": world.authority.pk, "unit_group": world.group.pk,
         "criteria_set": version.pk, "year": 2025, "title": "Lần hai"},
    )  # fmt: skip
    assert again.status_code == 200
    assert "already has a cycle" in again.content.decode() or "đã có kỳ" in again.content.decode()


# ---------------------------------------------------------------- the sheet


def test_the_sheet_renders_every_input_its_rules_need_for_the_focal_point():
    world = build()
    response = client_for(world.focal["SO_NV"]).get(sheet_url(world))
    assert response.status_code == 200
    html = response.content.decode()
    for expected in (
        "Ban hành kế hoạch CCHC năm",  # a leaf title
        '<select id="v-1.1.1" name="value"',  # choice
        'type="radio" name="value" value="có"',  # boolean
        'name="numerator"',  # ratio
        'name="denominator"',
        'step="1"',  # deduction count
        'step="0.5"',  # manual points on a step
        'name="na"',
        'name="note"',
        'type="file" name="files" multiple',
        "assessments/sheet.js",
        "<details",
        "Quyết định ban hành kế hoạch",  # the evidence the set asks for
    ):
        assert expected in html, expected
    assert 'data-entry="2.3"' not in html  # a survey leaf takes no value


def test_another_units_sheet_is_not_found():
    world = build()
    assert client_for(world.focal["SO_TP"]).get(sheet_url(world)).status_code == 404
    saved = client_for(world.focal["SO_TP"]).post(save_url(world, "1.1.1"), {"version": 0})
    assert saved.status_code == 404


def test_the_secretariat_reads_a_sheet_without_inputs():
    world = build()
    response = client_for(world.secretariat).get(sheet_url(world))
    assert response.status_code == 200
    assert b"data-entry=" not in response.content
    assert b"data-upload-form" not in response.content
    assert b"data-link-form" not in response.content


def test_autosave_saves_and_returns_the_engines_points_and_the_history():
    world = build()
    client = client_for(world.focal["SO_NV"])
    response = client.post(
        save_url(world, "2.1"),
        {"numerator": "45", "denominator": "50", "note": "Theo sổ theo dõi", "version": 0},
        **JSON,
    )
    assert response.status_code == 200
    data = response.json()
    assert (data["ok"], data["code"], data["version"]) == (True, "2.1", 1)
    assert data["value"] == "45/50"
    leaf = next(leaf for leaf in data["result"]["leaves"] if leaf["code"] == "2.1")
    assert (leaf["points"], leaf["max"]) == (3.6, 4)
    assert data["result"]["points"] == 3.6
    assert data["result"]["index"] == 18  # 3.6 / 20
    assert [f["points"] for f in data["result"]["fields"]] == [0, 3.6]
    assert data["history_count"] == 2  # the value and the note
    history_url = reverse("assessments:entry_history", args=[world.sheet().pk, "2.1"])
    history = client.get(history_url, HTTP_X_REQUESTED_WITH="fetch").content.decode()
    assert "<del>∅</del> → <ins>45/50</ins>" in history
    assert "Theo sổ theo dõi" in history
    assert "<html" not in history  # the list alone, for the sheet's script
    assert data["missing"] == 5  # the five other leaves have no value yet
    assert LeafEntry.objects.get(code="2.1").value == "45/50"


def test_a_leafs_history_is_a_page_of_its_own_without_script():
    world = build()
    client = client_for(world.focal["SO_NV"])
    client.post(save_url(world, "2.2"), {"value": "3", "version": 0, "note": "<b>x</b>"}, **JSON)
    client.post(save_url(world, "2.2"), {"value": "4", "version": 1, "note": "<b>x</b>"}, **JSON)
    page = client.get(sheet_url(world)).content.decode()
    url = reverse("assessments:entry_history", args=[world.sheet().pk, "2.2"])
    assert f'data-history-url="{url}"' in page
    assert "data-history-count>3<" in page  # two values and a note
    history = client.get(url).content.decode()
    assert "<html" in history
    assert history.index("<ins>3</ins>") < history.index("<ins>4</ins>")  # oldest first
    assert "&lt;b&gt;x&lt;/b&gt;" in history and "<b>x</b>" not in history
    assert client.get(url.replace("2.2", "9.9")).status_code == 404  # no such leaf
    other = client_for(world.focal["SO_TP"]).get(url)
    assert other.status_code == 404  # another unit's sheet


def test_autosave_reports_a_value_that_does_not_fit_in_the_pages_language():
    world = build()
    client = client_for(world.focal["SO_NV"])
    response = client.post(
        save_url(world, "2.2"), {"value": "hai", "version": 0}, HTTP_ACCEPT_LANGUAGE="en", **JSON
    )
    assert response.status_code == 400
    assert response.json() == {"ok": False, "errors": ["not a number: 'hai'"]}
    client.post("/i18n/setlang/", {"language": "vi"})
    response = client.post(save_url(world, "2.2"), {"value": "hai", "version": 0}, **JSON)
    assert response.json()["errors"] == ["không phải là số: 'hai'"]


def test_a_not_applicable_box_saves_na():
    world = build()
    response = client_for(world.focal["SO_NV"]).post(
        save_url(world, "1.2"), {"na": "1", "version": 0}, **JSON
    )
    assert response.json()["value"] == "NA"


def test_a_stale_autosave_gets_a_conflict_with_the_other_persons_value():
    world = build()
    entry_save(
        assessment=world.sheet(),
        code="1.1.1",
        value="cham",
        note="Chậm 5 ngày",
        expected_version=0,
        by=world.head["SO_NV"],
    )
    response = client_for(world.focal["SO_NV"]).post(
        save_url(world, "1.1.1"), {"value": "dung_han", "version": 0}, **JSON
    )
    assert response.status_code == 409
    conflict = response.json()["conflict"]
    assert (conflict["value"], conflict["note"], conflict["version"]) == ("cham", "Chậm 5 ngày", 1)
    assert conflict["by"] == "Thu_Truong_So_Nv"
    assert conflict["at"]
    assert LeafEntry.objects.get(code="1.1.1").value == "cham"


def test_a_person_who_sees_but_may_not_change_the_sheet_gets_403():
    world = build()
    response = client_for(world.secretariat).post(
        save_url(world, "1.1.1"), {"value": "cham", "version": 0}, **JSON
    )
    assert response.status_code == 403
    assert not LeafEntry.objects.exists()


def test_without_script_a_save_redirects_back_to_the_leaf():
    world = build()
    response = client_for(world.focal["SO_NV"]).post(
        save_url(world, "1.1.1"), {"value": "cham", "version": 0}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("#leaf-1.1.1")
    assert LeafEntry.objects.get(code="1.1.1").value == "cham"


# ---------------------------------------------------------------- evidence


def test_several_files_are_uploaded_at_once_and_the_leafs_block_comes_back():
    world = build()
    response = client_for(world.focal["SO_NV"]).post(
        reverse("assessments:evidence_upload", args=[world.sheet().pk]),
        {
            "code": "1.1.1",
            "files": [
                SimpleUploadedFile("qd.pdf", pdf_bytes()),
                SimpleUploadedFile("bao-cao.docx", docx_bytes()),
                SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf"),
            ],
        },
        **JSON,
    )
    assert response.status_code == 400  # one of the three was refused
    data = response.json()
    assert len(data["errors"]) == 1 and data["errors"][0].startswith("virus.pdf: ")
    assert "qd.pdf" in data["html"]["1.1.1"] and "bao-cao.docx" in data["html"]["1.1.1"]
    assert [d["name"] for d in data["documents"]] == ["qd.pdf", "bao-cao.docx"]


def test_a_document_is_linked_to_another_leaf_and_unlinked_from_the_page():
    world = build()
    evidence = evidence_upload(
        assessment=world.sheet(),
        file=ContentFile(pdf_bytes(), name="qd.pdf"),
        codes=["1.1.1"],
        by=world.focal["SO_NV"],
    )
    client = client_for(world.focal["SO_NV"])
    sheet_id = world.sheet().pk
    linked = client.post(
        reverse("assessments:evidence_link", args=[sheet_id]),
        {"evidence": evidence.pk, "code": "1.2"},
        **JSON,
    )
    assert linked.status_code == 200
    assert "qd.pdf" in linked.json()["html"]["1.2"]
    unlinked = client.post(
        reverse("assessments:evidence_unlink", args=[sheet_id]),
        {"evidence": evidence.pk, "code": "1.1.1"},
        **JSON,
    )
    assert unlinked.status_code == 200
    assert sorted(evidence.links.values_list("code", flat=True)) == ["1.2"]


def test_a_document_downloads_as_an_attachment_to_its_unit_and_is_not_found_for_another():
    world = build()
    content = pdf_bytes()
    evidence = evidence_upload(
        assessment=world.sheet(),
        file=ContentFile(content, name="Quyết định.pdf"),
        codes=["1.1.1"],
        by=world.focal["SO_NV"],
    )
    url = reverse("assessments:evidence_download", args=[evidence.pk])
    response = client_for(world.head["SO_NV"]).get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client_for(world.secretariat).get(url).status_code == 200
    assert client_for(world.focal["SO_TP"]).get(url).status_code == 404
    stranger = person("nguoi_la", AuthorityFactory(code="dien-bien"), Role.SECRETARIAT)
    assert client_for(stranger).get(url).status_code == 404
    assert Client().get(url).status_code == 302


# ---------------------------------------------------------------- submission


def test_the_head_sees_what_is_missing_and_submits_when_nothing_is():
    world = build()
    head = client_for(world.head["SO_NV"])
    page = head.get(sheet_url(world)).content.decode()
    assert 'href="#leaf-1.1.1"' in page
    assert "data-missing-count>6<" in page
    assert "sheet_submit" not in page  # the URL name never leaks; the action does
    assert reverse("assessments:sheet_submit", args=[world.sheet().pk]) in page
    focal_page = client_for(world.focal["SO_NV"]).get(sheet_url(world)).content.decode()
    assert reverse("assessments:sheet_submit", args=[world.sheet().pk]) not in focal_page

    for code, value in FULL.items():
        entry_save(
            assessment=world.sheet(),
            code=code,
            value=value,
            note="",
            expected_version=0,
            by=world.focal["SO_NV"],
        )
    refused = head.post(reverse("assessments:sheet_submit", args=[world.sheet().pk]), follow=True)
    assert world.sheet().status == AssessmentStatus.DRAFT
    assert refused.status_code == 200
    evidence_upload(
        assessment=world.sheet(),
        file=ContentFile(pdf_bytes(), name="qd.pdf"),
        codes=["1.1.1"],
        by=world.focal["SO_NV"],
    )
    head.post(reverse("assessments:sheet_submit", args=[world.sheet().pk]))
    assert world.sheet().status == AssessmentStatus.SUBMITTED
    after = head.get(sheet_url(world)).content.decode()
    assert "data-entry=" not in after  # nothing can be changed once submitted


def test_the_sheet_page_needs_a_bounded_number_of_queries(django_assert_max_num_queries):
    world = build()
    for code, value in FULL.items():
        entry_save(
            assessment=world.sheet(),
            code=code,
            value=value,
            note="",
            expected_version=0,
            by=world.focal["SO_NV"],
        )
    client = client_for(world.focal["SO_NV"])
    url = sheet_url(world)
    client.get(url)
    with django_assert_max_num_queries(25):
        assert client.get(url).status_code == 200


@pytest.fixture
def security_log(caplog):  # type: ignore[no-untyped-def]
    """The `parindex.security` records, as the JSON objects they carry."""
    caplog.set_level(logging.WARNING, logger="parindex.security")
    return lambda: [
        json.loads(r.getMessage()) for r in caplog.records if r.name == "parindex.security"
    ]


def test_a_refused_save_is_logged_as_a_security_event_and_changes_nothing(security_log):
    world = build()
    sheet = world.sheet()
    sheet.status = AssessmentStatus.SUBMITTED
    sheet.save()
    client = client_for(world.focal["SO_NV"])
    response = client.post(save_url(world, "1.2"), {"value": "0.5", "version": 0}, **JSON)
    assert response.status_code == 400
    assert not LeafEntry.objects.filter(assessment=sheet).exists()
    [event] = security_log()
    assert event["event"] == "refused"
    assert event["user"] == world.focal["SO_NV"].username
    assert event["path"] == save_url(world, "1.2")
    assert event["method"] == "POST"
    assert "submitted" in " ".join(event["reasons"])  # in English, whatever the page's language
    assert "0.5" not in json.dumps(event)  # never the values sent


def test_asking_for_another_units_sheet_is_logged(security_log):
    world = build()
    assert client_for(world.focal["SO_TP"]).get(sheet_url(world)).status_code == 404
    assert security_log() == [
        {
            "event": "not_found",
            "user": world.focal["SO_TP"].username,
            "ip": "127.0.0.1",
            "method": "GET",
            "path": sheet_url(world),
        }
    ]
