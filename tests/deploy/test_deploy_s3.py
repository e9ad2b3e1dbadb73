"""Evidence on S3-compatible object storage: a real S3 server (moto_server) in a subprocess.

The upload goes through the sheet's real upload view and service, the download through the
authorised view; the object store holds the bytes, nothing is written under MEDIA_ROOT.
"""

from __future__ import annotations

import hashlib
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import boto3
import pytest
from assessment_builders import World, build, pdf_bytes
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from parindex.assessments.models import Evidence

pytestmark = pytest.mark.django_db

BUCKET = "parindex-evidence"
NAME = "Quyết định ban hành kế hoạch CCHC.pdf"
DISPOSITION = (
    'attachment; filename="Quyet dinh ban hanh ke hoach CCHC.pdf"; '
    f"filename*=UTF-8''{quote(NAME, safe='')}"
)


@pytest.fixture
def s3_storage(settings: Any, moto_endpoint: str) -> Iterator[Any]:
    """STORAGES pointed at the moto server, as PARINDEX_STORAGE=s3 would set them."""
    client = boto3.client(
        "s3",
        endpoint_url=moto_endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": moto_endpoint,
                "region_name": "us-east-1",
                "access_key": "testing",
                "secret_key": "testing",
                "default_acl": None,
                "querystring_auth": True,
                "querystring_expire": 60,
                "file_overwrite": False,
                "signature_version": "s3v4",
                "addressing_style": "path",
            },
        },
    }
    settings.PARINDEX_X_ACCEL_REDIRECT = "/_protected/"  # ignored: not a file system storage
    yield client
    objects = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    for item in objects:
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _upload_through_the_view(world: World, content: bytes) -> Evidence:
    client = Client()
    client.force_login(world.focal["SO_NV"])
    sheet = world.sheet("SO_NV")
    response = client.post(
        reverse("assessments:evidence_upload", args=[sheet.pk]),
        {"code": "1.1.1", "files": [SimpleUploadedFile(NAME, content)]},
    )
    assert response.status_code == 302, response.content[:500]
    return Evidence.objects.get(assessment=sheet)


def _download(world: World, unit: str, evidence: Evidence) -> Any:
    client = Client()
    client.force_login(world.focal[unit])
    return client.get(reverse("assessments:evidence_download", args=[evidence.pk]))


def test_evidence_goes_to_the_bucket_and_comes_back_byte_identical(
    s3_storage: Any, media_root: Path
):
    world = build()
    content = pdf_bytes("Ke hoach cai cach hanh chinh nam 2026")
    evidence = _upload_through_the_view(world, content)
    digest = hashlib.sha256(content).hexdigest()
    assert evidence.sha256 == digest
    assert evidence.file.name.startswith("evidence/")
    assert evidence.file.name.endswith(f"{digest}.pdf")
    stored = s3_storage.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read()
    assert stored == content
    assert not media_root.exists() or not any(media_root.rglob("*.pdf"))

    response = _download(world, "SO_NV", evidence)
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body == content
    assert hashlib.sha256(body).hexdigest() == evidence.sha256
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == DISPOSITION
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "X-Accel-Redirect" not in response


def test_a_focal_point_of_another_unit_gets_404_for_an_object_in_the_bucket(s3_storage: Any):
    world = build()
    evidence = _upload_through_the_view(world, pdf_bytes())
    response = _download(world, "SO_TP", evidence)
    assert response.status_code == 404
    assert b"%PDF" not in response.content


def test_the_same_file_uploaded_by_two_units_is_two_objects_never_overwritten(s3_storage: Any):
    world = build()
    content = pdf_bytes("Cung mot van ban")
    first = _upload_through_the_view(world, content)
    client = Client()
    client.force_login(world.focal["SO_TP"])
    other_sheet = world.sheet("SO_TP")
    client.post(
        reverse("assessments:evidence_upload", args=[other_sheet.pk]),
        {"code": "1.1.1", "files": [SimpleUploadedFile("ban-sao.pdf", content)]},
    )
    second = Evidence.objects.get(assessment=other_sheet)
    assert first.file.name != second.file.name
    keys = sorted(o["Key"] for o in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"])
    assert keys == sorted([first.file.name, second.file.name])


def test_with_presigned_urls_the_download_redirects_to_the_store_with_attachment_headers(
    s3_storage: Any, settings: Any, moto_endpoint: str
):
    settings.PARINDEX_S3_PRESIGNED = True
    world = build()
    content = pdf_bytes("Bao cao ket qua")
    evidence = _upload_through_the_view(world, content)

    response = _download(world, "SO_NV", evidence)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(f"{moto_endpoint}/{BUCKET}/evidence/")
    query = urlsplit(location).query
    assert "X-Amz-Expires=60" in query
    assert "X-Amz-Signature=" in query
    with urllib.request.urlopen(location, timeout=10) as fetched:
        assert fetched.read() == content
        assert fetched.headers["Content-Disposition"] == DISPOSITION
        assert fetched.headers["Content-Type"] == "application/pdf"

    assert _download(world, "SO_TP", evidence).status_code == 404


def test_orphan_clean_up_lists_and_deletes_through_the_storage_api(s3_storage: Any):
    import datetime as dt

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from django.utils import timezone

    from parindex.assessments.services import evidence_orphans_remove

    world = build()
    kept = _upload_through_the_view(world, pdf_bytes())
    orphan = default_storage.save("evidence/2026/01/orphan.pdf", ContentFile(b"%PDF-1.4 orphan"))
    removed = evidence_orphans_remove(
        older_than=dt.timedelta(hours=1), now=timezone.now() + dt.timedelta(hours=2)
    )
    assert removed == [orphan]
    keys = [o["Key"] for o in s3_storage.list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [kept.file.name]
