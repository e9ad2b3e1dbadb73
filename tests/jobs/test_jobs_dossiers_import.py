"""A one-stop import as a background job: the upload answers at once with a progress page,
a worker imports the file, the page then leads to the summary (or the file's problems)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.accounts.models import Role
from parindex.dossiers.models import DossierImport, DossierStat
from parindex.jobs.models import Job, JobStatus
from parindex.jobs.runner import Worker
from parindex.units.models import Authority
from tests.dossiers.conftest import member, vietnamese_csv


@pytest.fixture(autouse=True)
def external(settings: Any) -> None:
    settings.JOBS_WORKER = "external"


def _client(authority: Authority, role: Role = Role.SECRETARIAT) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="vi")
    client.force_login(member(authority, role))
    return client


def _upload(client: Client, authority: Authority, data: bytes) -> Any:
    return client.post(
        f"/dossiers/{authority.code}/import/",
        {"file": SimpleUploadedFile("mot-cua.csv", data, "text/csv"), "year": "2024"}
        | {"mapping": "default"},
    )


def test_the_upload_answers_with_the_progress_then_the_summary(authority: Authority):
    client = _client(authority)
    answer = _upload(client, authority, vietnamese_csv())
    job = Job.objects.get()
    page_url = f"/dossiers/{authority.code}/import/{job.pk}/"
    assert (answer.status_code, answer["Location"]) == (302, page_url)
    assert (job.status, job.kind, DossierImport.objects.count()) == ("queued", "dossiers.import", 0)

    page = client.get(page_url)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Đang chờ đến lượt…" in text
    assert f'data-job-progress="{page_url}?format=json"' in text
    assert "job-progress.js" in text
    assert "<noscript>" in text
    assert client.get(page_url + "?format=json").json() == {
        "status": "queued",
        "percent": None,
        "stage": "Đang chờ đến lượt…",
        "next": None,
    }

    assert Worker("w-test").run_one()
    job.refresh_from_db()
    record = DossierImport.objects.get()
    assert (job.status, job.result) == ("done", {"import_id": record.pk, "created": True})
    assert record.received == 38
    assert DossierStat.objects.filter(dossier_import=record).count() > 0
    assert client.get(page_url + "?format=json").json()["next"] == page_url
    done = client.get(page_url, follow=True)
    assert done.redirect_chain == [(f"/dossiers/imports/{record.pk}/", 302)]
    assert "Đã nhập tệp." in done.content.decode()


def test_the_progress_shows_the_stage_and_percent_in_english(authority: Authority):
    client = _client(authority)
    _upload(client, authority, vietnamese_csv())
    job = Job.objects.get()
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=3, total=7, stage="reading")
    client.cookies["django_language"] = "en"
    state = client.get(
        f"/dossiers/{authority.code}/import/{job.pk}/?format=json", HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert state == {"status": "running", "percent": 42, "stage": "Reading the file…", "next": None}


def test_a_refused_file_shows_every_problem_by_line_on_the_job_page(authority: Authority):
    client = _client(authority)
    _upload(client, authority, vietnamese_csv().replace(b"2024-01-03T09:40", b"hom qua"))
    job = Job.objects.get()
    assert Worker("w-test").run_one()
    job.refresh_from_db()
    assert job.status == "failed"
    assert job.error_en == "The file has problems; nothing was imported."
    page = client.get(f"/dossiers/{authority.code}/import/{job.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "không nhập gì" in text
    assert '<td class="num">3</td>' in text
    assert DossierImport.objects.count() == 0


def test_a_file_imported_before_changes_nothing_and_queues_nothing(authority: Authority):
    client = _client(authority)
    _upload(client, authority, vietnamese_csv())
    assert Worker("w-test").run_one()
    again = _upload(client, authority, vietnamese_csv())
    record = DossierImport.objects.get()
    assert (again.status_code, again["Location"]) == (302, f"/dossiers/imports/{record.pk}/")
    assert Job.objects.count() == 1


def test_the_same_file_queued_twice_is_imported_once(authority: Authority):
    client = _client(authority)
    _upload(client, authority, vietnamese_csv())
    _upload(client, authority, vietnamese_csv())
    worker = Worker("w-test")
    assert worker.run_one() and worker.run_one()
    results = [job.result for job in Job.objects.order_by("pk")]
    record = DossierImport.objects.get()
    assert results == [
        {"import_id": record.pk, "created": True},
        {"import_id": record.pk, "created": False},
    ]


def test_only_the_authoritys_managers_see_its_import_jobs(
    authority: Authority,
    other_authority: Authority,
):
    _upload(_client(authority), authority, vietnamese_csv())
    job = Job.objects.get()
    url = f"/dossiers/{authority.code}/import/{job.pk}/"
    assert _client(authority, Role.COUNCIL_CHAIR).get(url).status_code == 404
    assert _client(other_authority).get(url).status_code == 404
    assert (
        _client(other_authority)
        .get(f"/dossiers/{other_authority.code}/import/{job.pk}/")
        .status_code
        == 404
    )
