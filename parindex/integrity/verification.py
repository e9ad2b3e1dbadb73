"""Walking the score history's chains and the published snapshots to find what was altered.

Streams: rows come in chunks in (chain, seq) order and only the previous row of the current
chain is kept, so millions of rows never sit in memory.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

from parindex.integrity import triggers
from parindex.integrity.chain import GENESIS, link_hash, payload, sha256_hex
from parindex.integrity.models import HistoryRecord
from parindex.results.models import Publication

CHUNK = 5000
_FIELDS = (
    "id",
    "chain",
    "seq",
    "table_name",
    "row_id",
    "operation",
    "at",
    "actor",
    "old",
    "new",
    "prev_hash",
    "hash",
)


@dataclass(frozen=True)
class BrokenLink:
    """The first row of a chain that does not hold: where, when, and what is wrong."""

    chain: int
    record_id: int
    seq: int
    at: str
    problem: str

    def __str__(self) -> str:
        return _("chain %(chain)s, history row %(id)s (seq %(seq)s, %(at)s): %(problem)s") % {
            "chain": self.chain,
            "id": self.record_id,
            "seq": self.seq,
            "at": self.at,
            "problem": self.problem,
        }


@dataclass(frozen=True)
class TamperedPublication:
    publication_id: int
    cycle_id: int
    revision: int
    published_at: str

    def __str__(self) -> str:
        return _(
            "publication %(id)s (cycle %(cycle)s, revision %(revision)s, %(at)s): the snapshot "
            "no longer has the hash it was published with"
        ) % {
            "id": self.publication_id,
            "cycle": self.cycle_id,
            "revision": self.revision,
            "at": self.published_at,
        }


@dataclass(frozen=True)
class HistoryReport:
    rows: int
    chains: int
    broken: BrokenLink | None


def history_verify(*, using: str = DEFAULT_DB_ALIAS) -> HistoryReport:
    """Recompute every link; stop at the first that does not hold."""
    rows = chains = 0
    chain: int | None = None
    expected_seq, prev_hash = 1, GENESIS
    for link in _links(using):
        if link.chain != chain:
            chain, expected_seq, prev_hash = link.chain, 1, GENESIS
            chains += 1
        problem = _link_problem(link, expected_seq, prev_hash)
        if problem:
            return HistoryReport(rows, chains, _broken(link, problem))
        rows += 1
        expected_seq, prev_hash = link.seq + 1, link.hash
    return HistoryReport(rows, chains, None)


def publications_verify(*, using: str = DEFAULT_DB_ALIAS) -> tuple[int, list[TamperedPublication]]:
    """Every published snapshot against its stored sha256; returns (count, the altered ones)."""
    count, tampered = 0, []
    query = Publication.objects.using(using).order_by("id")
    fields = ("id", "cycle_id", "revision", "published_at", "snapshot", "sha256")
    for row in query.values_list(*fields).iterator(chunk_size=100):
        count += 1
        pk, cycle_id, revision, published_at, snapshot, stored = row
        if sha256_hex(snapshot) != stored:
            tampered.append(TamperedPublication(pk, cycle_id, revision, published_at.isoformat()))
    return count, tampered


@dataclass(frozen=True)
class UnrecordedRow:
    """A live score row whose content is not what its last history row says."""

    table_name: str
    row_id: int

    def __str__(self) -> str:
        return _(
            "%(table)s row %(id)s differs from its last history row: it was written while the "
            "history triggers were off, or the end of its history was removed"
        ) % {"table": self.table_name, "id": self.row_id}


def first_unrecorded_row(*, using: str = DEFAULT_DB_ALIAS) -> UnrecordedRow | None:
    """The first live entry or evidence link that its history does not end with (streamed)."""
    connection = connections[using]
    for table in (triggers.LEAF_ENTRY, triggers.EVIDENCE_LINK):
        sql = (
            f"SELECT e.id, {triggers.row_json_sql(connection, table, 'e')}, "
            f"(SELECT h.new FROM {triggers.HISTORY} h WHERE h.table_name = %s "
            f"AND h.row_id = e.id ORDER BY h.id DESC LIMIT 1) FROM {table} e ORDER BY e.id"
        )
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, [table])
            while rows := cursor.fetchmany(CHUNK):
                for row_id, live, recorded in rows:
                    if not _recorded(live, recorded):
                        return UnrecordedRow(table, row_id)
    return None


def _recorded(live: str, recorded: str | None) -> bool:
    """Every column the history recorded still has that value (columns added later aside)."""
    if recorded is None:
        return False
    now = json.loads(live)
    return all(now.get(column) == value for column, value in json.loads(recorded).items())


def missing_triggers(*, using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Triggers that should guard the history and are absent or disabled."""
    connection = connections[using]
    present = triggers.installed_names(connection)
    return [name for name in triggers.expected_names(connection.vendor) if name not in present]


@dataclass(frozen=True)
class _StoredLink:
    id: int
    chain: int
    seq: int
    table_name: str
    row_id: int
    operation: str
    at: str
    actor: str
    old: str | None
    new: str | None
    prev_hash: str
    hash: str


def _links(using: str) -> Iterator[_StoredLink]:
    query = HistoryRecord.objects.using(using).order_by("chain", "seq").values_list(*_FIELDS)
    for row in query.iterator(chunk_size=CHUNK):
        yield _StoredLink(*row)


def _link_problem(link: _StoredLink, expected_seq: int, prev_hash: str) -> str:
    if link.seq != expected_seq:
        return _("gap: row %(expected)s of the chain is missing (found row %(found)s)") % {
            "expected": expected_seq,
            "found": link.seq,
        }
    if link.prev_hash != prev_hash:
        return _("prev_hash mismatch: the link to the previous row is broken")
    text = payload(
        chain=link.chain,
        seq=link.seq,
        table_name=link.table_name,
        row_id=link.row_id,
        operation=link.operation,
        at=link.at,
        actor=link.actor,
        old=link.old,
        new=link.new,
    )
    if link_hash(prev_hash, text) != link.hash:
        return _("hash mismatch: the row was changed after it was written")
    return ""


def _broken(link: _StoredLink, problem: str) -> BrokenLink:
    return BrokenLink(link.chain, link.id, link.seq, link.at, problem)
