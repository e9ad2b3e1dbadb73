"""Evidence files: what a document is, told from its bytes, never from its name or the browser.

Accepted: PDF, Word (DOCX), Excel (XLSX), OpenDocument text and spreadsheet (ODT, ODS), JPEG
and PNG. The Office and OpenDocument formats are zip containers; they are opened with limits
on the number of members, the total uncompressed size and the compression ratio (a "zip
bomb" is refused before anything is stored), every member is read through once so that a
damaged or lying archive is refused too, and documents carrying macros are refused.
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from parindex.assessments.errors import fmt


class Stream(Protocol):
    """What `sniff` reads: an uploaded file, an open file, a BytesIO."""

    def read(self, n: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


class Chunked(Stream, Protocol):
    """An uploaded file (Django's `File`): a stream read in chunks."""

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]: ...


@dataclass(frozen=True)
class FileKind:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one given to a stored file

    @property
    def extension(self) -> str:
        return self.extensions[0]


PDF = FileKind("application/pdf", ("pdf",))
DOCX = FileKind(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ("docx",)
)
XLSX = FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ("xlsx",))
ODT = FileKind("application/vnd.oasis.opendocument.text", ("odt",))
ODS = FileKind("application/vnd.oasis.opendocument.spreadsheet", ("ods",))
JPEG = FileKind("image/jpeg", ("jpg", "jpeg"))
PNG = FileKind("image/png", ("png",))
OPENDOCUMENT = {kind.content_type: kind for kind in (ODT, ODS)}

ZIP_MAX_MEMBERS = 5_000
ZIP_MAX_UNCOMPRESSED = 256 * 1024 * 1024  # bytes, all members together
ZIP_MAX_RATIO = 200  # uncompressed size / file size
_CHUNK = 64 * 1024


class FileRefusedError(ValueError):
    """A file that is not accepted as evidence; `reason` says why, in the active language."""

    def __init__(self, reason: str | Promise) -> None:
        super().__init__(str(reason))
        self.reason = reason


NOT_ACCEPTED = _(
    "This file is not an accepted document. Upload a PDF, Word (DOCX), Excel (XLSX), "
    "OpenDocument (ODT, ODS), JPEG or PNG file."
)

ZIP_BOMB = _("The document expands to far more than its size (a zip bomb).")


@dataclass(frozen=True)
class CheckedFile:
    """An uploaded document that passed: its kind, size and SHA-256."""

    kind: FileKind
    size: int
    sha256: str

    @property
    def stored_name(self) -> str:
        """The name it is stored under: its hash, so the same file is one file."""
        return f"{self.sha256}.{self.kind.extension}"


def checked_upload(file: Chunked, limit: int) -> CheckedFile:
    """Read an upload through once: size limit, not empty, SHA-256, kind from the bytes.

    FileRefusedError says what is wrong; the stream is left at its start for storing.
    """
    digest = hashlib.sha256()
    size = 0
    file.seek(0)
    for chunk in file.chunks():
        size += len(chunk)
        if size > limit:
            raise FileRefusedError(
                fmt(
                    _("The file is larger than the limit of %(limit)s MB."),
                    limit=round(limit / 1024 / 1024, 1),
                )
            )
        digest.update(chunk)
    if size == 0:
        raise FileRefusedError(_("The file is empty."))
    kind = sniff(file, size)
    file.seek(0)
    return CheckedFile(kind, size, digest.hexdigest())


def sniff(stream: Stream, size: int) -> FileKind:
    """The kind of document `stream` holds (its `size` bytes), or FileRefusedError."""
    stream.seek(0)
    head = stream.read(16)
    stream.seek(0)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"PK\x03\x04"):
        try:
            return _container(stream, size)
        except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError):
            raise FileRefusedError(_("The file is damaged: its archive cannot be read.")) from None
        finally:
            stream.seek(0)
    raise FileRefusedError(NOT_ACCEPTED)


def _container(stream: Stream, size: int) -> FileKind:
    with zipfile.ZipFile(stream) as archive:
        members = archive.infolist()
        if len(members) > ZIP_MAX_MEMBERS:
            raise FileRefusedError(_("The document holds too many parts to be a real document."))
        budget = min(ZIP_MAX_UNCOMPRESSED, ZIP_MAX_RATIO * max(size, 1))
        if sum(member.file_size for member in members) > budget:
            raise FileRefusedError(ZIP_BOMB)
        kind = _office_kind(archive, {member.filename for member in members})
        _read_through(archive, members, budget)
        return kind


def _office_kind(archive: zipfile.ZipFile, names: set[str]) -> FileKind:
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise FileRefusedError(_("Documents with macros are not accepted."))
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names:
            return DOCX
        if "xl/workbook.xml" in names:
            return XLSX
    if "mimetype" in names:
        with archive.open("mimetype") as member:
            mimetype = member.read(100).decode("ascii", "replace").strip()
        if mimetype in OPENDOCUMENT:
            return OPENDOCUMENT[mimetype]
    raise FileRefusedError(NOT_ACCEPTED)


def _read_through(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], budget: int) -> None:
    """Decompress every member (checking its CRC) without ever holding more than a chunk."""
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise FileRefusedError(_("Encrypted documents are not accepted."))
        with archive.open(member) as content:
            while chunk := content.read(_CHUNK):
                total += len(chunk)
                if total > budget:
                    raise FileRefusedError(ZIP_BOMB)


def safe_name(original: str, kind: FileKind) -> str:
    """The uploaded name without folders or control characters, ending in the kind's extension.

    A file named `report.pdf` that is really a PNG is kept as `report.pdf.png`, so that the
    computer of whoever downloads it opens it with the right program.
    """
    name = original.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    stem, extension = os.path.splitext(name)
    if not stem:
        name, extension = "", ""
    if extension.lstrip(".").lower() not in kind.extensions:
        name = f"{name or 'document'}.{kind.extension}"
    if len(name) > 200:
        stem, extension = os.path.splitext(name)
        name = stem[: 200 - len(extension)] + extension
    return name
