"""The score history: written by the database for every kind of write, chained, append-only."""

from __future__ import annotations

import json

import pytest
from assessment_builders import build
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.utils import translation
from integrity_helpers import payload_of

from parindex.assessments.models import LeafEntry
from parindex.assessments.services import entry_save
from parindex.integrity.actor import history_actor
from parindex.integrity.chain import GENESIS, link_hash
from parindex.integrity.models import HistoryRecord
from parindex.integrity.selectors import history_for_entry

pytestmark = pytest.mark.django_db

LEAF = "assessments_leafentry"


def save(world, value="dung_han", version=0, code="1.1.1"):  # type: ignore[no-untyped-def]
    focal = world.focal["SO_NV"]
    with history_actor(focal.pk):
        return entry_save(
            assessment=world.sheet(),
            code=code,
            value=value,
            note="",
            expected_version=version,
            by=focal,
        )


def leaf_rows(entry: LeafEntry) -> list[HistoryRecord]:
    return list(history_for_entry(entry))


def recomputed(record: HistoryRecord) -> str:
    return link_hash(record.prev_hash, payload_of(record))


def test_a_save_through_the_service_is_a_chained_history_row_with_the_user():
    world = build()
    sheet = world.sheet()
    before = HistoryRecord.objects.filter(chain=sheet.pk).count()  # the sheet's creation
    entry = save(world)

    [row] = leaf_rows(entry)
    assert before == 1
    assert (row.chain, row.seq, row.operation) == (sheet.pk, 2, "INSERT")
    assert row.actor == str(world.focal["SO_NV"].pk)
    assert row.old is None
    assert json.loads(row.new)["value"] == "dung_han"
    assert json.loads(row.new)["version"] == 1
    genesis = HistoryRecord.objects.get(chain=sheet.pk, seq=1)
    assert (genesis.table_name, genesis.prev_hash) == ("assessments_assessment", GENESIS)
    assert row.prev_hash == genesis.hash
    assert row.hash == recomputed(row)
    assert len(row.hash) == 64


def test_a_second_save_records_the_old_and_new_values():
    world = build()
    entry = save(world)
    save(world, value="cham", version=1)

    rows = leaf_rows(entry)
    assert [r.operation for r in rows] == ["INSERT", "UPDATE"]
    assert json.loads(rows[1].old)["value"] == "dung_han"
    assert json.loads(rows[1].new)["value"] == "cham"
    assert rows[1].prev_hash == rows[0].hash


def test_a_bulk_queryset_update_is_recorded():
    world = build()
    entry = save(world)
    save(world, code="1.2", value="85%")
    changed = LeafEntry.objects.filter(assessment=world.sheet()).update(value="khong")

    assert changed == 2
    updates = HistoryRecord.objects.filter(table_name=LEAF, operation="UPDATE")
    assert updates.count() == 2
    last = leaf_rows(entry)[-1]
    assert json.loads(last.new)["value"] == "khong"
    assert json.loads(last.old)["value"] == "dung_han"


def test_bulk_create_and_delete_are_recorded():
    world = build()
    sheet = world.sheet()
    LeafEntry.objects.bulk_create(
        [LeafEntry(assessment=sheet, code="1.1.2", value="có", version=1)]
    )
    LeafEntry.objects.filter(assessment=sheet, code="1.1.2").delete()

    ops = list(HistoryRecord.objects.filter(table_name=LEAF).values_list("operation", flat=True))
    assert ops == ["INSERT", "DELETE"]
    deleted = HistoryRecord.objects.get(table_name=LEAF, operation="DELETE")
    assert deleted.new is None
    assert json.loads(deleted.old)["value"] == "có"


def test_a_raw_sql_update_outside_the_app_is_recorded_with_no_user():
    world = build()
    entry = save(world)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE assessments_leafentry SET value = %s WHERE id = %s", ["khong", entry.pk]
        )

    last = leaf_rows(entry)[-1]
    assert last.operation == "UPDATE"
    assert json.loads(last.new)["value"] == "khong"
    assert last.actor == ""  # no one in the app said who


