"""A file of answers imported as a background job: the upload answers with a progress page, a
worker imports the file, the page then leads to the import (or lists the file's problems)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from survey_builders import SurveyWorld, survey_world
from test_survey_import import kobo_csv

from parindex.jobs.models import Job
from parindex.jobs.runner import Worker
from parindex.survey.models import ColumnMapping, Response, SurveyImport

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw(db: None, settings: Any, tmp_path: Path) -> SurveyWorld:
    settings.JOBS_WORKER = "external"
    settings.MEDIA_ROOT = tmp_path / "media"
    return survey_world()


def _form(data: bytes) -> dict[str, Any]:
    return {
        "file": SimpleUploadedFile("kobo.csv", data),
        "response_id": "_uuid",
        "unit": "grp_thong_tin/don_vi",
        "group": "",
        "fixed_group": "nguoi_dan",
        "submitted_at": "_submission_time",
        "questions": "grp_a/q1 = q1\ngrp_a/q2 = q2\ngrp_b/q3 = q3",
        "unit_values": "",
        "save_as": "Kobo người dân",
    }


def _client(sw: SurveyWorld) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(sw.secretariat)
    return client


def test_survey_import_answers_with_progress_then_the_import(sw: SurveyWorld, tmp_path: Path):
    client = _client(sw)
    pk = sw.campaign.pk
    reply = client.post(f"/survey/{pk}/import/", _form(kobo_csv()))
    job = Job.objects.get()
    page_url = f"/survey/{pk}/import/{job.pk}/"
    assert (reply.status_code, reply["Location"]) == (302, page_url)
    assert (job.kind, job.status, SurveyImport.objects.count()) == ("survey.import", "queued", 0)
    assert len(list((tmp_path / "media" / "survey" / str(pk)).iterdir())) == 1
    page = client.get(page_url).content.decode()
    assert "Đang chờ đến lượt…" in page and "job-progress.js" in page

    assert Worker("w-test").run_one()
    found = SurveyImport.objects.get()
    job.refresh_from_db()
    assert (job.status, job.result) == ("done", {"import_id": found.pk, "created": True})
    assert (found.total, found.accepted, found.rejected) == (5, 3, 2)
    assert Response.objects.count() == 3
    assert ColumnMapping.objects.get().name == "Kobo người dân"
    assert list((tmp_path / "media" / "survey" / str(pk)).iterdir()) == []  # the file is gone
    done = client.get(page_url)
    assert (done.status_code, done["Location"]) == (302, f"/survey/imports/{found.pk}/")

    again = client.post(f"/survey/{pk}/import/", _form(kobo_csv()), follow=True)
    assert again.redirect_chain == [(f"/survey/imports/{found.pk}/", 302)]
    assert "Tệp này đã được nhập trước đây: không có thay đổi." in again.content.decode()
    assert Job.objects.count() == 1


def test_survey_a_broken_file_lists_its_problems_on_the_job_page(sw: SurveyWorld):
    client = _client(sw)
    client.post(f"/survey/{sw.campaign.pk}/import/", _form(b"a;b\n1;2\n"))
    job = Job.objects.get()
    assert Worker("w-test").run_one()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error_en == "The file has problems; nothing was changed."
    assert job.result is not None and len(job.result["problems"]) >= 1
    page = client.get(f"/survey/{sw.campaign.pk}/import/{job.pk}/")
    assert page.status_code == 400
    assert 'class="problems"' in page.content.decode()
    assert SurveyImport.objects.count() == 0
