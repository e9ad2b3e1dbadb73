"""The hash chain's arithmetic, shared by the check and mirrored by the database triggers.

The triggers (`integrity.triggers`) compute exactly this in SQL; a change here is a change
there, and to every row already written.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

GENESIS = ""  # prev_hash of a chain's first row
SEPARATOR = "\n"  # never inside a field: the JSON of a row escapes its newlines


def payload(
    *,
    chain: int,
    seq: int,
    table_name: str,
    row_id: int,
    operation: str,
    at: str,
    actor: str,
    old: str | None,
    new: str | None,
) -> str:
    fields: Sequence[object] = (
        chain,
        seq,
        table_name,
        row_id,
        operation,
        at,
        actor,
        old or "",
        new or "",
    )
    return SEPARATOR.join(str(field) for field in fields)


def link_hash(prev_hash: str, payload_text: str) -> str:
    """sha256(prev_hash || "\\n" || payload), hex."""
    return sha256_hex(prev_hash + SEPARATOR + payload_text)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
