"""The site served by gunicorn on loopback against a PostgreSQL database of its own.

`serve()` creates the database, migrates it, builds one sheet (the five leaves of
concurrent_saves.SET) with a unit focal point who can sign in, starts gunicorn (debug off,
production settings) and drops everything at the end. The preparation runs in a child process
(``python live_site.py --prepare``): this process's Django stays on the test database.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg

HOST = "127.0.0.1"
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PASSWORD = "tai-kiem-thu-2024"
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Site:
    base: str
    database: str
    sheet_id: int
    username: str
    password: str
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def admin(sql: str, *params: object) -> list[tuple[object, ...]]:
    """One statement on the maintenance database, in autocommit (CREATE/DROP DATABASE)."""
    with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
        cursor = conn.execute(sql, params or None)  # type: ignore[call-overload]
        return cursor.fetchall() if cursor.description else []


def terminate_connections(database: str) -> int:
    """Cut every connection to `database` (what a restart does to them): how many were cut."""
    rows = admin(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        "WHERE datname = %s AND pid <> pg_backend_pid()",
        database,
    )
    return sum(1 for (cut,) in rows if cut)


@contextmanager
def serve(database: str, *, workers: int = 2, threads: int = 4) -> Iterator[Site]:
    data_dir = Path(tempfile.mkdtemp(prefix="parindex-live-"))
    url = f"postgres://postgres@{HOST}:5432/{database}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "PARINDEX_SECRET_KEY": "live-" + os.urandom(24).hex(),
        "PARINDEX_DATA_DIR": str(data_dir),
        "PARINDEX_DEBUG": "0",
        "PARINDEX_LOG_LEVEL": "WARNING",
        "PARINDEX_ALLOWED_HOSTS": f"{HOST},localhost",
        "DJANGO_SETTINGS_MODULE": "parindex.site.settings",
    }
    admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    admin(f'CREATE DATABASE "{database}"')
    server: subprocess.Popen[bytes] | None = None
    log = data_dir / "gunicorn.log"
    try:
        prepared = subprocess.run(
            [sys.executable, __file__, "--prepare"],
            env=env, cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if prepared.returncode != 0:
            raise RuntimeError(prepared.stderr[-3000:])
        info = json.loads(prepared.stdout.strip().splitlines()[-1])
        port = _free_port()
        command = [
            str(Path(sys.executable).parent / "gunicorn"), "parindex.site.wsgi:application",
            "--bind", f"{HOST}:{port}", "--workers", str(workers),
            "--worker-class", "gthread", "--threads", str(threads), "--timeout", "60",
            "--keep-alive", "30", "--worker-tmp-dir", str(data_dir),
        ]  # fmt: skip
        with log.open("wb") as out:
            server = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        _wait_listening(server, port, log)
        _wait_answering(f"http://{HOST}:{port}/accounts/login/", workers)
        yield Site(
            base=f"http://{HOST}:{port}",
            database=database,
            sheet_id=info["sheet_id"],
            username=info["username"],
            password=PASSWORD,
            log=log,
        )
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        admin(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
        admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        for path in sorted(data_dir.rglob("*"), reverse=True):
            path.unlink() if path.is_file() else path.rmdir()
        data_dir.rmdir()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def _wait_listening(server: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not start in 30 s")


def _wait_answering(url: str, workers: int) -> None:
    """The port opens before the workers have loaded Django: wait until they answer."""
    deadline = time.monotonic() + 120
    answered = 0
    while answered < 2 * workers and time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=60).status_code == 200:
                answered += 1
        except httpx.HTTPError:
            time.sleep(0.5)


def _prepare() -> int:
    """Child process: migrate, build the sheet, give the focal point a password."""
    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here), str(here.parent), str(here.parent / "assessments")]
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from assessment_builders import build
    from concurrent_saves import SET

    world = build(units=("SO_NV",), yaml_text=SET)
    focal = world.focal["SO_NV"]
    focal.set_password(PASSWORD)
    focal.save()
    print(json.dumps({"sheet_id": world.sheet("SO_NV").pk, "username": focal.username}))
    return 0


if __name__ == "__main__" and sys.argv[1:] == ["--prepare"]:
    sys.exit(_prepare())
