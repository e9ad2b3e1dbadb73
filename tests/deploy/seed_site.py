"""Prepare the file SQLite database of a real server for the nginx test, in its own process.

Run with the server's environment (PARINDEX_DATA_DIR, ...): migrates, builds the world of a
self-assessment cycle, uploads one evidence document with a Vietnamese name as the focal
point of SO_NV, and prints JSON: the evidence id, its stored name and bytes' SHA-256, and the
session cookies of the owner and of the focal point of another unit (SO_TP).
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import django

TESTS = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(TESTS), str(TESTS / "assessments")]


def main() -> None:
    django.setup()
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command
    from django.test import Client

    from parindex.assessments.services import evidence_upload

    call_command("migrate", verbosity=0)
    from assessment_builders import build, pdf_bytes

    world = build()
    content = pdf_bytes("Bien ban kiem tra cong vu nam 2026")
    evidence = evidence_upload(
        assessment=world.sheet("SO_NV"),
        file=SimpleUploadedFile("Biên bản kiểm tra công vụ.pdf", content),
        codes=["1.1.1"],
        by=world.focal["SO_NV"],
    )
    cookies = {}
    for unit in ("SO_NV", "SO_TP"):
        client = Client()
        client.force_login(world.focal[unit])
        cookies[unit] = client.cookies[settings.SESSION_COOKIE_NAME].value
    print(
        json.dumps(
            {
                "evidence_id": evidence.pk,
                "stored_name": evidence.file.name,
                "sha256": hashlib.sha256(content).hexdigest(),
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "owner_cookie": cookies["SO_NV"],
                "other_cookie": cookies["SO_TP"],
            }
        )
    )


if __name__ == "__main__":
    main()
