"""The security event log: every sign-in event, refusal and rejected upload is there as one
JSON object, and no record ever holds a password, a code, a session key or a token."""

from __future__ import annotations

import json
import logging
import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from parindex.accounts import totp
from parindex.accounts.models import Role, User
from tests.assessments.assessment_builders import build
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Zebra-Mật-khẩu-ĐẶC-BIỆT-9317"
WRONG = "Quokka-sai-ĐẶC-BIỆT-5521"


def _events(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    return [
        json.loads(record.getMessage())
        for record in caplog.records
        if record.name == "parindex.security"
    ]


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_sign_in_events_are_logged_and_no_secret_ever_is(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="parindex.security")
    chief = User.objects.create_user("noi_vu.chanh_vp", password=PASSWORD)
    MembershipFactory(user=chief, role=Role.SECRETARIAT)
    User.objects.create_user("so_tp.dau_moi", password=PASSWORD)

    _login(Client(), "so_tp.dau_moi", WRONG)
    office = Client()
    _login(office, "so_tp.dau_moi", PASSWORD)
    for _ in range(5):
        _login(Client(), "noi_vu.chanh_vp", WRONG)
    _login(Client(), "noi_vu.chanh_vp", PASSWORD)  # locked
    from parindex.accounts.models import LoginFailure

    LoginFailure.objects.all().delete()  # the cool-off has passed

    client = Client()
    _login(client, "noi_vu.chanh_vp", PASSWORD)
    page = client.get("/accounts/two-factor/enrol/").content.decode()
    secret = re.search(r'id="totp-secret">([A-Z2-7]+)<', page).group(1)  # type: ignore[union-attr]
    client.post("/accounts/two-factor/enrol/", {"code": "000000"})
    first = totp.code_at(secret, totp.time_step(time.time()))
    done = client.post("/accounts/two-factor/enrol/", {"code": first}).content.decode()
    recovery = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", done)
    again = Client()
    _login(again, "noi_vu.chanh_vp", PASSWORD)
    again.post("/accounts/two-factor/", {"code": recovery[0]})
    session_keys = [c.session.session_key for c in (office, client, again)]
    office.get("/cycles/999999/")  # not found
    Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": WRONG})
    again.post("/accounts/sign-out-everywhere/")

    events = _events(caplog)
    names = [e["event"] for e in events]
    for expected in (
        "login_failed",
        "login_succeeded",
        "lockout",
        "login_refused_locked",
        "login_password_accepted",
        "two_factor_enrolment_failed",
        "two_factor_enrolled",
        "recovery_code_used",
        "not_found",
        "forbidden",
        "logout_everywhere",
    ):
        assert expected in names, expected
    assert names.count("login_failed") == 5 + 1
    failed = next(e for e in events if e["event"] == "login_failed")
    assert failed["username"] == "so_tp.dau_moi"
    assert failed["ip"] == "127.0.0.1"
    assert next(e for e in events if e["event"] == "not_found")["user"] == "so_tp.dau_moi"

    secrets = [PASSWORD, WRONG, secret, first, *recovery, *[k for k in session_keys if k]]
    everything = caplog.text
    for secret_text in secrets:
        assert secret_text not in everything
        assert secret_text.replace("-", "") not in everything


def test_a_rejected_upload_is_logged_without_its_content(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="parindex.security")
    world = build()
    client = Client()
    client.force_login(world.focal["SO_NV"])
    response = client.post(
        reverse("assessments:evidence_upload", args=[world.sheet().pk]),
        {"code": "1.1.1", "files": [SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 EICAR-ish")]},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 400
    refused = [e for e in _events(caplog) if e["event"] == "refused"]
    assert len(refused) == 1
    assert refused[0]["reasons"][0].startswith("This file is not an accepted document.")  # type: ignore[index]
    assert refused[0]["user"] == world.focal["SO_NV"].get_username()
    assert "EICAR" not in caplog.text
