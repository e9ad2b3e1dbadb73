"""Stored uploads handed out as downloads, after the view has checked who may see them.

One function, `stored_file_response`, for every view that serves an uploaded file (evidence,
progress-report documents). How the bytes travel depends on the deployment
(docs/decisions/0016):

- file system storage and ``PARINDEX_X_ACCEL_REDIRECT`` set (behind nginx): an empty answer
  whose ``X-Accel-Redirect`` header tells nginx which file under MEDIA_ROOT to send; nginx
  serves it from an ``internal`` location that no browser can reach directly;
- S3-compatible storage and ``PARINDEX_S3_PRESIGNED`` on: a redirect to a presigned URL that
  expires after ``PARINDEX_S3_PRESIGNED_SECONDS`` and makes the object store answer with the
  same attachment headers;
- otherwise Django streams the file itself.

Every variant is an attachment (never shown inline), never sniffed and never cached.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase

_PROTECTED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cache-Control": "private, no-store",
}


def stored_file_response(file: FieldFile, *, name: str, content_type: str) -> HttpResponseBase:
    """The stored `file` as a download called `name` (the uploaded name, may be Vietnamese)."""
    storage = file.storage
    accel_prefix = settings.PARINDEX_X_ACCEL_REDIRECT
    if accel_prefix and isinstance(storage, FileSystemStorage):
        response: HttpResponseBase = _accel_redirect(file, accel_prefix, content_type)
    elif settings.PARINDEX_S3_PRESIGNED and not isinstance(storage, FileSystemStorage):
        response = _presigned_redirect(file, name, content_type)
    else:
        response = FileResponse(file.open("rb"), as_attachment=True, content_type=content_type)
    if not isinstance(response, HttpResponseRedirect):
        response["Content-Type"] = content_type
        response["Content-Disposition"] = attachment_header(name)
    for header, value in _PROTECTED_HEADERS.items():
        response[header] = value
    return response


def attachment_header(name: str) -> str:
    """``Content-Disposition`` for a download: an ASCII name for old clients, then the real
    one in RFC 5987 form (``Quyết định.pdf`` → ``Quyet dinh.pdf`` and ``Quy%E1%BA%BFt…``)."""
    fallback = ascii_name(name).replace("\\", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def ascii_name(name: str) -> str:
    """`name` without diacritics (đ becomes d), other non-ASCII characters as ``_``."""
    name = name.replace("đ", "d").replace("Đ", "D")
    stripped = "".join(
        ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch)
    )
    return "".join(ch if 32 <= ord(ch) < 127 else "_" for ch in stripped) or "download"


def _accel_redirect(file: FieldFile, prefix: str, content_type: str) -> HttpResponse:
    # The path is taken from the storage, relative to MEDIA_ROOT (what nginx's alias points
    # at); relative_to refuses a file outside it rather than expose another folder.
    media_root = Path(settings.MEDIA_ROOT).resolve()
    relative = Path(file.storage.path(file.name or "")).resolve().relative_to(media_root)
    response = HttpResponse(content_type=content_type)
    response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(relative.as_posix())
    return response


def _presigned_redirect(file: FieldFile, name: str, content_type: str) -> HttpResponseRedirect:
    url = file.storage.url(  # type: ignore[call-arg]  # S3Storage.url takes these
        file.name,
        parameters={
            "ResponseContentDisposition": attachment_header(name),
            "ResponseContentType": content_type,
            "ResponseCacheControl": "private, no-store",
        },
        expire=settings.PARINDEX_S3_PRESIGNED_SECONDS,
    )
    return HttpResponseRedirect(url)
