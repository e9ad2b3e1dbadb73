"""The files of deploy/: systemd units that systemd itself accepts, a gunicorn configuration
that reads its environment, a container file with the promised properties."""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("parindex-*"))
# The units name the installed paths of docs/deployment.md, absent on a test machine.
ABSENT_BINARIES = ("/opt/parindex/venv/bin/",)


def test_the_units_are_the_ones_the_deployment_guide_enables():
    assert [unit.name for unit in UNITS] == [
        "parindex-cleanup.service",
        "parindex-cleanup.timer",
        "parindex-reminders.service",
        "parindex-reminders.timer",
        "parindex-web.service",
        "parindex-worker.service",
    ]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is not installed")
def test_systemd_accepts_every_unit(tmp_path: Path):
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *map(str, UNITS)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    problems = [
        line
        for line in result.stderr.splitlines()
        if line.strip()
        and not ("is not executable" in line and any(b in line for b in ABSENT_BINARIES))
    ]
    assert problems == []


@pytest.mark.parametrize("unit", [u for u in UNITS if u.suffix == ".service"], ids=lambda u: u.name)
def test_every_service_is_hardened_and_reads_the_environment_file(unit: Path):
    text = unit.read_text(encoding="utf-8")
    for line in (
        "User=parindex",
        "EnvironmentFile=/etc/parindex/parindex.env",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/parindex",
        "PrivateTmp=yes",
    ):
        assert line in text.splitlines(), f"{unit.name}: {line}"


def test_the_reminders_run_both_commands_daily():
    service = (DEPLOY / "systemd" / "parindex-reminders.service").read_text(encoding="utf-8")
    assert "ExecStart=/opt/parindex/venv/bin/django-admin send_reminders" in service
    assert "ExecStart=/opt/parindex/venv/bin/django-admin send_task_reminders" in service
    timer = (DEPLOY / "systemd" / "parindex-reminders.timer").read_text(encoding="utf-8")
    assert "OnCalendar=*-*-* 07:00:00 Asia/Ho_Chi_Minh" in timer


def test_gunicorn_takes_bind_and_workers_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PARINDEX_WEB_BIND", "unix:/run/parindex/web.sock")
    monkeypatch.setenv("PARINDEX_WEB_WORKERS", "7")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert (config["bind"], config["workers"], config["threads"]) == (
        ["unix:/run/parindex/web.sock"],
        7,
        1,
    )
    monkeypatch.delenv("PARINDEX_WEB_WORKERS")
    monkeypatch.delenv("PARINDEX_WEB_BIND")
    config = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert config["bind"] == ["127.0.0.1:8000"]
    assert config["workers"] == 2 * (os.cpu_count() or 1) + 1


def test_the_container_runs_as_a_non_root_user_with_a_health_check():
    text = (DEPLOY / "Containerfile").read_text(encoding="utf-8")
    lines = [line.strip() for line in text.splitlines()]
    assert next(line for line in lines if line.startswith("FROM ")) == "FROM python:3.11-slim"
    assert "USER parindex" in lines
    assert any("collectstatic --noinput" in line for line in lines)
    assert any(line.startswith("HEALTHCHECK ") for line in lines)
    assert any("/healthz" in line for line in lines)
    assert lines[-1].startswith('CMD ["gunicorn"')
