"""Creating a cycle and moving it through its phases (SPEC §3): who may, in which order."""

from __future__ import annotations

import datetime as dt

import pytest
from assessment_builders import SET, advance, build, person
from django.utils import timezone, translation
from factories import AuthorityFactory, UnitFactory

from parindex.accounts.models import Role
from parindex.assessments import workflow
from parindex.assessments.errors import AssessmentError, NotAllowedError
from parindex.assessments.models import Assessment, CycleEvent, Phase
from parindex.assessments.services import cycle_advance, cycle_create
from parindex.criteria.services import criteria_set_import

pytestmark = pytest.mark.django_db


def messages(error: pytest.ExceptionInfo[AssessmentError]) -> list[str]:
    with translation.override("en"):
        return [str(m) for m in error.value.messages]


def test_the_phase_table_reads_in_the_order_of_the_cycle():
    order = [Phase.SETUP]
    while (following := workflow.next_phase(order[-1])) is not None:
        order.append(following)
    assert order == [
        Phase.SETUP,
        Phase.SELF_ASSESSMENT,
        Phase.APPRAISAL,
        Phase.EXPLANATION,
        Phase.FINALISATION,
        Phase.PUBLISHED,
    ]
    assert workflow.cycle_roles(Phase.FINALISATION, Phase.PUBLISHED) == (
        Role.COUNCIL_CHAIR,
        Role.SECRETARIAT,
    )
    assert workflow.sheet_roles("draft", "submitted") == (Role.UNIT_HEAD,)


def test_a_new_cycle_starts_in_setup_with_an_event():
    world = build(phase=Phase.SETUP)
    assert world.cycle.phase == Phase.SETUP
    event = CycleEvent.objects.get(cycle=world.cycle)
    assert (event.old_phase, event.new_phase, event.by) == ("", Phase.SETUP, world.secretariat)
    assert not Assessment.objects.filter(cycle=world.cycle).exists()


def test_only_the_secretariat_creates_a_cycle():
    world = build(phase=Phase.SETUP)
    with pytest.raises(NotAllowedError) as error:
        cycle_create(
            authority=world.authority,
            unit_group=world.group,
            criteria_set=world.version,
            year=2025,
            title="x",
            by=world.focal["SO_NV"],
        )
    assert messages(error) == ["Only the secretariat of the authority creates cycles."]


def test_a_cycle_refuses_a_set_of_another_year_disordered_dates_and_a_second_cycle():
    world = build(phase=Phase.SETUP)
    now = timezone.now()
    with pytest.raises(AssessmentError) as error:
        cycle_create(
            authority=world.authority,
            unit_group=world.group,
            criteria_set=world.version,
            year=2024,
            title="  ",
            self_assessment_opens=now,
            self_assessment_closes=now - dt.timedelta(days=1),
            by=world.secretariat,
        )
    assert messages(error) == [
        "The cycle needs a title.",
        "The dates must follow the order of the phases.",
        "This unit group already has a cycle for that year.",
    ]
    with pytest.raises(AssessmentError) as error:
        cycle_create(
            authority=world.authority,
            unit_group=world.group,
            criteria_set=world.version,
            year=2025,
            title="Năm 2025",
            by=world.secretariat,
        )
    assert messages(error) == ["The criteria set is for 2024, not 2025."]


def test_opening_self_assessment_freezes_the_set_and_makes_a_sheet_per_standing_unit():
    world = build(phase=Phase.SETUP)
    gone = UnitFactory(
        authority=world.authority, group=world.group, code="SO_CU", valid_to=dt.date(2024, 6, 30)
    )
    later = UnitFactory(
        authority=world.authority, group=world.group, code="SO_MOI", valid_from=dt.date(2025, 1, 1)
    )
    UnitFactory(authority=world.authority, code="HUYEN", group=None)
    assert world.version.frozen_at is None

    cycle = cycle_advance(cycle=world.cycle, to_phase=Phase.SELF_ASSESSMENT, by=world.secretariat)

    assert cycle.phase == Phase.SELF_ASSESSMENT
    world.version.refresh_from_db()
    assert world.version.frozen_at is not None
    sheets = Assessment.objects.filter(cycle=cycle)
    assert sorted(s.unit.code for s in sheets) == ["SO_NV", "SO_TP"]
    assert not sheets.filter(unit__in=[gone, later]).exists()
    event = CycleEvent.objects.filter(cycle=cycle).last()
    assert event is not None
    assert (event.old_phase, event.new_phase, event.by) == (
        Phase.SETUP,
        Phase.SELF_ASSESSMENT,
        world.secretariat,
    )


