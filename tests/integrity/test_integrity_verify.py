"""`verify_history` finds exactly the altered row, a missing row, a tampered snapshot."""

from __future__ import annotations

import hashlib
import json

import pytest
from assessment_builders import build
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from integrity_helpers import payload_of

from parindex.assessments.models import LeafEntry
from parindex.assessments.services import entry_save
from parindex.integrity import triggers
from parindex.integrity.actor import history_actor
from parindex.integrity.chain import link_hash
from parindex.integrity.models import HistoryRecord
from parindex.results.models import Publication

pytestmark = pytest.mark.django_db


def saves(world, count: int = 3) -> LeafEntry:  # type: ignore[no-untyped-def]
    focal = world.focal["SO_NV"]
    values = ["dung_han", "cham", "khong", "dung_han", "cham"]
    entry = None
    with history_actor(focal.pk):
        for version in range(count):
            entry = entry_save(
                assessment=world.sheet(),
                code="1.1.1",
                value=values[version],
                note="",
                expected_version=version,
                by=focal,
            )
    assert entry is not None
    return entry


def as_attacker(sql: str, params: list[object]) -> None:
    """Someone with database access lifts the append-only guard, edits, and puts it back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE integrity_history DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE integrity_history ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER integrity_history_no_update")
            cursor.execute("DROP TRIGGER integrity_history_no_delete")
            cursor.execute(sql, params)
    if connection.vendor == "sqlite":
        triggers.install(connection)


def verify_fails(language: str = "en") -> str:
    with translation.override(language), pytest.raises(CommandError) as failure:
        call_command("verify_history")
    assert failure.value.returncode == 1
    return str(failure.value)


def leaf_rows(entry: LeafEntry) -> list[HistoryRecord]:
    return list(HistoryRecord.objects.filter(table_name="assessments_leafentry", row_id=entry.pk))


def test_an_edited_value_in_a_history_row_is_named_with_its_chain_row_and_time():
    world = build()
    entry = saves(world)
    target = leaf_rows(entry)[1]
    forged = json.loads(target.new)
    forged["value"] = "dung_han"
    as_attacker(
        "UPDATE integrity_history SET new = %s WHERE id = %s", [json.dumps(forged), target.pk]
    )

    message = verify_fails()
    assert message == (
        f"BROKEN: chain {target.chain}, history row {target.pk} (seq {target.seq}, "
        f"{target.at}): hash mismatch: the row was changed after it was written"
    )


def test_a_rehashed_forgery_breaks_the_next_link():
    world = build()
    entry = saves(world)
    _first, second, third = leaf_rows(entry)
    forged = json.loads(second.new)
    forged["value"] = "dung_han"
    second.new = json.dumps(forged)
    new_hash = link_hash(second.prev_hash, payload_of(second))
    as_attacker(
        "UPDATE integrity_history SET new = %s, hash = %s WHERE id = %s",
        [second.new, new_hash, second.pk],
    )

    message = verify_fails()
    assert f"history row {third.pk} (seq {third.seq}" in message
    assert "prev_hash mismatch" in message


def test_a_deleted_middle_row_is_found_as_a_gap():
    world = build()
    entry = saves(world)
    _first, middle, last = leaf_rows(entry)
    as_attacker("DELETE FROM integrity_history WHERE id = %s", [middle.pk])

    message = verify_fails()
    assert message == (
        f"BROKEN: chain {last.chain}, history row {last.pk} (seq {last.seq}, {last.at}): "
        f"gap: row {middle.seq} of the chain is missing (found row {last.seq})"
    )


def test_a_missing_capture_trigger_is_reported():
    build()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER integrity_assessments_leafentry ON assessments_leafentry")
            name = "integrity_assessments_leafentry"
        else:
            cursor.execute("DROP TRIGGER integrity_assessments_leafentry_update")
            name = "integrity_assessments_leafentry_update"
    message = verify_fails()
    assert message == f"MISSING: history triggers absent or disabled: {name}"


def publish(world, snapshot: str) -> Publication:  # type: ignore[no-untyped-def]
    return Publication.objects.create(
        cycle=world.cycle,
        revision=1,
        snapshot=snapshot,
        sha256=hashlib.sha256(snapshot.encode()).hexdigest(),
        engine_version="test",
        input_hash="0" * 64,
    )


def test_a_tampered_publication_snapshot_is_reported(capsys):
    world = build()
    saves(world, count=1)
    publication = publish(world, '{"results":{"units":[{"index":71.5,"unit":"SO_NV"}]}}')
    call_command("verify_history")  # in the site's language, Vietnamese
    assert capsys.readouterr().out.strip() == "OK: 3 bản ghi trong 2 chuỗi; 1 bản công bố"

    Publication.objects.filter(pk=publication.pk).update(
        snapshot='{"results":{"units":[{"index":91.5,"unit":"SO_NV"}]}}'
    )
    message = verify_fails()
    assert message == (
        f"TAMPERED: publication {publication.pk} (cycle {world.cycle.pk}, revision 1, "
        f"{publication.published_at.isoformat()}): the snapshot no longer has the hash it was "
        "published with"
    )


@override_settings(
    MIDDLEWARE=[*settings.MIDDLEWARE, "parindex.integrity.actor.HistoryActorMiddleware"]
)
def test_a_save_from_the_web_records_the_signed_in_user():
    world = build()
    focal = world.focal["SO_NV"]
    client = Client()
    client.force_login(focal)
    url = reverse("assessments:entry_save", args=[world.sheet().pk, "1.1.1"])
    response = client.post(url, {"value": "dung_han", "version": 0}, HTTP_ACCEPT="application/json")

    assert response.status_code == 200
    entry = LeafEntry.objects.get(assessment=world.sheet(), code="1.1.1")
    [row] = leaf_rows(entry)
    assert row.actor == str(focal.pk)
    # and the connection does not keep the user for the next, anonymous, write
    LeafEntry.objects.filter(pk=entry.pk).update(note="x")
    assert leaf_rows(entry)[-1].actor == ""


def test_the_broken_link_is_explained_in_vietnamese_by_default():
    world = build()
    entry = saves(world)
    target = leaf_rows(entry)[0]
    as_attacker("UPDATE integrity_history SET actor = %s WHERE id = %s", ["", target.pk])

    message = verify_fails(language="vi")
    assert message == (
        f"BROKEN: chuỗi {target.chain}, bản ghi lịch sử {target.pk} (thứ tự {target.seq}, "
        f"{target.at}): mã băm không khớp: bản ghi đã bị sửa sau khi ghi"
    )


def test_a_value_written_while_the_capture_trigger_was_off_is_unrecorded():
    world = build()
    entry = saves(world, count=1)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred checks pending
            cursor.execute("ALTER TABLE assessments_leafentry DISABLE TRIGGER USER")
            cursor.execute(
                "UPDATE assessments_leafentry SET value = 'khong' WHERE id = %s", [entry.pk]
            )
            cursor.execute("ALTER TABLE assessments_leafentry ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER integrity_assessments_leafentry_update")
            cursor.execute(
                "UPDATE assessments_leafentry SET value = 'khong' WHERE id = %s", [entry.pk]
            )
            triggers.install(connection)

    assert verify_fails() == (
        f"UNRECORDED: assessments_leafentry row {entry.pk} differs from its last history row: it "
        "was written while the history triggers were off, or the end of its history was removed"
    )


def test_a_cut_tail_of_the_history_is_found_though_the_chain_still_holds():
    world = build()
    entry = saves(world)
    last = leaf_rows(entry)[-1]
    as_attacker("DELETE FROM integrity_history WHERE id = %s", [last.pk])

    assert verify_fails().startswith(f"UNRECORDED: assessments_leafentry row {entry.pk} differs")
