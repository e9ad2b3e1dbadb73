"""The survey's services on a real database: the worked example through the engine, one-use
links, required answers, dates, targets, low samples and the tally kept in step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone
from django.utils.translation import override
from survey_builders import SurveyWorld, answered, invitation, survey_world

from parindex.assessments.selectors import criteria_for
from parindex.results.services import cycle_inputs_final
from parindex.scoring import compute
from parindex.survey import selectors, services
from parindex.survey.errors import InvitationUsedError, SurveyError
from parindex.survey.models import AnswerCount, Invitation, Response, SampleTarget

pytestmark = pytest.mark.django_db


@pytest.fixture
def sw(db: None) -> SurveyWorld:
    return survey_world()


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """The refusals are matched in English (they are shown in Vietnamese by default)."""
    with override("en"):
        yield


def _worked_example(sw: SurveyWorld) -> None:
    """SO_NV: three citizens (weight 2) and three officials (weight 1), some skips."""
    for answers in (
        {"q1": "5", "q2": "4", "q3": "5"},
        {"q1": "3", "q3": "4"},  # q2 skipped
        {"q1": "4", "q2": "2"},  # q3 skipped
    ):
        answered(sw, answers, group="nguoi_dan")
    for answers in ({"q1": "2", "q2": "3"}, {"q1": "4", "q2": "5"}, {"q1": "3", "q2": "3"}):
        answered(sw, answers, group="cbccvc")


def test_survey_worked_example_points_through_the_engine(sw: SurveyWorld) -> None:
    _worked_example(sw)
    result = compute(criteria_for(sw.world.version), cycle_inputs_final(sw.world.cycle))
    so_nv = next(u for u in result.units if u.unit.code == "SO_NV")
    leaves = {leaf.code: leaf for leaf in so_nv.leaves}
    # 2.1 (q1, q2; both groups): citizens q1 (1 + .5 + .75)/3 = .75, q2 (.75 + .25)/2 = .5 → .625;
    # officials q1 (.25 + .75 + .5)/3 = .5, q2 (.5 + 1 + .5)/3 = .6667 → .58333;
    # share (2 × .625 + 1 × .58333) / 3 = .61111 → 4 × .61111 = 2.4444 points
    assert leaves["2.1"].points.quantize(Decimal("0.0001")) == Decimal("2.4444")
    assert leaves["2.1"].status == "ok"
    # 2.2 (q3, citizens only): (1 + .75) / 2 = .875 → 3.5 points
    assert leaves["2.2"].points == Decimal("3.5")
    assert so_nv.index == Decimal("59.44")  # (0 + 2.4444 + 3.5) / 10
    so_tp = next(u for u in result.units if u.unit.code == "SO_TP")
    assert {leaf.code: leaf.status for leaf in so_tp.leaves}["2.1"] == "no_survey_data"


def test_survey_statistics_per_unit_group_question(sw: SurveyWorld) -> None:
    _worked_example(sw)
    spec = selectors.survey_spec(sw.world.cycle)
    assert spec is not None
    stats = {(s.unit, s.group, s.question): s for s in selectors.statistics_of(sw.campaign, spec)}
    q1 = stats[("SO_NV", "nguoi_dan", "q1")]
    assert (q1.n, q1.mean) == (3, Decimal("0.75"))
    assert q1.low is not None and q1.low.quantize(Decimal("0.0001")) == Decimal("0.1290")
    assert stats[("SO_NV", "nguoi_dan", "q2")].n == 2  # one skipped
    assert ("SO_TP", "nguoi_dan", "q1") not in stats


def test_survey_low_sample_units_are_flagged(sw: SurveyWorld) -> None:
    _worked_example(sw)
    spec = selectors.survey_spec(sw.world.cycle)
    criteria = criteria_for(sw.world.version)
    assert spec is not None
    assert [u.code for u in selectors.low_sample_units(sw.campaign, spec, criteria)] == ["SO_TP"]
    result = compute(criteria, cycle_inputs_final(sw.world.cycle))
    so_nv = next(u for u in result.units if u.unit.code == "SO_NV")
    assert all(leaf.status != "low_sample" for leaf in so_nv.leaves)
    Response.objects.filter(group="cbccvc").first().delete()  # type: ignore[union-attr]
    services.tally_rebuild(sw.campaign)
    # 2.1 now has 5 answers in its groups (still ≥ 3); 2.2 (citizens) keeps 3
    assert selectors.low_sample_units(sw.campaign, spec, criteria)[0].code == "SO_TP"


def test_survey_one_use_link_refuses_a_second_answer(sw: SurveyWorld) -> None:
    found = answered(sw, {"q1": "5"})
    with pytest.raises(InvitationUsedError):
        services.response_submit(invitation=found, answers={"q1": "1"})
    with pytest.raises(InvitationUsedError):
        services.answer_save(invitation=found, question="q1", answer="1")
    assert Response.objects.get(invitation=found).answers == {"q1": "5"}
    assert AnswerCount.objects.get(question="q1").count == 1


def test_survey_answers_saved_as_the_person_goes_count_only_when_sent(sw: SurveyWorld) -> None:
    found = invitation(sw)
    services.answer_save(invitation=found, question="q1", answer="4")
    services.answer_save(invitation=found, question="q2", answer="2")
    services.answer_save(invitation=found, question="q2", answer="")  # changed their mind
    draft = Response.objects.get(invitation=found)
    assert (draft.answers, draft.submitted_at) == ({"q1": "4"}, None)
    assert not AnswerCount.objects.exists()
    services.response_submit(invitation=found, answers={"q3": "5"})
    assert sorted(AnswerCount.objects.values_list("question", "answer", "count")) == [
        ("q1", "4", 1),
        ("q3", "5", 1),
    ]
    assert Invitation.objects.get(pk=found.pk).submitted_at is not None


def test_survey_bad_answers_and_unknown_questions_are_refused(sw: SurveyWorld) -> None:
    found = invitation(sw)
    with pytest.raises(SurveyError, match="not an answer"):
        services.answer_save(invitation=found, question="q1", answer="9")
    with pytest.raises(SurveyError, match="Unknown question"):
        services.answer_save(invitation=found, question="q9", answer="1")


def test_survey_closed_or_not_yet_open(db: None) -> None:
    sw = survey_world(opens_in=dt.timedelta(days=2))
    with pytest.raises(SurveyError, match="not open yet"):
        services.invitation_open(invitation(sw))
    sw.campaign.closes_at = timezone.now() - dt.timedelta(minutes=1)
    sw.campaign.opens_at = timezone.now() - dt.timedelta(days=3)
    sw.campaign.save()
    with pytest.raises(SurveyError, match="has closed"):
        services.invitation_open(Invitation.objects.first())  # type: ignore[arg-type]


def test_survey_targets_from_population_and_by_hand(sw: SurveyWorld) -> None:
    units = sw.world.units
    services.targets_save(
        campaign=sw.campaign,
        rows=[
            services.TargetRow(units["SO_NV"].pk, "nguoi_dan", 1000, None),
            services.TargetRow(units["SO_TP"].pk, "nguoi_dan", 1000, 50),
        ],
        by=sw.secretariat,
    )
    assert sorted(SampleTarget.objects.values_list("unit__code", "target")) == [
        ("SO_NV", 286),
        ("SO_TP", 50),
    ]


def test_survey_only_the_secretariat_or_survey_admin_runs_it(sw: SurveyWorld) -> None:
    focal = sw.world.focal["SO_NV"]
    with pytest.raises(SurveyError):
        services.invitations_issue(
            campaign=sw.campaign,
            unit=sw.world.units["SO_NV"],
            group="nguoi_dan",
            count=1,
            by=focal,
        )
    made = services.invitations_issue(
        campaign=sw.campaign, unit=sw.world.units["SO_TP"], group="cbccvc", count=30, by=sw.admin
    )
    codes = {m.code for m in made}
    assert len(codes) == 30
    assert all(len(c) == 8 and not set(c) & set("01IOL") for c in codes)


def test_survey_questionnaire_frozen_once_its_group_answered(sw: SurveyWorld) -> None:
    answered(sw, {"q1": "5"})
    with pytest.raises(SurveyError, match="already answered"):
        services.questionnaire_draft(version=sw.world.version, group="nguoi_dan", by=sw.secretariat)
    services.questionnaire_draft(version=sw.world.version, group="cbccvc", by=sw.secretariat)


def test_survey_tally_rebuild_finds_nothing_to_fix(sw: SurveyWorld) -> None:
    _worked_example(sw)
    assert services.tally_rebuild(sw.campaign) == 0
    AnswerCount.objects.filter(question="q1", answer="5").update(count=7)
    assert services.tally_rebuild(sw.campaign) == 1
    assert AnswerCount.objects.get(question="q1", answer="5").count == 1
