"""The database triggers that write the score history and keep it append-only.

PostgreSQL: one plpgsql function for the three watched tables, `to_jsonb()` of the row (new
columns are covered without a change here), an advisory lock per chain so that concurrent
transactions never fork it. SQLite: one trigger per table and operation, the row as
`json_object()` over the columns the table has now, `sha256()` and `parindex_user()` provided
by Python on every connection (SQLite serialises writers, so no lock is needed).

`install` is idempotent; it runs from the migration and again after every `migrate`, because a
schema change on SQLite remakes the table and drops its triggers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

from parindex.integrity.actor import current_actor
from parindex.integrity.chain import sha256_hex

HISTORY = "integrity_history"
LEAF_ENTRY = "assessments_leafentry"
ASSESSMENT = "assessments_assessment"
EVIDENCE_LINK = "assessments_evidencelink"
WATCHED = (LEAF_ENTRY, ASSESSMENT, EVIDENCE_LINK)
STATUS_COLUMNS = ("status", "submitted_at", "submitted_by_id")  # of a sheet, all else is noise
OPERATIONS = ("INSERT", "UPDATE", "DELETE")
ADVISORY_LOCK_SPACE = 7014  # first key of pg_advisory_xact_lock(int, int): our chains
APPEND_ONLY_MESSAGE = "integrity_history is append-only"


def install(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _install_statements(connection):
            cursor.execute(statement)


def remove(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        for statement in _remove_statements(connection.vendor):
            cursor.execute(statement)


def expected_names(vendor: str) -> list[str]:
    """The triggers `verify_history` expects to find."""
    if vendor == "postgresql":
        return [f"integrity_{table}" for table in WATCHED] + [
            f"integrity_{ASSESSMENT}_status",
            "integrity_history_append_only",
            "integrity_history_no_truncate",
        ]
    names = [f"integrity_{table}_{op.lower()}" for table in WATCHED for op in OPERATIONS]
    return [*names, "integrity_history_no_update", "integrity_history_no_delete"]


def installed_names(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D'"
            )
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        return {row[0] for row in cursor.fetchall()}


def reinstall_after_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    from django.db import connections

    if sender.name != "parindex.integrity":
        return  # sent once per app after all migrations ran: answer once
    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if HISTORY in tables and set(WATCHED) <= tables:
        install(connection)


def sqlite_functions_register(connection: BaseDatabaseWrapper) -> None:
    raw = connection.connection
    raw.create_function("sha256", 1, _sqlite_sha256, deterministic=True)
    raw.create_function("parindex_user", 0, _sqlite_actor)


def _sqlite_sha256(text: str | None) -> str | None:
    return None if text is None else sha256_hex(text)


def _sqlite_actor() -> str:
    return current_actor()


# ---------------------------------------------------------------- PostgreSQL

_PG_RECORD = f"""
CREATE OR REPLACE FUNCTION integrity_record() RETURNS trigger LANGUAGE plpgsql
-- the row's times as JSON in UTC, whatever the writing session's time zone
SET timezone TO 'UTC' AS $$
DECLARE
    v_row jsonb;
    v_old text;
    v_new text;
    v_chain bigint;
    v_seq bigint;
    v_prev text;
    v_at text;
    v_actor text;
    v_payload text;
BEGIN
    IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD)::text; v_row := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW)::text; v_row := to_jsonb(NEW); END IF;
    IF TG_TABLE_NAME = '{LEAF_ENTRY}' THEN
        v_chain := (v_row->>'assessment_id')::bigint;
    ELSIF TG_TABLE_NAME = '{ASSESSMENT}' THEN
        v_chain := (v_row->>'id')::bigint;
    ELSE
        SELECT assessment_id INTO v_chain FROM assessments_evidence
            WHERE id = (v_row->>'evidence_id')::bigint;
        v_chain := COALESCE(v_chain, 0);
    END IF;
    -- One writer per chain at a time; waits for the previous writer to commit, and then (a
    -- new snapshot per statement) sees its row.
    PERFORM pg_advisory_xact_lock({ADVISORY_LOCK_SPACE}, (v_chain % 2147483647)::int);
    SELECT seq, hash INTO v_seq, v_prev FROM {HISTORY}
        WHERE chain = v_chain ORDER BY seq DESC LIMIT 1;
    v_seq := COALESCE(v_seq, 0) + 1;
    v_prev := COALESCE(v_prev, '');
    v_at := to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"');
    v_actor := COALESCE(current_setting('parindex.user', true), '');
    v_payload := concat_ws(E'\\n', v_chain, v_seq, TG_TABLE_NAME, v_row->>'id', TG_OP, v_at,
                           v_actor, COALESCE(v_old, ''), COALESCE(v_new, ''));
    INSERT INTO {HISTORY} (chain, seq, table_name, row_id, operation, old, new, at, actor,
                           prev_hash, hash)
    VALUES (v_chain, v_seq, TG_TABLE_NAME, (v_row->>'id')::bigint, TG_OP, v_old, v_new, v_at,
            v_actor, v_prev,
            encode(sha256(convert_to(v_prev || E'\\n' || v_payload, 'UTF8')), 'hex'));
    RETURN NULL;
