"""Backup and restore, run as production runs them: `manage.py backup` and `manage.py restore`
as separate processes, configured by PARINDEX_DATA_DIR / DATABASE_URL only.

The engine follows the suite's: SQLite files in tmp_path on a plain run, and, when the suite
runs with DATABASE_URL=postgres://..., a source and fresh target PostgreSQL databases created
and dropped here. The source is a published cycle with evidence files (source_cycle.py); the
proof is published_results.py run on both sides: the restored system recomputes every
published snapshot to the same SHA-256, and every evidence file has its recorded SHA-256.
"""

from __future__ import annotations

import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tarfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import dj_database_url
import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
OUTER_URL = os.environ.get("DATABASE_URL", "")
ENGINE = "postgresql" if OUTER_URL.startswith(("postgres://", "postgresql://")) else "sqlite"


@dataclass
class Installation:
    """One parindex installation: a data folder and, on PostgreSQL, its own database."""

    data_dir: Path
    database_url: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    def environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        environment.pop("DATABASE_URL", None)
        environment.update(
            DJANGO_SETTINGS_MODULE="parindex.site.settings",
            PARINDEX_DATA_DIR=str(self.data_dir),
            PARINDEX_SECRET_KEY="parindex-tests-only-not-secret",
            PARINDEX_LOG_LEVEL="WARNING",
        )
        if self.database_url:
            environment["DATABASE_URL"] = self.database_url
        environment.update(self.extra)
        return environment

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *arguments],
            cwd=ROOT,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )

    def manage(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        return self.run("manage.py", *arguments)

    def published(self) -> dict[str, list[dict[str, object]]]:
        done = self.run(str(HERE / "published_results.py"))
        assert done.returncode == 0, done.stderr
        return dict(json.loads(done.stdout))

    def table_count(self) -> int:
        """How many tables the installation's database has (read directly, not through the
        app, which would create the SQLite file)."""
        if not self.database_url:
            path = self.data_dir / "parindex.sqlite3"
            if not path.exists():
                return 0
            with sqlite3.connect(path) as database:
                return int(
                    database.execute(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
                    ).fetchone()[0]
                )
        with psycopg.connect(self.database_url) as database:
            row = database.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()
            assert row is not None
            return int(row[0])

    def stored_files(self) -> list[Path]:
        media = self.data_dir / "media"
        return sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


# ---------------------------------------------------------------- PostgreSQL databases


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    config = dj_database_url.parse(OUTER_URL)
    return psycopg.connect(
        host=config["HOST"] or "127.0.0.1",
        port=config["PORT"] or 5432,
        user=config["USER"] or "postgres",
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


def _database_url(name: str) -> str:
    config = dj_database_url.parse(OUTER_URL)
    password = f":{config['PASSWORD']}" if config["PASSWORD"] else ""
    host, port = config["HOST"] or "127.0.0.1", config["PORT"] or 5432
    return f"postgres://{config['USER'] or 'postgres'}{password}@{host}:{port}/{name}"


@pytest.fixture(scope="module")
def new_installation(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Callable[..., Installation]]:
    """Make installations of the suite's engine: a fresh, empty database each."""
    made: list[str] = []
    base = dj_database_url.parse(OUTER_URL)["NAME"] if ENGINE == "postgresql" else ""

    def make(label: str, engine: str = ENGINE, **extra: str) -> Installation:
        data_dir = tmp_path_factory.mktemp(label)
        if engine == "sqlite":
            return Installation(data_dir, extra=extra)
        name = f"{base}_{label}"
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append(name)
        return Installation(data_dir, _database_url(name), extra)

    yield make
    if made:
        with _admin_connection() as admin:
            for name in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Backup:
    source: Installation
    archive: Path
    published: dict[str, list[dict[str, object]]]
    output: str


@pytest.fixture(scope="module")
def backup(
    new_installation: Callable[..., Installation], tmp_path_factory: pytest.TempPathFactory
) -> Backup:
    """A published cycle with evidence, and its backup."""
    source = new_installation("source")
    ok(source.run(str(HERE / "source_cycle.py")))
    archive = tmp_path_factory.mktemp("archives") / "parindex.tar.gz"
    output = ok(source.manage("backup", "--output", str(archive)))
    return Backup(source, archive, source.published(), output)


def rewritten(archive: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    """A copy of the archive with each member's content passed through `change`."""
    with tarfile.open(archive, "r:gz") as original, tarfile.open(target, "w:gz") as copy:
        for info in original.getmembers():
            stream = original.extractfile(info)
            assert stream is not None
            data = change(info.name, stream.read())
            info.size = len(data)
            copy.addfile(info, io.BytesIO(data))
    return target


# ---------------------------------------------------------------- the restore test


def test_a_restored_system_recomputes_identical_published_results_and_evidence(
    backup: Backup, new_installation: Callable[..., Installation]
) -> None:
    source = backup.published
    [publication] = source["publications"]
    assert publication["verifies"] is True
    assert publication["recomputed_sha256"] == publication["sha256"]
    assert publication["units"] == [["SO_NV", 60.5, 1, "yeu"], ["SO_TP", 48.5, 2, "yeu"]]
    assert len(source["evidence"]) == 4
    assert "tệp (files): 4," in backup.output
    assert any(".integrity_" in name for name in source["triggers"])  # the history's triggers
    verified = ok(backup.source.manage("verify_history"))
    assert verified.startswith("OK: ")

    target = new_installation("target")
    assert target.table_count() == 0
    restored_output = ok(target.manage("restore", str(backup.archive)))
    assert "(the schema matches the code)" in restored_output
    restored = target.published()

    assert restored == source  # the same publications, hashes, ranks and evidence
    [again] = restored["publications"]
    assert again["verifies"] is True
    assert again["recomputed_results_equal"] is True
    assert again["recomputed_sha256"] == again["sha256"] == publication["sha256"]
    for document in restored["evidence"]:
        assert document["file_sha256"] == document["sha256"]  # byte-identical files
    assert len(target.stored_files()) == 4
    assert ok(target.manage("verify_history")) == verified  # same chains, rows, publications

    refused = target.manage("restore", str(backup.archive))
    assert refused.returncode == 1
    assert "the target database is not empty" in refused.stderr
    assert "restoring over it needs --force" in refused.stderr
    assert "Traceback" not in refused.stderr
    ok(target.manage("restore", "--force", str(backup.archive)))
    assert target.published() == source


def test_the_manifest_lists_every_member_with_its_hash_and_the_applied_migrations(
    backup: Backup,
) -> None:
    with tarfile.open(backup.archive, "r:gz") as tar:
        names = tar.getnames()
        stream = tar.extractfile("manifest.json")
        assert stream is not None
        manifest = json.loads(stream.read())
    database_member = f"database/parindex.{'dump' if ENGINE == 'postgresql' else 'sqlite3'}"
    assert names[0] == database_member
    assert names[-1] == "manifest.json"
    assert backup.archive.stat().st_mode & 0o777 == 0o600  # everyone's data: the owner's only
    assert [p.name for p in backup.archive.parent.iterdir()] == ["parindex.tar.gz"]  # no leftovers
    assert manifest["format_version"] == 1
    assert manifest["database"] == {"vendor": ENGINE, "member": database_member}
    assert ["results", "0001_initial"] in manifest["migrations"]
    assert sorted(m["name"] for m in manifest["members"]) == sorted(names[:-1])
    evidence = {f"files/{e['name']}": e["sha256"] for e in backup.published["evidence"]}
    listed = {m["name"]: m["sha256"] for m in manifest["members"]}
    assert {name: listed[name] for name in evidence} == evidence


def test_a_flipped_byte_in_a_member_is_refused_naming_it_and_nothing_is_touched(
    backup: Backup, new_installation: Callable[..., Installation], tmp_path: Path
) -> None:
    victim = f"files/{backup.published['evidence'][2]['name']}"

    def flip(name: str, data: bytes) -> bytes:
        if name != victim:
            return data
        return data[:100] + bytes([data[100] ^ 0x01]) + data[101:]

    corrupted = rewritten(backup.archive, tmp_path / "corrupted.tar.gz", flip)
    target = new_installation("corrupted")
    refused = target.manage("restore", str(corrupted))
    assert refused.returncode == 1
    assert f"{victim} is corrupted" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert target.stored_files() == []
    assert target.table_count() == 0


def test_a_truncated_archive_is_refused_and_nothing_is_touched(
    backup: Backup, new_installation: Callable[..., Installation], tmp_path: Path
) -> None:
    data = backup.archive.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(data[: len(data) * 2 // 3])
    target = new_installation("truncated")
    refused = target.manage("restore", str(truncated))
    assert refused.returncode == 1
    assert "the archive is damaged or truncated while reading" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert target.stored_files() == []
    assert target.table_count() == 0


def test_a_backup_from_newer_code_is_refused_before_anything_is_touched(
    backup: Backup, new_installation: Callable[..., Installation], tmp_path: Path
) -> None:
    def newer(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"].append(["results", "0099_from_the_future"])
        return json.dumps(manifest).encode()

    future = rewritten(backup.archive, tmp_path / "future.tar.gz", newer)
    target = new_installation("future")
    refused = target.manage("restore", str(future))
    assert refused.returncode == 1
    assert "the backup is newer than this code (parindex " in refused.stderr
    assert "results.0099_from_the_future" in refused.stderr
    assert target.stored_files() == []
    assert target.table_count() == 0


@pytest.mark.skipif(ENGINE != "postgresql", reason="needs PostgreSQL beside SQLite")
def test_a_dump_of_the_other_engine_is_refused_naming_the_engine_to_use(
    backup: Backup, new_installation: Callable[..., Installation], tmp_path: Path
) -> None:
    embedded = new_installation("embedded", "sqlite")
    refused = embedded.manage("restore", str(backup.archive))
    assert refused.returncode == 1
    assert (
        "this backup holds a PostgreSQL database but this installation uses SQLite: restore "
        "it with the matching engine — set DATABASE_URL=postgres://..." in refused.stderr
    )
    assert embedded.stored_files() == []

    ok(embedded.manage("migrate", "--verbosity", "0"))
    sqlite_archive = tmp_path / "sqlite.tar.gz"
    ok(embedded.manage("backup", "--output", str(sqlite_archive)))
    server = new_installation("server")
    refused = server.manage("restore", str(sqlite_archive))
    assert refused.returncode == 1
    assert (
        "this backup holds a SQLite database but this installation uses PostgreSQL: restore "
        "it with the matching engine — unset DATABASE_URL" in refused.stderr
    )
    assert server.table_count() == 0


# ---------------------------------------------------------------- S3-compatible storage


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A real S3-compatible server (moto) on a free loopback port."""
    binary = Path(sys.executable).parent / "moto_server"
    if not binary.exists():
        pytest.skip(f"moto_server is not installed at {binary} (pip install 'moto[server]')")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = subprocess.Popen(
        [str(binary), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{endpoint}/", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)


def s3_settings(endpoint: str, bucket: str) -> dict[str, str]:
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    ).create_bucket(Bucket=bucket)
    return {
        "PARINDEX_STORAGE": "s3",
        "PARINDEX_S3_BUCKET": bucket,
        "PARINDEX_S3_ENDPOINT_URL": endpoint,
        "PARINDEX_S3_REGION": "us-east-1",
        "PARINDEX_S3_ACCESS_KEY": "testing",
        "PARINDEX_S3_SECRET_KEY": "testing",
        "PARINDEX_S3_ADDRESSING_STYLE": "path",
    }


def bucket_keys(endpoint: str, bucket: str) -> list[str]:
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    listed = client.list_objects_v2(Bucket=bucket)
    return sorted(item["Key"] for item in listed.get("Contents", ()))


def test_files_go_into_and_come_out_of_s3_storage_through_the_same_commands(
    backup: Backup,
    new_installation: Callable[..., Installation],
    s3_endpoint: str,
    tmp_path: Path,
) -> None:
    on_s3 = new_installation("s3", **s3_settings(s3_endpoint, "parindex-restored"))
    ok(on_s3.manage("restore", str(backup.archive)))
    evidence_names = sorted(str(e["name"]) for e in backup.published["evidence"])
    assert bucket_keys(s3_endpoint, "parindex-restored") == evidence_names
    assert on_s3.stored_files() == []  # nothing went to the local MEDIA_ROOT
    assert on_s3.published() == backup.published  # evidence read back from the bucket

    from_s3 = tmp_path / "from-s3.tar.gz"
    output = ok(on_s3.manage("backup", "--output", str(from_s3)))
    assert "tệp (files): 4," in output
    back_on_disk = new_installation("from_s3")
    ok(back_on_disk.manage("restore", str(from_s3)))
    assert back_on_disk.published() == backup.published
    assert len(back_on_disk.stored_files()) == 4
