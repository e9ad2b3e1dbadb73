"""Saving a leaf's value: validation, the windows it may be saved in, history, concurrency."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from assessment_builders import FULL, build, pdf_bytes, person
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.utils import timezone, translation

from parindex.accounts.models import Role
from parindex.assessments.errors import (
    AssessmentError,
    ConflictError,
    InvalidValueError,
    NotAllowedError,
)
from parindex.assessments.models import Assessment, Change, LeafEntry, Phase
from parindex.assessments.services import assessment_submit, entry_save, evidence_upload

pytestmark = pytest.mark.django_db


def english(error: pytest.ExceptionInfo[AssessmentError]) -> list[str]:
    with translation.override("en"):
        return [str(m) for m in error.value.messages]


def save(  # type: ignore[no-untyped-def]
    world, code="1.1.1", value="dung_han", note="", version=0, by=None, unit="SO_NV"
):
    return entry_save(
        assessment=world.sheet(unit),
        code=code,
        value=value,
        note=note,
        expected_version=version,
        by=by or world.focal[unit],
    )


def test_a_saved_value_is_kept_with_its_history_and_versions():
    world = build()
    entry = save(world, value="cham", note="Ban hành ngày 20/01")
    assert (entry.value, entry.note, entry.version) == ("cham", "Ban hành ngày 20/01", 1)

    entry = entry_save(
        assessment=world.sheet(),
        code="1.1.1",
        value="dung_han",
        note="Ban hành ngày 20/01",
        expected_version=1,
        by=world.head["SO_NV"],
        reason="Đối chiếu lại ngày ban hành",
    )
    assert entry.version == 2
    assert world.sheet().revision == 2
    history = list(
        Change.objects.filter(code="1.1.1").values_list(
            "kind", "old", "new", "reason", "by__username"
        )
    )
    assert history == [
        ("value", "", "cham", "", "dau_moi_so_nv"),
        ("note", "", "Ban hành ngày 20/01", "", "dau_moi_so_nv"),
        ("value", "cham", "dung_han", "Đối chiếu lại ngày ban hành", "thu_truong_so_nv"),
    ]
    assert all(change.at is not None for change in Change.objects.all())


def test_saving_the_same_value_again_changes_nothing():
    world = build()
    save(world)
    entry = save(world, version=1)
    assert entry.version == 1
    assert Change.objects.count() == 1
    assert world.sheet().revision == 1
    blank = save(world, code="1.1.2", value="  ", note="")
    assert blank.pk is None  # a leaf never saved stays unsaved
    assert not LeafEntry.objects.filter(code="1.1.2").exists()


def test_values_are_stored_in_a_canonical_form_where_the_rule_has_one():
    world = build()
    assert save(world, value="Chậm").value == "cham"  # an option by its label → its code
    assert save(world, code="1.2", value=" không phát sinh ").value == "NA"
    assert save(world, code="1.1.2", value="yes").value == "có"
    assert save(world, code="1.1.2", value="0", version=1).value == "không"
    assert save(world, code="2.1", value="45/50").value == "45/50"
    assert save(world, code="B", value="1,5").value == "1,5"  # as typed: the engine reads it


@pytest.mark.parametrize(
    ("code", "value", "english_reason", "vietnamese_reason"),
    [
        (
            "1.1.1",
            "som",
            "'som' is not an option (one of: dung_han, cham, khong)",
            "'som' không phải là phương án hợp lệ (chọn một trong: dung_han, cham, khong)",
        ),
        ("1.1.2", "maybe", "'maybe' is not yes/no", "'maybe' không phải là có/không"),
        ("1.2", "nhiều", "not a number: 'nhiều'", "không phải là số: 'nhiều'"),
        (
            "2.2",
            "1.5",
            "the count must be a whole number ≥ 0: '1.5'",
            "số lần vi phạm phải là số nguyên không âm: '1.5'",
        ),
        (
            "B",
            "0.3",
            "points 0.3 are not a multiple of the step 0.5",
            "điểm 0,3 không phải là bội số của bước 0,5",
        ),
        ("B", "3", "points 3 outside [0, 2]", "điểm 3 nằm ngoài khoảng [0; 2]"),
    ],
)
def test_a_value_that_does_not_fit_its_rule_is_refused_in_both_languages(
    code, value, english_reason, vietnamese_reason
):
    world = build()
    with pytest.raises(InvalidValueError) as error:
        save(world, code=code, value=value)
    assert error.value.code == code
    with translation.override("en"):
        assert str(error.value).startswith(english_reason)
    with translation.override("vi"):
        assert str(error.value).startswith(vietnamese_reason)
    assert not LeafEntry.objects.exists()
    assert not Change.objects.exists()


@pytest.mark.parametrize("code", ["2.3", "2.4", "1", "1.1", "9.9"])
def test_survey_data_group_and_unknown_codes_take_no_value(code):
    world = build()
    with pytest.raises(InvalidValueError) as error:
        save(world, code=code, value="1")
    assert english(error) == [f"{code} is not a criterion the unit scores itself."]


def test_only_the_units_own_people_save_its_values():
    world = build()
    appraiser = person("tham_dinh", world.authority, Role.APPRAISER)
    for who in (world.focal["SO_TP"], world.head["SO_TP"], world.secretariat, appraiser):
        with pytest.raises(NotAllowedError) as error:
            save(world, by=who)
        assert english(error) == ["Only the unit's focal point and head fill in its sheet."]


def test_no_value_is_saved_outside_the_self_assessment_phase():
    world = build(phase=Phase.APPRAISAL)
    with pytest.raises(AssessmentError) as error:
        save(world)
    assert english(error) == ["The self-assessment phase of this cycle is not open."]


def test_no_value_is_saved_after_the_deadline_or_before_the_opening():
    world = build()
    world.cycle.self_assessment_closes = timezone.now() - dt.timedelta(minutes=1)
    world.cycle.save()
    with pytest.raises(AssessmentError) as error:
        save(world)
    deadline = timezone.localtime(world.cycle.self_assessment_closes).strftime("%d/%m/%Y %H:%M")
    assert english(error) == [f"The self-assessment closed on {deadline}."]

    world.cycle.self_assessment_opens = timezone.now() + dt.timedelta(hours=2)
    world.cycle.self_assessment_closes = timezone.now() + dt.timedelta(days=2)
    world.cycle.save()
    with pytest.raises(AssessmentError) as error:
        save(world)
    opens = timezone.localtime(world.cycle.self_assessment_opens).strftime("%d/%m/%Y %H:%M")
    assert english(error) == [f"The self-assessment opens on {opens}."]


def test_deadlines_are_told_in_vietnam_time():
    world = build()
    # 23:30 UTC on 31 March is 06:30 on 1 April in Hà Nội
    world.cycle.self_assessment_closes = dt.datetime(2024, 3, 31, 23, 30, tzinfo=dt.UTC)
    world.cycle.save()
    with pytest.raises(AssessmentError) as error:
        save(world)
    assert english(error) == ["The self-assessment closed on 01/04/2024 06:30."]
    with translation.override("vi"), pytest.raises(AssessmentError) as error:
        save(world)
    assert str(error.value) == "Giai đoạn tự đánh giá đã kết thúc lúc 01/04/2024 06:30."


def test_no_value_is_saved_after_submission():
    world = build()
    for code, value in FULL.items():
        save(world, code=code, value=value)
    evidence_upload(
        assessment=world.sheet(),
        file=ContentFile(pdf_bytes(), name="qd.pdf"),
        codes=["1.1.1"],
        by=world.focal["SO_NV"],
    )
    assessment_submit(assessment=world.sheet(), by=world.head["SO_NV"])
    with pytest.raises(AssessmentError) as error:
        save(world, value="cham", version=1)
    assert english(error) == ["The sheet has been submitted; it can no longer be changed."]


def test_a_stale_save_is_refused_with_what_the_other_person_left_and_nothing_is_lost():
    world = build()
    first = save(world, value="cham", note="Theo công văn 12", by=world.focal["SO_NV"])
    assert first.version == 1
    with pytest.raises(ConflictError) as error:
        save(world, value="khong", note="Chưa ban hành", version=0, by=world.head["SO_NV"])
    current = error.value.current
    assert (current.value, current.note, current.version) == ("cham", "Theo công văn 12", 1)
    assert current.by == "Dau_Moi_So_Nv"
    assert current.at is not None
    assert english(error) == [
        "Someone else saved this criterion in the meantime; your change was not saved."
    ]
    entry = LeafEntry.objects.get(code="1.1.1")
    assert (entry.value, entry.note, entry.version) == ("cham", "Theo công văn 12", 1)
    assert Change.objects.filter(code="1.1.1", kind="value").count() == 1
    # the head saw the difference and saves again on top of the current version
    again = save(world, value="khong", note="Chưa ban hành", version=1, by=world.head["SO_NV"])
    assert again.version == 2
    olds = list(Change.objects.filter(kind="value").values_list("old", "new"))
    assert olds == [("", "cham"), ("cham", "khong")]


def test_a_save_sent_again_after_it_was_committed_is_acknowledged_once():
    """A retry after a lost answer (a database restart at COMMIT): the save is there already."""
    world = build()
    first = save(world, value="cham", note="Theo công văn 12")
    again = save(world, value="cham", note="Theo công văn 12", version=0)
    assert (again.pk, again.version) == (first.pk, 1)
    assert Change.objects.filter(code="1.1.1").count() == 2  # the value and the note, once
    assert world.sheet().revision == 1


def test_a_resent_save_is_a_conflict_when_the_leaf_moved_on_or_someone_else_saved_it():
    world = build()
    save(world, value="cham", note="Theo công văn 12", by=world.head["SO_NV"])
    # the same content from another person: theirs is there, not this person's save
    with pytest.raises(ConflictError):
        save(world, value="cham", note="Theo công văn 12", version=0)
    save(world, value="khong", version=1, by=world.head["SO_NV"])
    save(world, value="cham", note="Theo công văn 12", version=2, by=world.head["SO_NV"])
    # content equal again, but two versions on: not a resending of the version-1 save
    with pytest.raises(ConflictError):
        save(world, value="cham", note="Theo công văn 12", version=1, by=world.head["SO_NV"])
    # a different note is a different save
    with pytest.raises(ConflictError):
        save(world, value="cham", note="khác", version=2, by=world.head["SO_NV"])


def test_a_save_expecting_a_version_of_a_leaf_never_saved_conflicts():
    world = build()
    with pytest.raises(ConflictError) as error:
        save(world, version=3)
    assert error.value.current.version == 0
    assert error.value.current.by == ""


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_two_people_saving_the_same_leaf_at_once_on_postgresql_one_conflicts():
    world = build()
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def attempt(name: str, value: str) -> None:
        try:
            barrier.wait()
            outcomes[name] = save(world, value=value, version=0, by=world.focal["SO_NV"])
        except Exception as error:  # the outcome is what the test reads
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=attempt, args=("a", "cham")),
        threading.Thread(target=attempt, args=("b", "khong")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    kinds = sorted(type(o).__name__ for o in outcomes.values())
    assert kinds == ["ConflictError", "LeafEntry"]
    saved = next(o for o in outcomes.values() if isinstance(o, LeafEntry))
    refused = next(o for o in outcomes.values() if isinstance(o, ConflictError))
    assert refused.current.value == saved.value
    entry = LeafEntry.objects.get(code="1.1.1")
    assert (entry.value, entry.version) == (saved.value, 1)
    assert Change.objects.filter(kind="value").count() == 1
    assert Assessment.objects.get(pk=world.sheet().pk).revision == 1