END
$$
"""

_PG_REFUSE = f"""
CREATE OR REPLACE FUNCTION integrity_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def _pg_install() -> Iterator[str]:
    yield _PG_RECORD
    yield _PG_REFUSE
    yield from _pg_drop_triggers()
    for table in (LEAF_ENTRY, EVIDENCE_LINK):
        yield (
            f"CREATE TRIGGER integrity_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION integrity_record()"
        )
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in STATUS_COLUMNS)
    # A sheet's INSERT and DELETE always count; an UPDATE only when its status moves.
    yield (
        f"CREATE TRIGGER integrity_{ASSESSMENT} AFTER INSERT OR DELETE ON {ASSESSMENT} "
        "FOR EACH ROW EXECUTE FUNCTION integrity_record()"
    )
    yield (
        f"CREATE TRIGGER integrity_{ASSESSMENT}_status AFTER UPDATE ON {ASSESSMENT} "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION integrity_record()"
    )
    yield (
        f"CREATE TRIGGER integrity_history_append_only BEFORE UPDATE OR DELETE ON {HISTORY} "
        "FOR EACH ROW EXECUTE FUNCTION integrity_refuse()"
    )
    yield (
        f"CREATE TRIGGER integrity_history_no_truncate BEFORE TRUNCATE ON {HISTORY} "
        "FOR EACH STATEMENT EXECUTE FUNCTION integrity_refuse()"
    )


def _pg_drop_triggers() -> Iterator[str]:
    for table in WATCHED:
        yield f"DROP TRIGGER IF EXISTS integrity_{table} ON {table}"
    yield f"DROP TRIGGER IF EXISTS integrity_{ASSESSMENT}_status ON {ASSESSMENT}"
    yield f"DROP TRIGGER IF EXISTS integrity_history_append_only ON {HISTORY}"
    yield f"DROP TRIGGER IF EXISTS integrity_history_no_truncate ON {HISTORY}"


# ---------------------------------------------------------------- SQLite


def _sqlite_install(connection: BaseDatabaseWrapper) -> Iterator[str]:
    sqlite_functions_register(connection)  # this connection may predate the app's signal
    with connection.cursor() as cursor:
        columns = {
            table: [c.name for c in connection.introspection.get_table_description(cursor, table)]
            for table in WATCHED
        }
    for table in WATCHED:
        for operation in OPERATIONS:
            yield _sqlite_record_trigger(table, operation, columns[table])
    for operation in ("UPDATE", "DELETE"):
        yield (
            f"CREATE TRIGGER IF NOT EXISTS integrity_history_no_{operation.lower()} "
            f"BEFORE {operation} ON {HISTORY} "
            f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}: {operation} refused'); END"
        )


def _sqlite_chain(table: str, row: str) -> str:
    if table == LEAF_ENTRY:
        return f"{row}.assessment_id"
    if table == ASSESSMENT:
        return f"{row}.id"
    return (
        f"COALESCE((SELECT assessment_id FROM assessments_evidence "
        f"WHERE id = {row}.evidence_id), 0)"
    )


def row_json_sql(connection: BaseDatabaseWrapper, table: str, alias: str) -> str:
    """SQL for a row of `table` (as `alias`) in the JSON form its triggers record."""
    if connection.vendor == "postgresql":
        return f"to_jsonb({alias})::text"
    with connection.cursor() as cursor:
        description = connection.introspection.get_table_description(cursor, table)
    return _sqlite_json(alias, [c.name for c in description])


def _sqlite_json(row: str, columns: list[str]) -> str:
    pairs = ", ".join(f"'{c}', {row}.\"{c}\"" for c in columns)
    return f"json_object({pairs})"


def _sqlite_record_trigger(table: str, operation: str, columns: list[str]) -> str:
    row = "OLD" if operation == "DELETE" else "NEW"
    old = "NULL" if operation == "INSERT" else _sqlite_json("OLD", columns)
    new = "NULL" if operation == "DELETE" else _sqlite_json("NEW", columns)
    when = ""
    if table == ASSESSMENT and operation == "UPDATE":
        when = "WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in STATUS_COLUMNS)
    last = f"FROM {HISTORY} WHERE chain = c ORDER BY seq DESC LIMIT 1"
    nl = "char(10)"
    return f"""
CREATE TRIGGER IF NOT EXISTS integrity_{table}_{operation.lower()}
AFTER {operation} ON {table} FOR EACH ROW {when}
BEGIN
    INSERT INTO {HISTORY} (chain, seq, table_name, row_id, operation, old, new, at, actor,
                           prev_hash, hash)
    SELECT c, s, t, r, o, od, nw, a, u, p,
           sha256(p || {nl} || c || {nl} || s || {nl} || t || {nl} || r || {nl} || o || {nl}
                  || a || {nl} || u || {nl} || COALESCE(od, '') || {nl} || COALESCE(nw, ''))
    FROM (
        SELECT c, t, r, o, od, nw, a, u,
               COALESCE((SELECT seq {last}), 0) + 1 AS s,
               COALESCE((SELECT hash {last}), '') AS p
        FROM (
            SELECT {_sqlite_chain(table, row)} AS c, '{table}' AS t, {row}.id AS r,
                   '{operation}' AS o, {old} AS od, {new} AS nw,
                   strftime('%Y-%m-%dT%H:%M:%fZ', 'now') AS a, COALESCE(parindex_user(), '') AS u
        )
    );
END"""


def _sqlite_remove() -> Iterator[str]:
    for name in expected_names("sqlite"):
        yield f"DROP TRIGGER IF EXISTS {name}"


def _install_statements(connection: BaseDatabaseWrapper) -> Iterator[str]:
    if connection.vendor == "postgresql":
        return _pg_install()
    return _sqlite_install(connection)


def _remove_statements(vendor: str) -> Iterator[str]:
    if vendor == "postgresql":
        yield from _pg_drop_triggers()
        yield "DROP FUNCTION IF EXISTS integrity_record()"
        yield "DROP FUNCTION IF EXISTS integrity_refuse()"
    else:
        yield from _sqlite_remove()
