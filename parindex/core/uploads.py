"""Uploaded files handed to the file layer, whose readers take a path."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, TypeVar

from django.core.files.uploadedfile import UploadedFile

from parindex.core.language import message_lang
from parindex.formats.problems import InputError

R = TypeVar("R")


@contextmanager
def saved_upload(upload: UploadedFile, suffix: str) -> Iterator[Path]:
    """The upload written to a temporary file whose suffix tells the reader its format;
    removed when the block ends."""
    with tempfile.TemporaryDirectory(prefix="parindex-upload-") as folder:
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        yield path


@dataclass(frozen=True)
class FileImport(Generic[R]):
    """What an import of an uploaded file came to: the name shown to the user, and the
    importer's report, or the file's problems by line (line, text in the request's language)."""

    name: str
    report: R | None = None
    problems: list[tuple[int | None, str]] = field(default_factory=list)


def uploaded_file_import(
    upload: UploadedFile, default_name: str, run: Callable[[Path, str], R]
) -> FileImport[R]:
    """Run an importer (`run(path, display_name)`) on an upload; an InputError becomes the
    problems to list. Other refusals of the importer are the caller's to catch."""
    name = Path(upload.name or default_name).name
    try:
        with saved_upload(upload, Path(name).suffix.lower()) as path:
            return FileImport(name, report=run(path, name))
    except InputError as exc:
        lang = message_lang()
        return FileImport(name, problems=[(p.line, p.message.render(lang)) for p in exc.problems])
