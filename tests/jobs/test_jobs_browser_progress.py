"""In a real browser: an upload lands on the job's progress page, which follows the job
(stage and percent) and, once a worker has imported the file, shows the import's figures."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from parindex.accounts.models import Role
from parindex.dossiers.models import DossierImport
from parindex.jobs.models import Job, JobStatus
from parindex.jobs.runner import Worker
from parindex.units.models import Authority
from tests.browser.conftest import sign_in  # noqa: F401 - fixture
from tests.dossiers.conftest import member, vietnamese_csv

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_progress_page_follows_the_job_then_shows_the_figures(
    live_server: Any,
    sign_in: Any,  # noqa: F811
    authority: Authority,
    settings: Any,
    tmp_path: Path,
):
    settings.JOBS_WORKER = "external"
    path = tmp_path / "mot-cua-2024.csv"
    path.write_bytes(vietnamese_csv())
    page = sign_in(member(authority, Role.SECRETARIAT))
    page.goto(f"{live_server.url}/dossiers/{authority.code}/import/")
    page.get_by_label("Tệp xuất từ phần mềm một cửa (CSV hoặc XLSX)").set_input_files(path)
    page.get_by_label("Năm").fill("2024")
    page.get_by_role("button", name="Nhập").click()

    page.wait_for_url(re.compile(rf"/dossiers/{authority.code}/import/\d+/$"))
    job = Job.objects.get()
    status = page.locator(".job-progress")
    expect(status).to_contain_text("Đang chờ đến lượt…")

    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, done=3, total=7, stage="reading")
    expect(status).to_contain_text("Đang đọc tệp… 42%", timeout=10_000)
    expect(status.locator("progress")).to_have_attribute("value", "42")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, done=0, total=0, stage="")

    assert Worker("w-browser").run_one()
    page.wait_for_url(re.compile(r"/dossiers/imports/\d+/$"), timeout=15_000)
    record = DossierImport.objects.get()
    assert page.url == f"{live_server.url}/dossiers/imports/{record.pk}/"
    expect(page.locator("ul.messages")).to_contain_text("Đã nhập tệp.")
    expect(page.get_by_role("heading", level=2, name="Tỷ lệ đúng hạn theo đơn vị")).to_be_visible()
