"""The security event log: refusals and authorisation failures, one JSON object per line on the
`parindex.security` logger, with who asked, from where, for what.

Only what the application itself says goes in: never a password, a token, a form's values or
a file's content.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest

logger = logging.getLogger("parindex.security")


def security_event(event: str, request: HttpRequest | None = None, **details: object) -> None:
    record: dict[str, object] = {"event": event}
    if request is not None:
        user = getattr(request, "user", None)
        record["user"] = user.get_username() if user and user.is_authenticated else ""
        record["ip"] = client_address(request)
        record["method"] = request.method or ""
        record["path"] = request.path
    record.update(details)
    logger.warning(json.dumps(record, ensure_ascii=False, default=str))


def client_address(request: HttpRequest) -> str:
    """The client's address: from the header the proxy sets when one is configured (nginx
    puts its peer there; a client cannot forge it through the proxy), else the socket's."""
    header = settings.CLIENT_ADDRESS_HEADER
    if header:
        forwarded = str(request.META.get(header, "")).split(",")[0].strip()
        if forwarded:
            return forwarded
    return str(request.META.get("REMOTE_ADDR", ""))
