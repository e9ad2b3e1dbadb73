"""The one download helper (parindex/core/downloads.py) on the file system storage, for both
views that serve stored uploads: evidence of a sheet and documents of a progress report."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from assessment_builders import build, pdf_bytes
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.assessments.models import Evidence
from parindex.assessments.services import evidence_upload
from parindex.core.downloads import ascii_name, attachment_header, stored_file_response

pytestmark = pytest.mark.django_db


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _evidence(name: str, content: bytes) -> tuple[Any, Evidence]:
    world = build()
    evidence = evidence_upload(
        assessment=world.sheet("SO_NV"),
        file=SimpleUploadedFile(name, content),
        codes=["1.1.1"],
        by=world.focal["SO_NV"],
    )
    return world, evidence


def test_vietnamese_names_get_an_ascii_fallback_and_the_exact_utf8_name():
    assert ascii_name("Đề án vị trí việc làm – bản cuối.pdf") == (
        "De an vi tri viec lam _ ban cuoi.pdf"
    )
    assert attachment_header('Báo cáo "quý" III.docx') == (
        'attachment; filename="Bao cao _quy_ III.docx"; '
        "filename*=UTF-8''B%C3%A1o%20c%C3%A1o%20%22qu%C3%BD%22%20III.docx"
    )
    assert ascii_name("文件") == "__"


def test_without_nginx_django_streams_the_file_as_an_attachment(media_root: Path, settings: Any):
    settings.PARINDEX_X_ACCEL_REDIRECT = ""
    content = pdf_bytes("Bao cao tu danh gia")
    world, evidence = _evidence("Báo cáo tự đánh giá.pdf", content)
    response = _signed_in(world.focal["SO_NV"]).get(f"/cycles/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == attachment_header("Báo cáo tự đánh giá.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    assert "X-Accel-Redirect" not in response


def test_behind_nginx_the_answer_is_empty_and_names_the_file_under_media_root(
    media_root: Path, settings: Any
):
    settings.PARINDEX_X_ACCEL_REDIRECT = "/_protected/"
    content = pdf_bytes()
    world, evidence = _evidence("Kế hoạch.pdf", content)
    response = _signed_in(world.focal["SO_NV"]).get(f"/cycles/evidence/{evidence.pk}/")
    assert response.status_code == 200
    assert response.content == b""
    accel = response["X-Accel-Redirect"]
    assert accel == f"/_protected/{evidence.file.name}"
    assert (media_root / accel.removeprefix("/_protected/")).read_bytes() == content
    assert response["Content-Disposition"] == attachment_header("Kế hoạch.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert (
        _signed_in(world.focal["SO_TP"]).get(f"/cycles/evidence/{evidence.pk}/").status_code == 404
    )


def test_the_api_download_takes_the_same_path(media_root: Path, settings: Any):
    settings.PARINDEX_X_ACCEL_REDIRECT = "/_protected/"
    world, evidence = _evidence("Kế hoạch.pdf", pdf_bytes())
    response = _signed_in(world.focal["SO_NV"]).get(f"/api/evidence/{evidence.pk}")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/{evidence.file.name}"
    other = _signed_in(world.focal["SO_TP"]).get(f"/api/evidence/{evidence.pk}")
    assert other.status_code == 404


def test_a_stored_name_with_spaces_and_accents_is_url_quoted_for_nginx(
    media_root: Path, settings: Any
):
    settings.PARINDEX_X_ACCEL_REDIRECT = "/_protected"
    _, evidence = _evidence("a.pdf", pdf_bytes())
    evidence.file.save("thư mục/tệp #1.pdf", ContentFile(b"%PDF-1.4 x"), save=False)
    response = stored_file_response(evidence.file, name="tệp.pdf", content_type="application/pdf")
    assert response["X-Accel-Redirect"] == "/_protected/" + quote(evidence.file.name)
    assert response["X-Accel-Redirect"].endswith("/th%C6%B0%20m%E1%BB%A5c/t%E1%BB%87p_1.pdf")


def test_a_file_outside_media_root_is_never_handed_to_nginx(media_root: Path, settings: Any):
    settings.PARINDEX_X_ACCEL_REDIRECT = "/_protected/"
    _, evidence = _evidence("a.pdf", pdf_bytes())
    evidence.file.name = "../outside.pdf"
    with pytest.raises(Exception) as refused:  # noqa: PT011 - Django or pathlib refuses it
        stored_file_response(evidence.file, name="a.pdf", content_type="application/pdf")
    assert type(refused.value).__name__ in {"SuspiciousFileOperation", "ValueError"}


def test_a_progress_report_document_is_served_by_the_same_helper(media_root: Path, settings: Any):
    from parindex.plans.models import ReportFile, Task
    from parindex.plans.services import tasks_import
    from tests.plans.plans_factories import EXAMPLE, province

    settings.PARINDEX_X_ACCEL_REDIRECT = "/_protected/"
    kh = province()
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    content = pdf_bytes("Bao cao quy III")
    client = _signed_in(kh.nv_focal)
    task = Task.objects.get(code="NV-11")
    response = client.post(
        f"/plans/tasks/{task.pk}/progress/",
        {"period": "q3", "percent": "50", "text": "Đang làm",
         "documents": [SimpleUploadedFile("Báo cáo quý III.pdf", content)]},
    )  # fmt: skip
    assert response.status_code == 302
    stored = ReportFile.objects.get()
    assert hashlib.sha256((media_root / stored.file.name).read_bytes()).hexdigest() == stored.sha256
    download = client.get(f"/plans/files/{stored.pk}/")
    assert download.status_code == 200
    assert download["X-Accel-Redirect"] == f"/_protected/{stored.file.name}"
    assert download["Content-Disposition"] == attachment_header("Báo cáo quý III.pdf")
    assert _signed_in(kh.tp_focal).get(f"/plans/files/{stored.pk}/").status_code == 404
