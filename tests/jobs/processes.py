"""Real worker processes on a real database, for the jobs tests: a SQLite file in tmp_path (the
suite's in-memory test database is not reachable from another process) or, when the suite runs
on PostgreSQL (`DATABASE_URL`), a database of its own next to the suite's. The test process
reads that database with plain SQL only."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Database:
    env: dict[str, str]
    query: Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]
    vendor: str
    sqlite_path: Path | None = None

    def one(self, sql: str, *params: Any) -> tuple[Any, ...]:
        return self.query(sql, params)[0]

    def writing(self) -> bool:
        """SQLite: someone holds the write lock (the worker is inside its import's transaction)."""
        assert self.sqlite_path is not None
        probe = sqlite3.connect(self.sqlite_path, timeout=0.05, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()


def sqlite_database(tmp_path: Path, env: dict[str, str]) -> Iterator[Database]:
    path = tmp_path / "parindex.sqlite3"

    def query(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        connection = sqlite3.connect(path, timeout=30)
        try:
            return list(connection.execute(sql.replace("%s", "?"), params))
        finally:
            connection.close()

    yield Database(env, query, "sqlite", path)


def postgresql_database(url: str, env: dict[str, str]) -> Iterator[Database]:
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'parindex'}_procs"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    own = urlunsplit(parts._replace(path=f"/{name}"))

    def query(sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with psycopg.connect(own, autocommit=True) as connection:
            return list(connection.execute(sql, params).fetchall())

    yield Database({**env, "DATABASE_URL": own}, query, "postgresql")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database: Database, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=database.env,
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )


def worker(database: Database, log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker"],
        cwd=ROOT,
        env=database.env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )


def job_row(database: Database, pk: int) -> tuple[str, int, int, str, int]:
    found = database.one(
        "SELECT status, done, total, stage, attempts FROM jobs_job WHERE id = %s", pk
    )
    return (str(found[0]), int(found[1]), int(found[2]), str(found[3]), int(found[4]))


def until(check: Callable[[], bool], seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s\n{log.read_text()}")
        time.sleep(0.1)


def process_database(tmp_path: Path) -> Iterator[Database]:
    env = {
        **os.environ,
        "PARINDEX_DATA_DIR": str(tmp_path),
        "PARINDEX_WORKER": "external",
        "PARINDEX_JOBS_STALE_SECONDS": "5",
        "PYTHONUNBUFFERED": "1",
    }
    url = os.environ.get("DATABASE_URL", "")
    env.pop("DATABASE_URL", None)
    made = (
        postgresql_database(url, env)
        if url.startswith("postgres")
        else sqlite_database(tmp_path, env)
    )
    yield from made