def test_phases_move_one_step_at_a_time():
    world = build(phase=Phase.SETUP)
    with pytest.raises(AssessmentError) as error:
        cycle_advance(cycle=world.cycle, to_phase=Phase.APPRAISAL, by=world.secretariat)
    assert messages(error) == [
        "The cycle is in the phase “Setup”; it can only move to “Self-assessment”."
    ]
    world.reload()
    assert world.cycle.phase == Phase.SETUP


def test_a_unit_or_the_chair_cannot_move_the_cycle_but_the_chair_publishes():
    world = build(phase=Phase.SETUP)
    for who in (world.focal["SO_NV"], world.head["SO_NV"], world.chair):
        with pytest.raises(NotAllowedError) as error:
            cycle_advance(cycle=world.cycle, to_phase=Phase.SELF_ASSESSMENT, by=who)
        assert messages(error) == ["Your role does not allow this step of the cycle."]
    world.cycle = advance(world, Phase.FINALISATION)
    cycle = cycle_advance(cycle=world.cycle, to_phase=Phase.PUBLISHED, by=world.chair)
    assert cycle.phase == Phase.PUBLISHED
    with pytest.raises(AssessmentError) as error:
        cycle_advance(cycle=cycle, to_phase=Phase.SETUP, by=world.secretariat)
    assert messages(error) == ["The cycle is published; it has no further phase."]


def test_the_secretariat_of_another_authority_cannot_move_the_cycle():
    world = build(phase=Phase.SETUP)
    stranger = person("thu_ky_khac", AuthorityFactory(code="dien-bien"), Role.SECRETARIAT)
    with pytest.raises(NotAllowedError):
        cycle_advance(cycle=world.cycle, to_phase=Phase.SELF_ASSESSMENT, by=stranger)


def test_self_assessment_does_not_open_without_a_deadline_or_without_units():
    world = build(phase=Phase.SETUP)
    world.cycle.self_assessment_closes = None
    world.cycle.save()
    with pytest.raises(AssessmentError) as error:
        cycle_advance(cycle=world.cycle, to_phase=Phase.SELF_ASSESSMENT, by=world.secretariat)
    assert messages(error) == ["Set the self-assessment deadline before opening it."]

    communes = criteria_set_import(
        authority=world.authority,
        yaml_text=SET.replace("T-2024", "T-XA-2024").replace("so_nganh", "xa"),
    )
    empty = cycle_create(
        authority=world.authority,
        unit_group=communes.unit_group,
        criteria_set=communes,
        year=2024,
        title="Chỉ số CCHC các xã năm 2024",
        self_assessment_closes=timezone.now() + dt.timedelta(days=3),
        by=world.secretariat,
    )
    with pytest.raises(AssessmentError) as error:
        cycle_advance(cycle=empty, to_phase=Phase.SELF_ASSESSMENT, by=world.secretariat)
    assert messages(error) == ["The unit group has no unit standing at the end of 2024."]
    communes.refresh_from_db()
    assert communes.frozen_at is None  # nothing half done


def test_the_system_administrator_acts_as_the_secretariat():
    world = build(phase=Phase.SETUP)
    admin = person("quan_tri", world.authority, Role.SYSTEM_ADMIN)
    cycle = cycle_advance(cycle=world.cycle, to_phase=Phase.SELF_ASSESSMENT, by=admin)
    assert cycle.phase == Phase.SELF_ASSESSMENT
