"""The backup archive: a gzipped tar of the database dump, the uploaded files and a manifest.

Layout (format version 1)::

    database/parindex.dump       PostgreSQL, pg_dump --format=custom   (one of the two)
    database/parindex.sqlite3    SQLite, a copy made with the online backup API
    files/<storage name>         every uploaded file, under its name in the storage
    manifest.json                written last: it holds the SHA-256 and size of every member

Every member is streamed in and out (hashed as it passes), so memory stays bounded whatever
the size of the dump or of the files.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import IO

FORMAT = "parindex-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FOLDER = "database/"
FILES_FOLDER = "files/"
MANIFEST_MAX_BYTES = 256 * 1024 * 1024  # a manifest lists members; it never holds their data

# What a damaged gzip or tar stream raises while it is read.
DAMAGED = (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError)


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says what and where, vi and en."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(f"{vi} ({en})")
        self.vi = vi
        self.en = en


@dataclass(frozen=True)
class Member:
    name: str
    size: int
    sha256: str


@dataclass
class Manifest:
    """What an archive holds and what it was made from."""

    parindex_version: str
    created_at: str
    database_vendor: str
    database_member: str
    migrations: list[tuple[str, str]]
    members: list[Member] = field(default_factory=list)

    def to_json(self) -> bytes:
        document = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "parindex_version": self.parindex_version,
            "created_at": self.created_at,
            "database": {"vendor": self.database_vendor, "member": self.database_member},
            "migrations": [list(pair) for pair in self.migrations],
            "members": [{"name": m.name, "size": m.size, "sha256": m.sha256} for m in self.members],
        }
        return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            document = json.loads(data.decode("utf-8"))
            if document.get("format") != FORMAT:
                raise ValueError("not a parindex backup")
            if document.get("format_version") != FORMAT_VERSION:
                raise BackupError(
                    f"Phiên bản định dạng sao lưu {document.get('format_version')!r} "
                    f"không được hỗ trợ (chỉ hỗ trợ {FORMAT_VERSION})",
                    f"backup format version {document.get('format_version')!r} is not "
                    f"supported (only {FORMAT_VERSION})",
                )
            return cls(
                parindex_version=str(document["parindex_version"]),
                created_at=str(document["created_at"]),
                database_vendor=str(document["database"]["vendor"]),
                database_member=str(document["database"]["member"]),
                migrations=[(str(app), str(name)) for app, name in document["migrations"]],
                members=[
                    Member(str(m["name"]), int(m["size"]), str(m["sha256"]))
                    for m in document["members"]
                ],
            )
        except BackupError:
            raise
        except (ValueError, KeyError, TypeError) as error:
            raise BackupError(
                f"{MANIFEST} không hợp lệ: {error}", f"{MANIFEST} is not valid: {error}"
            ) from None


def now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class HashingReader:
    """A file object that hashes and counts what is read through it."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self._stream.read(size)
        self._hash.update(chunk)
        self.size += len(chunk)
        return chunk

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()


def member_add(tar: tarfile.TarFile, name: str, stream: IO[bytes], size: int) -> Member:
    """Stream `size` bytes of `stream` into the archive as `name`; the member's hash and size.

    A source shorter than it said (a file changed while it was copied) is an error."""
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(dt.datetime.now(dt.UTC).timestamp())
    reader = HashingReader(stream)
    try:
        tar.addfile(info, reader)  # reads in chunks
    except OSError as error:
        raise BackupError(
            f"Không chép được {name} vào bản sao lưu: {error}",
            f"could not copy {name} into the archive: {error}",
        ) from None
    return Member(name, reader.size, reader.sha256)


def safe_member_name(name: str) -> bool:
    """A relative name with no `..`: what a restore may write."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts


def archive_verify(path: str) -> Manifest:
    """Read the whole archive once, hash every member and compare with the manifest.

    Refuses (BackupError naming the member) a damaged or truncated archive, a member whose
    content or size differs, a member missing from the archive or from the manifest."""
    found: dict[str, Member] = {}
    manifest_data: bytes | None = None
    current = "(archive header)"
    try:
        with tarfile.open(path, mode="r|gz") as tar:
            for info in tar:
                current = info.name
                if not info.isfile() or not safe_member_name(info.name):
                    raise BackupError(
                        f"Thành phần không được phép trong bản sao lưu: {info.name}",
                        f"member not allowed in a backup: {info.name}",
                    )
                stream = tar.extractfile(info)
                assert stream is not None  # a regular file
                if info.name == MANIFEST:
                    manifest_data = stream.read(MANIFEST_MAX_BYTES)
                    continue
                reader = HashingReader(stream)
                while reader.read(1024 * 1024):
                    pass
                found[info.name] = Member(info.name, reader.size, reader.sha256)
    except BackupError:
        raise
    except FileNotFoundError:
        raise BackupError(
            f"Không có tệp sao lưu {path}", f"backup file {path} does not exist"
        ) from None
    except DAMAGED as error:
        raise BackupError(
            f"Bản sao lưu bị hỏng hoặc bị cắt cụt khi đọc {current}: {error}",
            f"the archive is damaged or truncated while reading {current}: {error}",
        ) from None
    if manifest_data is None:
        raise BackupError(
            f"Bản sao lưu không có {MANIFEST} (bị cắt cụt hoặc không phải bản sao lưu parindex)",
            f"the archive has no {MANIFEST} (truncated, or not a parindex backup)",
        )
    manifest = Manifest.from_json(manifest_data)
    _compare(manifest, found)
    return manifest


def _compare(manifest: Manifest, found: dict[str, Member]) -> None:
    listed = {member.name: member for member in manifest.members}
    for name, member in listed.items():
        actual = found.get(name)
        if actual is None:
            raise BackupError(
                f"Thiếu {name} trong bản sao lưu", f"member {name} is missing from the archive"
            )
        if actual.size != member.size or actual.sha256 != member.sha256:
            raise BackupError(
                f"{name} bị hỏng: SHA-256 {actual.sha256} ({actual.size} byte), "
                f"mong đợi {member.sha256} ({member.size} byte)",
                f"{name} is corrupted: SHA-256 {actual.sha256} ({actual.size} bytes), "
                f"expected {member.sha256} ({member.size} bytes)",
            )
    for name in found:
        if name not in listed:
            raise BackupError(
                f"{name} có trong bản sao lưu nhưng không có trong {MANIFEST}",
                f"{name} is in the archive but not in {MANIFEST}",
            )
    if manifest.database_member not in listed:
        raise BackupError(
            f"{MANIFEST} không liệt kê tệp cơ sở dữ liệu {manifest.database_member}",
            f"{MANIFEST} does not list the database member {manifest.database_member}",
        )


def archive_members(path: str) -> Iterator[tuple[tarfile.TarInfo, IO[bytes]]]:
    """Every member but the manifest, with a stream of its content, in archive order."""
    with tarfile.open(path, mode="r|gz") as tar:
        for info in tar:
            if info.name == MANIFEST:
                continue
            stream = tar.extractfile(info)
            assert stream is not None
            yield info, stream
