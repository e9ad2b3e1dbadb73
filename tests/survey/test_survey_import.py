"""Importing a realistic KoboToolbox export (`;` CSV and XLSX, labels, group paths, a saved
mapping) into a campaign: the good rows counted, the bad ones reported per row, the same
file twice changing nothing, a broken file changing nothing."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from survey_builders import SurveyWorld, answered, survey_world

from parindex.formats.problems import InputError
from parindex.formats.survey_responses import ColumnMap
from parindex.survey import services
from parindex.survey.models import AnswerCount, ColumnMapping, Response, SurveyImport

pytestmark = pytest.mark.django_db

HEADER = [
    "start", "end", "grp_thong_tin/don_vi", "grp_a/q1", "grp_a/q2", "grp_b/q3",
    "grp_b/y_kien_khac", "_id", "_uuid", "_submission_time", "_validation_status",
    "_notes", "_status", "_submitted_by", "_tags", "_index",
]  # fmt: skip
ROWS = [
    ["2024-09-03T08:01:12.000+07:00", "2024-09-03T08:04:40.000+07:00", "SO_NV",
     "Rất hài lòng", "Hài lòng", "Rất hài lòng", "Cán bộ nhiệt tình",
     "310001", "6b1f-0001", "2024-09-03T01:04:41", "", "", "submitted_via_web", "", "", "1"],
    ["2024-09-03T08:10:00.000+07:00", "2024-09-03T08:12:00.000+07:00", "SO_NV",
     "Bình thường", "", "Hài lòng", "",
     "310002", "6b1f-0002", "2024-09-03T01:12:01", "", "", "submitted_via_web", "", "", "2"],
    ["2024-09-03T09:00:00.000+07:00", "2024-09-03T09:05:00.000+07:00", "SO_TP",
     "5", "4", "3", "Thủ tục còn rườm rà,\nphải đi lại hai lần",
     "310003", "6b1f-0003", "2024-09-03T02:05:00", "", "", "submitted_via_web", "", "", "3"],
    ["2024-09-03T09:30:00.000+07:00", "2024-09-03T09:31:00.000+07:00", "SO_XD",
     "Rất hài lòng", "Rất hài lòng", "Tuyệt vời", "",
     "310004", "6b1f-0004", "2024-09-03T02:31:00", "", "", "submitted_via_web", "", "", "4"],
    ["2024-09-03T10:00:00.000+07:00", "2024-09-03T10:03:00.000+07:00", "SO_TP",
     "Hài lòng", "Hài lòng", "Hài lòng", "",
     "310005", "6b1f-0001", "2024-09-03T03:03:00", "", "", "submitted_via_web", "", "", "5"],
]  # fmt: skip
KOBO_CITIZENS = ColumnMap(
    response_id="_uuid",
    unit="grp_thong_tin/don_vi",
    group="",
    fixed_group="nguoi_dan",
    submitted_at="_submission_time",
)


def kobo_csv(rows: list[list[str]] = ROWS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def kobo_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Phieu khao sat"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def sw(db: None) -> SurveyWorld:
    return survey_world()


def _import(sw: SurveyWorld, data: bytes, name: str = "kobo.csv") -> services.ImportOutcome:
    return services.answers_import(
        campaign=sw.campaign, data=data, file_name=name, columns=KOBO_CITIZENS, by=sw.secretariat
    )


def test_survey_kobo_export_counts_good_rows_and_reports_bad_ones(sw: SurveyWorld) -> None:
    outcome = _import(sw, kobo_csv())
    found = outcome.survey_import
    assert (found.total, found.accepted, found.rejected) == (5, 3, 2)
    assert [(r[0], r[1]) for r in found.rejections] == [(6, "6b1f-0004"), (7, "6b1f-0001")]
    unknown_unit, repeated = found.rejections[0][3], found.rejections[1][3]
    assert any("SO_XD" in reason for reason in unknown_unit)
    assert any("Tuyệt vời" in reason for reason in unknown_unit)  # and its bad answer too
    assert any("6b1f-0001" in reason or "repeat" in reason.lower() for reason in repeated)
    stored = {r.response_id: r for r in Response.objects.all()}
    assert stored["6b1f-0001"].answers == {"q1": "5", "q2": "4", "q3": "5"}
    assert stored["6b1f-0002"].answers == {"q1": "3", "q2": None, "q3": "4"}  # q2 skipped
    assert stored["6b1f-0003"].unit.code == "SO_TP"
    assert stored["6b1f-0001"].submitted_at.isoformat() == "2024-09-03T01:04:41+00:00"
    assert sorted(
        AnswerCount.objects.filter(unit__code="SO_NV", question="q1").values_list("answer", "count")
    ) == [("3", 1), ("5", 1)]
    assert services.tally_rebuild(sw.campaign) == 0


def test_survey_the_same_file_twice_changes_nothing(sw: SurveyWorld) -> None:
    first = _import(sw, kobo_csv())
    again = _import(sw, kobo_csv())
    assert (again.created, again.survey_import.pk) == (False, first.survey_import.pk)
    assert Response.objects.count() == 3
    assert sum(AnswerCount.objects.values_list("count", flat=True)) == 8
    # another file repeating a response already imported: that row is rejected, the rest count
    extra = ROWS[2][:]
    extra[8], extra[3] = "6b1f-0009", "Hài lòng"
    second = _import(sw, kobo_csv([ROWS[0], extra]), "kobo-2.csv").survey_import
    assert (second.accepted, second.rejected) == (1, 1)
    assert second.rejections[0][1] == "6b1f-0001"
    assert services.tally_rebuild(sw.campaign) == 0


def test_survey_the_xlsx_export_reads_like_the_csv(sw: SurveyWorld) -> None:
    found = _import(sw, kobo_xlsx(), "kobo.xlsx").survey_import
    assert (found.accepted, found.rejected) == (3, 2)
    assert Response.objects.get(response_id="6b1f-0003").answers == {
        "q1": "5", "q2": "4", "q3": "3"
    }  # fmt: skip


def test_survey_a_broken_file_changes_nothing(sw: SurveyWorld) -> None:
    with pytest.raises(InputError) as raised:
        services.answers_import(
            campaign=sw.campaign,
            data=kobo_csv(),
            file_name="kobo.csv",
            columns=ColumnMap(
                response_id="_uuid", unit="don_vi_khong_co", fixed_group="nguoi_dan", group=""
            ),
            by=sw.secretariat,
        )
    assert "don_vi_khong_co" in raised.value.problems[0].message.en
    with pytest.raises(InputError):
        _import(sw, b"\x00\x01PK not a workbook", "kobo.xlsx")
    assert not SurveyImport.objects.exists() and not Response.objects.exists()


def test_survey_removing_an_import_takes_its_counts_back(sw: SurveyWorld) -> None:
    answered(sw, {"q1": "1"})
    found = _import(sw, kobo_csv()).survey_import
    services.import_remove(survey_import=found, by=sw.secretariat)
    assert list(Response.objects.values_list("source", flat=True)) == ["online"]
    assert list(AnswerCount.objects.values_list("question", "answer", "count")) == [("q1", "1", 1)]


def test_survey_import_page_with_a_saved_mapping_and_the_rejection_report(
    sw: SurveyWorld,
) -> None:
    client = Client()
    client.force_login(sw.secretariat)
    pk = sw.campaign.pk
    form = {
        "file": SimpleUploadedFile("kobo.csv", kobo_csv()),
        "response_id": "_uuid",
        "unit": "grp_thong_tin/don_vi",
        "group": "",
        "fixed_group": "nguoi_dan",
        "submitted_at": "_submission_time",
        "questions": "grp_a/q1 = q1\ngrp_a/q2 = q2\ngrp_b/q3 = q3",
        "unit_values": "",
        "save_as": "Kobo người dân",
    }
    reply = client.post(f"/survey/{pk}/import/", form)
    assert reply.status_code == 302, reply.content.decode()[:2000]
    found = SurveyImport.objects.get()
    assert reply["Location"] == f"/survey/imports/{found.pk}/"
    mapping = ColumnMapping.objects.get()
    assert ColumnMap.from_json(mapping.columns).questions == {
        "grp_a/q1": "q1", "grp_a/q2": "q2", "grp_b/q3": "q3"
    }  # fmt: skip
    again = client.get(f"/survey/{pk}/import/?mapping={mapping.pk}").content.decode()
    assert "grp_a/q2 = q2" in again
    report = client.get(f"/survey/imports/{found.pk}/rejections.csv")
    lines = report.content.decode("utf-8-sig").splitlines()
    assert lines[0] == "dòng,response_id,lý do" or lines[0].startswith("line,response_id")
    assert lines[1].startswith("6,6b1f-0004,")  # the 3rd record spans two lines
    broken = dict(form, file=SimpleUploadedFile("kobo.csv", b"a;b\n1;2\n"))
    refused = client.post(f"/survey/{pk}/import/", broken)
    assert refused.status_code == 400
    assert SurveyImport.objects.count() == 1
