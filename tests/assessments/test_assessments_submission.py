"""The head submits the sheet (SPEC §3.2): refused, with a clear list, while anything is missing."""

from __future__ import annotations

import datetime as dt

import pytest
from assessment_builders import FULL, build, pdf_bytes
from django.core.files.base import ContentFile
from django.utils import timezone, translation

from parindex.assessments.errors import (
    AssessmentError,
    Missing,
    NotAllowedError,
    SheetIncompleteError,
)
from parindex.assessments.models import AssessmentStatus, Change, Phase
from parindex.assessments.services import assessment_submit, entry_save, evidence_upload

pytestmark = pytest.mark.django_db


def fill(world, values=FULL, unit="SO_NV"):  # type: ignore[no-untyped-def]
    for code, value in values.items():
        entry_save(
            assessment=world.sheet(unit),
            code=code,
            value=value,
            note="",
            expected_version=0,
            by=world.focal[unit],
        )


def attach(world, code="1.1.1", unit="SO_NV"):  # type: ignore[no-untyped-def]
    return evidence_upload(
        assessment=world.sheet(unit),
        file=ContentFile(pdf_bytes(), name="qd.pdf"),
        codes=[code],
        by=world.focal[unit],
    )


def test_a_complete_sheet_is_submitted_by_the_head_with_a_status_change():
    world = build()
    fill(world)
    attach(world)
    sheet = assessment_submit(assessment=world.sheet(), by=world.head["SO_NV"])
    assert sheet.status == AssessmentStatus.SUBMITTED
    assert sheet.submitted_by == world.head["SO_NV"]
    assert sheet.submitted_at is not None
    change = Change.objects.get(kind="status")
    assert (change.code, change.old, change.new, change.by) == (
        "",
        "draft",
        "submitted",
        world.head["SO_NV"],
    )
    with pytest.raises(AssessmentError) as error, translation.override("en"):
        assessment_submit(assessment=world.sheet(), by=world.head["SO_NV"])
    with translation.override("en"):
        assert str(error.value) == "The sheet has been submitted; it can no longer be changed."


def test_an_empty_sheet_lists_every_leaf_without_a_value_and_without_evidence():
    world = build()
    with pytest.raises(SheetIncompleteError) as error:
        assessment_submit(assessment=world.sheet(), by=world.head["SO_NV"])
    assert [(m.code, m.what) for m in error.value.missing] == [
        ("1.1.1", "value"),
        ("1.1.2", "value"),
        ("1.2", "value"),
        ("2.1", "value"),
        ("2.2", "value"),
        ("B", "value"),  # bonus and penalty leaves need a value too (0 when nothing applies)
    ]
    with translation.override("en"):
        assert str(error.value) == ("The sheet cannot be submitted yet: 6 criteria are incomplete.")
    assert world.sheet().status == AssessmentStatus.DRAFT


def test_a_filled_sheet_still_needs_the_evidence_the_set_asks_for():
    world = build()
    fill(world)
    with pytest.raises(SheetIncompleteError) as error:
        assessment_submit(assessment=world.sheet(), by=world.head["SO_NV"])
    assert error.value.missing == [Missing("1.1.1", "Ban hành kế hoạch CCHC năm", "evidence")]


def test_a_leaf_marked_not_applicable_needs_no_evidence():
    world = build()
    fill(world, {**FULL, "1.1.1": "NA"})
    sheet = assessment_submit(assessment=world.sheet(), by=world.head["SO_NV"])
    assert sheet.status == AssessmentStatus.SUBMITTED


def test_only_the_head_of_the_unit_submits():
    world = build()
    fill(world)
    attach(world)
    for who in (world.focal["SO_NV"], world.head["SO_TP"], world.secretariat, world.chair):
        with pytest.raises(NotAllowedError) as error:
            assessment_submit(assessment=world.sheet(), by=who)
        with translation.override("en"):
            assert str(error.value) == "Only the head of the unit submits its sheet."


def test_no_submission_after_the_deadline_or_outside_the_phase():
    world = build()
    fill(world)
    attach(world)
    world.cycle.self_assessment_closes = timezone.now() - dt.timedelta(seconds=1)
    world.cycle.save()
    with pytest.raises(AssessmentError) as error:
        assessment_submit(assessment=world.sheet(), by=world.head["SO_NV"])
    with translation.override("en"):
        assert str(error.value).startswith("The self-assessment closed on ")
    world.cycle.phase = Phase.APPRAISAL
    world.cycle.save()
    with pytest.raises(AssessmentError) as error:
        assessment_submit(assessment=world.sheet(), by=world.head["SO_NV"])
    with translation.override("en"):
        assert str(error.value) == "The self-assessment phase of this cycle is not open."
    assert world.sheet().status == AssessmentStatus.DRAFT
