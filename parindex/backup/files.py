"""The uploaded files, read and written through Django's default storage, so that the same
code backs up MEDIA_ROOT on the file system and a bucket of S3-compatible object storage."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.core.files import File
from django.core.files.storage import Storage, default_storage

from parindex.backup.archive import BackupError


def stored_names(storage: Storage = default_storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, each folder's files before its sub-folders, sorted.

    No `exists()` on folders: an object store has no folders, only the prefixes `listdir`
    gives back."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # an empty MEDIA_ROOT that was never created
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield f"{prefix}{name}"
    for sub in sorted(folders):
        yield from stored_names(storage, f"{prefix}{sub}")


class ForwardStream(io.RawIOBase):
    """A member of a streamed archive as storages expect a file: it reads forward only and
    says so (a tar member in stream mode cannot even answer `seekable()`)."""

    def __init__(self, stream: IO[bytes]) -> None:
        super().__init__()
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        chunk = self._stream.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def stored_file_put(name: str, stream: IO[bytes], size: int) -> None:
    """Write a restored file under its own name, replacing a file of that name."""
    with storage_errors(name):
        storage = default_storage
        if storage.exists(name):
            storage.delete(name)
        content = File(io.BufferedReader(ForwardStream(stream)), name=name)
        content.size = size
        saved = storage.save(name, content)
    if saved != name:
        storage.delete(saved)
        raise BackupError(
            f"Kho lưu trữ đổi tên {name} thành {saved}; tệp chưa được phục hồi",
            f"the storage renamed {name} to {saved}; the file was not restored",
        )


@contextmanager
def storage_errors(name: str) -> Iterator[None]:
    """A storage failure (disk full, permission, a bucket that refuses) as a message naming
    the file: backends raise their own exception types (OSError, botocore's ClientError...)."""
    try:
        yield
    except BackupError:
        raise
    except Exception as error:
        raise BackupError(
            f"Lỗi kho lưu trữ ở tệp {name}: {type(error).__name__}: {error}",
            f"storage error on file {name}: {type(error).__name__}: {error}",
        ) from error
