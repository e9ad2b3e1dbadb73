"""The database in its engine's native format: pg_dump / pg_restore, or SQLite's backup API.

Native dumps, not `dumpdata`: they keep what the ORM does not know about (the history
triggers, sequences, constraints) and restore much faster.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from parindex.backup.archive import BackupError

POSTGRESQL, SQLITE = "postgresql", "sqlite"
MEMBER = {POSTGRESQL: "database/parindex.dump", SQLITE: "database/parindex.sqlite3"}
ENGINE_NAMES = {POSTGRESQL: "PostgreSQL", SQLITE: "SQLite"}

# Tables that `migrate` fills by itself: a database holding only these holds no one's data.
BOOKKEEPING = {"django_migrations", "django_content_type", "auth_permission"}


def vendor() -> str:
    name = connections["default"].vendor
    if name not in MEMBER:
        raise BackupError(
            f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {name}",
            f"backing up a {name} database is not supported (PostgreSQL or SQLite)",
        )
    return name


def _settings() -> dict[str, Any]:
    return dict(connections["default"].settings_dict)


def applied_migrations() -> list[tuple[str, str]]:
    connection = connections["default"]
    if not MigrationRecorder(connection).has_table():
        return []
    return sorted(MigrationRecorder(connection).applied_migrations())


def code_migrations() -> set[tuple[str, str]]:
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def holds_data() -> list[str]:
    """The tables that hold at least one row (besides migration bookkeeping)."""
    connection = connections["default"]
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        full = []
        for table in sorted(set(tables) - BOOKKEEPING):
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")
            if cursor.fetchone() is not None:
                full.append(table)
    return full


# ---------------------------------------------------------------- PostgreSQL


def _pg_environment(config: dict[str, Any]) -> dict[str, str]:
    """libpq's variables: the password goes in PGPASSWORD, never on a command line."""
    environment = dict(os.environ)
    pairs = {
        "PGHOST": config.get("HOST"),
        "PGPORT": config.get("PORT"),
        "PGUSER": config.get("USER"),
        "PGPASSWORD": config.get("PASSWORD"),
        "PGDATABASE": config.get("NAME"),
    }
    options = config.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            pairs[variable] = options[option]
    for variable, value in pairs.items():
        if value:
            environment[variable] = str(value)
    return environment


def _program(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"Không tìm thấy {name}: cài gói postgresql-client cùng phiên bản với máy chủ",
            f"{name} not found: install postgresql-client of the server's version",
        )
    return found


def _run(command: list[str], environment: dict[str, str]) -> None:
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        program = Path(command[0]).name
        detail = done.stderr.strip()[-2000:]
        raise BackupError(
            f"{program} thất bại (mã {done.returncode}): {detail}",
            f"{program} failed (status {done.returncode}): {detail}",
        )


def _pg_dump(target: Path) -> None:
    config = _settings()
    _run(
        [_program("pg_dump"), "--format=custom", "--no-password", f"--file={target}"],
        _pg_environment(config),
    )


def _pg_restore(source: Path) -> None:
    config = _settings()
    connections["default"].close()  # our own session must not hold locks on what is dropped
    _run(
        [
            _program("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--no-password",
            f"--dbname={config['NAME']}",
            str(source),
        ],
        _pg_environment(config),
    )


# ---------------------------------------------------------------- SQLite


def _sqlite_path() -> Path:
    return Path(str(_settings()["NAME"]))


def _sqlite_dump(target: Path) -> None:
    """A consistent copy of a running database: the backup API copies a snapshot, page by
    page, while the app keeps reading and writing (WAL)."""
    with _sqlite_errors():
        source = sqlite3.connect(_sqlite_path(), timeout=20)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()


def _sqlite_restore(source: Path) -> None:
    """Copy the restored database into the configured one in one write transaction.

    Not a rename of the file: a rename would leave the old database's -wal and -shm files,
    which SQLite would replay onto the new one, and running processes would keep writing to
    the old inode. The backup API into the live file is atomic for every reader."""
    _sqlite_check(source)
    connections["default"].close()
    with _sqlite_errors():
        restored = sqlite3.connect(source)
        target = sqlite3.connect(_sqlite_path(), timeout=20)
        try:
            restored.backup(target)
        finally:
            target.close()
            restored.close()


@contextmanager
def _sqlite_errors() -> Iterator[None]:
    try:
        yield
    except sqlite3.Error as error:  # locked, disk full, read-only folder...
        raise BackupError(
            f"Lỗi SQLite ở {_sqlite_path()}: {error}", f"SQLite error on {_sqlite_path()}: {error}"
        ) from error


def _sqlite_check(source: Path) -> None:
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as check:
            verdict = check.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        verdict = str(error)
    if verdict != "ok":
        raise BackupError(
            f"Tệp SQLite trong bản sao lưu bị hỏng: {verdict}",
            f"the SQLite database in the backup is damaged: {verdict}",
        )


# ---------------------------------------------------------------- either engine


def database_dump(folder: Path) -> Path:
    """Dump the configured database into `folder`; the file's path."""
    name = vendor()
    target = folder / Path(MEMBER[name]).name
    if name == POSTGRESQL:
        _pg_dump(target)
    else:
        _sqlite_dump(target)
    return target


def database_restore(source: Path, dump_vendor: str) -> None:
    """Replace the configured database's content with the dump's."""
    refusal = vendor_mismatch(dump_vendor)
    if refusal is not None:
        raise BackupError(*refusal)
    if dump_vendor == POSTGRESQL:
        _pg_restore(source)
    else:
        _sqlite_restore(source)


def vendor_mismatch(dump_vendor: str) -> tuple[str, str] | None:
    """The refusal (vi, en) when the dump is of another engine than the configured one."""
    configured = vendor()
    if dump_vendor == configured:
        return None
    made = ENGINE_NAMES.get(dump_vendor, dump_vendor)
    here = ENGINE_NAMES[configured]
    how = (
        "đặt DATABASE_URL=postgres://... trỏ tới một cơ sở dữ liệu PostgreSQL",
        "set DATABASE_URL=postgres://... to a PostgreSQL database",
    )
    if dump_vendor == SQLITE:
        how = (
            "bỏ DATABASE_URL để dùng SQLite nhúng (PARINDEX_DATA_DIR)",
            "unset DATABASE_URL to use the embedded SQLite (PARINDEX_DATA_DIR)",
        )
    return (
        f"Bản sao lưu chứa cơ sở dữ liệu {made} nhưng hệ thống này dùng {here}: "
        f"hãy phục hồi vào {made} ({how[0]})",
        f"this backup holds a {made} database but this installation uses {here}: "
        f"restore it with the matching engine — {how[1]}",
    )
