"""Backing up (*sao lưu*) and restoring (*phục hồi*) a parindex installation: its database and
its uploaded files, in one verifiable archive (docs/decisions/0017).

Order of the backup: database first, then files. Every document row in the dump had its file
stored before the row was committed, so every file the dump names is in the archive; a file
uploaded meanwhile is an orphan there, which `remove_orphan_evidence` clears.

Order of the restore: verify everything, refuse before touching anything, then files, then
the database: should the restore stop half-way, the extra files are harmless orphans, never
a row without its file.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import IO

from django.core.files.storage import default_storage

from parindex.backup import database
from parindex.backup.archive import (
    DATABASE_FOLDER,
    FILES_FOLDER,
    MANIFEST,
    BackupError,
    HashingReader,
    Manifest,
    Member,
    archive_members,
    archive_verify,
    member_add,
    now_text,
)
from parindex.backup.files import storage_errors, stored_file_put, stored_names

Say = Callable[[str], None]


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    files: int
    file_bytes: int
    database_bytes: int
    archive_bytes: int
    seconds: float


@dataclass(frozen=True)
class RestoreSummary:
    manifest: Manifest
    files: int
    file_bytes: int
    pending_migrations: list[tuple[str, str]]
    seconds: float


def parindex_version() -> str:
    try:
        return version("parindex")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


# ---------------------------------------------------------------- backup


def backup_create(*, output: Path) -> BackupSummary:
    """Write the archive to `output` atomically: a temporary file beside it, then a rename,
    so that `output` is either the previous archive or the complete new one."""
    started = time.monotonic()
    output = output.resolve()
    if output.is_dir():
        raise BackupError(
            f"{output} là một thư mục; hãy cho tên tệp, ví dụ parindex.tar.gz",
            f"{output} is a folder; give a file name, e.g. parindex.tar.gz",
        )
    if not output.parent.is_dir():
        raise BackupError(
            f"Không có thư mục {output.parent}", f"folder {output.parent} does not exist"
        )
    vendor = database.vendor()
    manifest = Manifest(
        parindex_version=parindex_version(),
        created_at=now_text(),
        database_vendor=vendor,
        database_member=database.MEMBER[vendor],
        migrations=database.applied_migrations(),
    )
    with tempfile.TemporaryDirectory(dir=output.parent, prefix=".parindex-backup-") as folder:
        partial = Path(folder) / output.name
        with tarfile.open(partial, mode="w:gz", compresslevel=6) as tar:
            dump = database.database_dump(Path(folder))
            with dump.open("rb") as stream:
                manifest.members.append(
                    member_add(tar, manifest.database_member, stream, dump.stat().st_size)
                )
            dump.unlink()  # the dump is in the archive now: do not hold the space twice
            _files_add(tar, manifest)
            _manifest_add(tar, manifest)
        partial.chmod(0o600)  # it holds everyone's data, password hashes included
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, output)
        _sync_folder(output.parent)
    database_bytes = manifest.members[0].size
    return BackupSummary(
        path=output,
        files=len(manifest.members) - 1,
        file_bytes=sum(m.size for m in manifest.members[1:]),
        database_bytes=database_bytes,
        archive_bytes=output.stat().st_size,
        seconds=time.monotonic() - started,
    )


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable: a crash right after must not lose the new name."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _files_add(tar: tarfile.TarFile, manifest: Manifest) -> None:
    with storage_errors("(listing)"):
        names = list(stored_names())
    for name in names:
        with storage_errors(name):
            size = default_storage.size(name)
            with default_storage.open(name, "rb") as stream:
                manifest.members.append(member_add(tar, f"{FILES_FOLDER}{name}", stream, size))


def _manifest_add(tar: tarfile.TarFile, manifest: Manifest) -> None:
    data = manifest.to_json()
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(data))


# ---------------------------------------------------------------- restore


def backup_restore(*, archive: Path, force: bool = False, say: Say = print) -> RestoreSummary:
    """Verify the archive, refuse what cannot be restored, then put back files and database."""
    started = time.monotonic()
    say("Đang kiểm tra bản sao lưu... (verifying the archive...)")
    manifest = archive_verify(str(archive))
    _refuse_unless_restorable(manifest, force=force)
    files, file_bytes = 0, 0
    with tempfile.TemporaryDirectory(prefix=".parindex-restore-") as folder:
        dump: Path | None = None
        for info, stream in archive_members(str(archive)):
            if info.name.startswith(FILES_FOLDER):
                stored_file_put(info.name.removeprefix(FILES_FOLDER), stream, info.size)
                files += 1
                file_bytes += info.size
            elif info.name == manifest.database_member:
                dump = _extracted(info, stream, Path(folder), manifest)
        if dump is None:  # archive_verify saw it: the archive changed since
            raise BackupError(
                f"Không thấy {manifest.database_member} khi phục hồi",
                f"{manifest.database_member} vanished during the restore",
            )
        say(
            f"Đã phục hồi {files} tệp, đang phục hồi cơ sở dữ liệu... "
            f"({files} files restored, restoring the database...)"
        )
        database.database_restore(dump, manifest.database_vendor)
    applied = set(database.applied_migrations())
    _refuse_newer_migrations(applied)
    pending = sorted(database.code_migrations() - applied)
    return RestoreSummary(manifest, files, file_bytes, pending, time.monotonic() - started)


def _extracted(info: tarfile.TarInfo, stream: IO[bytes], folder: Path, manifest: Manifest) -> Path:
    """The database member on disk, checked once more against the manifest: the archive may
    have changed between the verification and now."""
    target = folder / Path(info.name).name
    reader = HashingReader(stream)
    with target.open("wb") as out:
        while chunk := reader.read(1024 * 1024):
            out.write(chunk)
    expected = next(m for m in manifest.members if m.name == info.name)
    if Member(info.name, reader.size, reader.sha256) != expected:
        raise BackupError(
            f"{info.name} đã thay đổi từ lúc kiểm tra; không phục hồi",
            f"{info.name} changed since it was verified; nothing restored",
        )
    return target


def _refuse_unless_restorable(manifest: Manifest, *, force: bool) -> None:
    """Every refusal that needs no change: engine, migrations, a database in use."""
    refusal = database.vendor_mismatch(manifest.database_vendor)
    if refusal is not None:
        raise BackupError(*refusal)
    if not manifest.database_member.startswith(DATABASE_FOLDER):
        raise BackupError(
            f"Tên tệp cơ sở dữ liệu không hợp lệ: {manifest.database_member}",
            f"database member name is not valid: {manifest.database_member}",
        )
    _refuse_newer_migrations(set(manifest.migrations), made_by=manifest.parindex_version)
    full = database.holds_data()
    if full and not force:
        shown = ", ".join(full[:5]) + (", ..." if len(full) > 5 else "")
        raise BackupError(
            f"Cơ sở dữ liệu đích đang có dữ liệu ({len(full)} bảng: {shown}); "
            "không phục hồi đè lên nó trừ khi có --force",
            f"the target database is not empty ({len(full)} tables hold rows: {shown}); "
            "restoring over it needs --force",
        )


def _refuse_newer_migrations(applied: set[tuple[str, str]], made_by: str = "") -> None:
    unknown = sorted(applied - database.code_migrations())
    if not unknown:
        return
    shown = ", ".join(f"{app}.{name}" for app, name in unknown[:5])
    made = f" (parindex {made_by})" if made_by else ""
    raise BackupError(
        f"Bản sao lưu mới hơn mã nguồn này{made}: có migration mà mã không biết: {shown}; "
        "hãy cài phiên bản parindex đã tạo bản sao lưu",
        f"the backup is newer than this code{made}: it has migrations this code does not "
        f"know: {shown}; install the parindex version that made the backup",
    )