def test_a_service_called_with_no_one_said_records_its_by_person_and_only_for_itself():
    """A command, a task or the demo loader calls the services without the web's middleware."""
    world = build()
    head = world.head["SO_NV"]
    entry = entry_save(
        assessment=world.sheet(), code="1.1.1", value="dung_han", note="", expected_version=0,
        by=head,
    )  # fmt: skip
    assert leaf_rows(entry)[-1].actor == str(head.pk)
    LeafEntry.objects.filter(pk=entry.pk).update(note="sửa ngoài ứng dụng")
    assert leaf_rows(entry)[-1].actor == ""  # the next write outside a service: no one
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT COALESCE(current_setting('parindex.user', true), '')")
            assert cursor.fetchone() == ("",)


def test_a_service_inside_a_block_that_said_who_keeps_that_person():
    world = build()
    focal, head = world.focal["SO_NV"], world.head["SO_NV"]
    with history_actor(focal.pk):  # e.g. a job run for the focal point
        entry = entry_save(
            assessment=world.sheet(), code="1.1.1", value="dung_han", note="",
            expected_version=0, by=head,
        )  # fmt: skip
    assert leaf_rows(entry)[-1].actor == str(head.pk)  # the service's own person wins
    entry = save(world, value="cham", version=1)
    assert leaf_rows(entry)[-1].actor == str(focal.pk)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL session setting")
@pytest.mark.parametrize(("pooler", "recorded"), [(True, "focal"), (False, "999")])
def test_behind_a_transaction_pooler_the_service_names_the_actor_in_its_transaction(
    settings, pooler, recorded
):  # type: ignore[no-untyped-def]
    settings.DB_TRANSACTION_POOLER = pooler
    world = build()
    focal = world.focal["SO_NV"]
    with history_actor(focal.pk):
        # the server connection a pooler handed over holds another client's session setting
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('parindex.user', '999', false)")
        entry = entry_save(
            assessment=world.sheet(), code="1.1.1", value="dung_han", note="",
            expected_version=0, by=focal,
        )  # fmt: skip
    expected = str(focal.pk) if recorded == "focal" else "999"
    assert leaf_rows(entry)[-1].actor == expected


def test_a_sheet_status_change_is_recorded_but_a_revision_bump_is_not():
    world = build()
    sheet = world.sheet()
    type(sheet).objects.filter(pk=sheet.pk).update(revision=41)
    type(sheet).objects.filter(pk=sheet.pk).update(status="submitted")

    rows = HistoryRecord.objects.filter(table_name="assessments_assessment", row_id=sheet.pk)
    assert [r.operation for r in rows] == ["INSERT", "UPDATE"]
    changed = rows.last()
    assert changed is not None
    assert json.loads(changed.old)["status"] == "draft"
    assert json.loads(changed.new)["status"] == "submitted"


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE integrity_history SET actor = 'someone'",
        "DELETE FROM integrity_history",
    ],
)
def test_the_database_refuses_to_update_or_delete_history(statement):
    world = build()
    save(world)
    count = HistoryRecord.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert HistoryRecord.objects.count() == count
    assert not HistoryRecord.objects.filter(actor="someone").exists()


def test_the_orm_cannot_delete_history_either():
    world = build()
    save(world)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        HistoryRecord.objects.all().delete()


def test_verify_history_says_ok_with_the_counts(capsys):
    world = build()
    save(world)
    save(world, value="cham", version=1)
    rows = HistoryRecord.objects.count()
    chains = HistoryRecord.objects.values("chain").distinct().count()
    with translation.override("en"):
        call_command("verify_history")
    assert capsys.readouterr().out.strip() == (
        f"OK: {rows} rows in {chains} chains; 0 publications"
    )
    assert (rows, chains) == (4, 2)  # two sheets created, one leaf inserted then changed
