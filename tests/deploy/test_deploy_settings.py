"""Storage settings read from the environment, in a fresh interpreter as a server starts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PRINT_STORAGE = (
    "import json, django; django.setup(); from django.conf import settings; "
    "print(json.dumps([settings.STORAGES['default'], settings.PARINDEX_X_ACCEL_REDIRECT, "
    "settings.PARINDEX_S3_PRESIGNED]))"
)


def _settings_with(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PARINDEX_")}
    clean.pop("DATABASE_URL", None)
    clean.update(
        DJANGO_SETTINGS_MODULE="parindex.site.settings",
        PYTHONPATH=str(REPO),
        PARINDEX_DATA_DIR=str(tmp_path),
        **environment,
    )
    return subprocess.run(
        [sys.executable, "-c", PRINT_STORAGE],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_default_is_the_file_system_streamed_by_django(tmp_path: Path):
    result = _settings_with(tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "",
        False,
    ]


def test_s3_storage_is_configured_from_the_environment(tmp_path: Path):
    result = _settings_with(
        tmp_path,
        PARINDEX_STORAGE="S3",
        PARINDEX_S3_BUCKET="bang-chung",
        PARINDEX_S3_ENDPOINT_URL="https://s3.example.vn",
        PARINDEX_S3_REGION="hn-1",
        PARINDEX_S3_ACCESS_KEY="AK",
        PARINDEX_S3_SECRET_KEY="SK",
        PARINDEX_S3_ADDRESSING_STYLE="path",
        PARINDEX_S3_PRESIGNED="1",
        PARINDEX_S3_PRESIGNED_SECONDS="30",
    )
    assert result.returncode == 0, result.stderr
    storage, accel, presigned = json.loads(result.stdout)
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "bang-chung",
            "endpoint_url": "https://s3.example.vn",
            "region_name": "hn-1",
            "access_key": "AK",
            "secret_key": "SK",
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 30,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "addressing_style": "path",
        },
    }
    assert (accel, presigned) == ("", True)


def test_a_wrong_storage_or_a_missing_bucket_stops_start_up_with_a_clear_message(tmp_path: Path):
    wrong = _settings_with(tmp_path, PARINDEX_STORAGE="nfs")
    assert wrong.returncode != 0
    assert "PARINDEX_STORAGE must be filesystem or s3, got 'nfs'" in wrong.stderr
    no_bucket = _settings_with(tmp_path, PARINDEX_STORAGE="s3")
    assert no_bucket.returncode != 0
    assert "PARINDEX_S3_BUCKET must be set when PARINDEX_STORAGE=s3" in no_bucket.stderr
