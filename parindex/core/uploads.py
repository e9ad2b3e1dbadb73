"""Uploaded files handed to the file layer, whose readers take a path."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile


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
