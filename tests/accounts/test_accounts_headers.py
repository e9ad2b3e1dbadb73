"""Secure headers on every answer, and `check --deploy` clean under production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_has_a_nonce_policy_and_the_secure_headers() -> None:
    first = Client().get("/accounts/login/")
    second = Client().get("/accounts/login/")
    policy = first["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "base-uri 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "form-action 'self'" in policy
    assert "img-src 'self' data:" in policy
    assert "'unsafe-inline'" not in policy.split("style-src-attr")[0]
    assert "'unsafe-eval'" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert len(nonce) >= 16
    assert nonce not in second["Content-Security-Policy"], "the nonce must change per request"
    assert first["Referrer-Policy"] == "same-origin"
    assert first["X-Content-Type-Options"] == "nosniff"
    assert first["Cross-Origin-Opener-Policy"] == "same-origin"
    assert first["X-Frame-Options"] == "DENY"
    assert "camera=()" in first["Permissions-Policy"]
    assert "geolocation=()" in first["Permissions-Policy"]
    assert "microphone=()" in first["Permissions-Policy"]


def test_the_page_nonce_is_written_on_inline_scripts_and_styles() -> None:
    from django.template import engines
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.csp_nonce = "abc123"  # type: ignore[attr-defined]
    html = (
        engines["django"]
        .from_string('<script nonce="{{ request.csp_nonce }}"></script>')
        .render({}, request)
    )
    assert html == '<script nonce="abc123"></script>'


def test_no_template_has_an_inline_script_without_nonce_or_an_event_handler() -> None:
    import re

    offenders = []
    for path in (ROOT / "parindex").rglob("*.html"):
        if "admin" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            if "src=" not in tag and "nonce=" not in tag and "application/json" not in tag:
                offenders.append(f"{path.name}: {tag}")
        offenders += [f"{path.name}: {m}" for m in re.findall(r"\son[a-z]+=\"", text)]
    assert offenders == []


def _production_env() -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PARINDEX_", "DJANGO_"))
    }
    env.update(
        PARINDEX_SECRET_KEY="kq3#vT9!zP2@mL7$wR4%nB8^hX1&jC6*dF5(gS0)yU3-aE9_oI2+",
        PARINDEX_HTTPS="1",
        PARINDEX_ALLOWED_HOSTS="cchc.example.vn",
        DJANGO_SETTINGS_MODULE="parindex.site.settings",
    )
    return env


def _check_deploy(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings() -> None:
    result = _check_deploy(_production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_https() -> None:
    env = _production_env()
    env.pop("PARINDEX_HTTPS")
    result = _check_deploy(env)
    assert result.returncode == 1
    assert "security.W004" in result.stderr + result.stdout  # no HSTS
    assert "security.W012" in result.stderr + result.stdout  # session cookie not secure


def test_production_settings_redirect_to_https_except_the_health_check() -> None:
    code = (
        "from django.conf import settings as s;"
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_REDIRECT_EXEMPT, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY)"
    )
    env = _production_env()
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();" + code],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.strip() == "True ['^healthz$'] 31536000 False False True True True"
