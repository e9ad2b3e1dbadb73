"""Survey leaves (*điều tra xã hội học*): question → group → weighted leaf share."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from scoring_builders import (
    criteria_set,
    group,
    leaf,
    leaf_result,
    run,
    scale_survey,
    tally,
    unit_result,
)

from parindex.scoring import compute
from parindex.scoring.model import (
    CriteriaSet,
    Inputs,
    ManualRule,
    NodeKind,
    NoSurveyData,
    RespondentGroup,
    Source,
    SurveyRule,
    SurveySpec,
    SurveyTally,
    Unit,
)
from parindex.scoring.results import LeafStatus
from parindex.scoring.survey import SurveyScores, answer_share

D = Decimal


def survey_set(
    spec: SurveySpec, questions: tuple[str, ...] = ("q1", "q2"), groups: tuple[str, ...] = ()
) -> CriteriaSet:
    return criteria_set(
        group(
            "1",
            leaf("1.1", 6, ManualRule()),
            leaf("1.2", 4, SurveyRule(questions, groups), source=Source.SURVEY),
        ),
        survey=spec,
    )


def response(unit: str, grp: str, **answers: Any) -> dict[str, Any]:
    return {"unit": unit, "group": grp, "answers": answers}


def test_scale_answers_are_normalised_between_min_and_max() -> None:
    spec = scale_survey(("g", 1), low=1, high=5)
    shares = [answer_share(spec, a) for a in (1, 2, 3, 4, 5)]
    assert shares == [D(0), D("0.25"), D("0.5"), D("0.75"), D(1)]
    assert answer_share(spec, 0) is None
    assert answer_share(spec, 6) is None


def test_a_zero_to_ten_scale_normalises_too() -> None:
    spec = scale_survey(("g", 1), low=0, high=10)
    assert answer_share(spec, 7) == D("0.7")


def test_two_groups_with_weights_one_and_two_give_a_weighted_mean() -> None:
    spec = scale_survey(("cbccvc", 1), ("nguoi_dan", 2))
    criteria = survey_set(spec)
    results = run(
        criteria,
        {"U": {"1.1": "6"}},
        responses=[
            response("U", "cbccvc", q1=5, q2=5),  # cbccvc: 1
            response("U", "nguoi_dan", q1=1, q2=3),  # nguoi_dan: (0 + 0.5) / 2 = 0.25
        ],
    )
    result = leaf_result(results, "U", "1.2")
    assert result.survey is not None
    # (1 × 1 + 0.25 × 2) / 3 = 0.5
    assert result.survey.share == D("0.5")
    assert result.points == D(2)
    assert {g.group: (g.score, g.weight) for g in result.survey.groups} == {
        "cbccvc": (D(1), D(1)),
        "nguoi_dan": (D("0.25"), D(2)),
    }


def test_skipped_answers_are_left_out_of_the_question_mean() -> None:
    criteria = survey_set(scale_survey(("g", 1)), questions=("q1",))
    results = run(
        criteria,
        {},
        responses=[
            response("U", "g", q1=5),
            response("U", "g", q1=""),
            response("U", "g", q1=3),
        ],
    )
    result = leaf_result(results, "U", "1.2")
    assert result.survey is not None
    assert result.survey.share == D("0.75")  # (1 + 0.5) / 2, not (1 + 0 + 0.5) / 3
    assert result.survey.groups[0].answers == 2
    assert result.survey.responses == 3  # the skipping response still counts in the sample


def test_a_question_nobody_answered_is_left_out_of_the_group_mean() -> None:
    criteria = survey_set(scale_survey(("g", 1)))
    results = run(criteria, {}, responses=[response("U", "g", q1=4, q2="")])
    result = leaf_result(results, "U", "1.2")
    assert result.survey is not None
    assert result.survey.groups[0].questions == 1
    assert result.survey.share == D("0.75")


def test_a_group_with_no_answers_is_dropped_from_the_weighted_mean() -> None:
    criteria = survey_set(scale_survey(("cbccvc", 1), ("nguoi_dan", 3)))
    results = run(
        criteria,
        {},
        responses=[
            response("U", "cbccvc", q1=4, q2=4),
            response("U", "nguoi_dan", q1="", q2=""),  # answered nothing
        ],
    )
    result = leaf_result(results, "U", "1.2")
    assert result.survey is not None
    assert [g.group for g in result.survey.groups] == ["cbccvc"]
    assert result.survey.share == D("0.75")  # not (0.75 × 1 + 0 × 3) / 4
    assert result.points == D(3)
    assert result.survey.responses == 2


def test_a_leaf_uses_only_its_own_groups() -> None:
    criteria = survey_set(scale_survey(("cbccvc", 1), ("nguoi_dan", 1)), groups=("nguoi_dan",))
    results = run(
        criteria,
        {},
        responses=[
            response("U", "cbccvc", q1=5, q2=5),
            response("U", "nguoi_dan", q1=2, q2=2),
        ],
    )
    result = leaf_result(results, "U", "1.2")
    assert result.survey is not None
    assert result.survey.share == D("0.25")
    assert result.survey.responses == 1


def test_named_answers_score_their_share() -> None:
    spec = SurveySpec(
        groups=(RespondentGroup("g", "g"),),
        answers={"A": D(1), "B": D("0.6"), "C": D("0.2"), "D": D(0)},
    )
    criteria = survey_set(spec)
    results = run(
        criteria,
        {},
        responses=[
            response("U", "g", q1="A", q2="B"),
            response("U", "g", q1="C", q2=""),
            response("U", "g", q1="D", q2="B"),
        ],
    )
    result = leaf_result(results, "U", "1.2")
    # q1 = (1 + 0.2 + 0) / 3 = 0.4; q2 = (0.6 + 0.6) / 2 = 0.6; share 0.5
    assert result.survey is not None
    assert result.survey.share == D("0.5")
    assert result.points == D(2)


def test_an_answer_outside_the_scale_in_a_tally_is_ignored() -> None:
    spec = scale_survey(("g", 1))
    criteria = survey_set(spec, questions=("q1",))
    counted = tally(criteria, [response("U", "g", q1=5)])
    broken = SurveyTally(answers={("U", "g", "q1"): {5: 1, 9: 4}}, responses=counted.responses)
    outcome = SurveyScores(spec, broken).leaf("U", SurveyRule(("q1",)))
    assert outcome.share == D(1)


@pytest.mark.parametrize(
    ("no_data", "excluded", "applicable_max", "index"),
    [(NoSurveyData.ZERO, False, "10", "50.00"), (NoSurveyData.EXCLUDE, True, "6", "83.33")],
)
def test_no_answers_scores_zero_or_leaves_the_denominator_by_no_data(
    no_data: NoSurveyData, excluded: bool, applicable_max: str, index: str
) -> None:
    criteria = survey_set(scale_survey(("g", 1), no_data=no_data.value))
    results = run(
        criteria,
        {"U": {"1.1": "5"}, "V": {"1.1": "6"}},
        responses=[response("V", "g", q1=5, q2=5)],
    )
    result = leaf_result(results, "U", "1.2")
    assert (result.points, result.status, result.excluded) == (
        D(0),
        LeafStatus.NO_SURVEY_DATA,
        excluded,
    )
    unit = unit_result(results, "U")
    assert (unit.applicable_max, str(unit.index)) == (D(applicable_max), index)


def test_without_any_survey_file_every_survey_leaf_has_no_data() -> None:
    criteria = survey_set(scale_survey(("g", 1)))
    results = run(criteria, {"U": {"1.1": "6"}})
    assert leaf_result(results, "U", "1.2").status is LeafStatus.NO_SURVEY_DATA
    assert results.survey is None


def test_a_unit_whose_respondents_skipped_the_leaf_questions_has_no_survey_data() -> None:
    criteria = survey_set(scale_survey(("g", 1)), questions=("q1",))
    results = run(criteria, {}, responses=[response("U", "g", q1="", q9=5)])
    result = leaf_result(results, "U", "1.2")
    assert result.status is LeafStatus.NO_SURVEY_DATA
    assert result.survey is not None and result.survey.responses == 1


@pytest.mark.parametrize(
    ("responses", "status"),
    [(2, LeafStatus.LOW_SAMPLE), (3, LeafStatus.OK), (4, LeafStatus.OK)],
)
def test_low_sample_is_below_min_sample_and_the_points_stand(
    responses: int, status: LeafStatus
) -> None:
    criteria = survey_set(scale_survey(("g", 1), min_sample=3))
    rows = [response("U", "g", q1=5, q2=5) for _ in range(responses)]
    results = run(criteria, {}, responses=rows)
    result = leaf_result(results, "U", "1.2")
    assert (result.status, result.points) == (status, D(4))
    warnings = [w.en for w in unit_result(results, "U").warnings]
    if status is LeafStatus.LOW_SAMPLE:
        assert warnings == ["small survey sample (n = 2 < 3) for 1.2"]
        assert [w.vi for w in unit_result(results, "U").warnings] == [
            "mẫu khảo sát nhỏ (n = 2 < 3) ở tiêu chí 1.2"
        ]
    else:
        assert warnings == []


def test_low_sample_counts_only_responses_in_the_leaf_groups() -> None:
    spec = scale_survey(("cbccvc", 1), ("nguoi_dan", 1), min_sample=3)
    criteria = survey_set(spec, groups=("nguoi_dan",))
    rows = [response("U", "cbccvc", q1=5, q2=5) for _ in range(5)]
    rows += [response("U", "nguoi_dan", q1=4, q2=4) for _ in range(2)]
    result = leaf_result(run(criteria, {}, responses=rows), "U", "1.2")
    assert result.survey is not None and result.survey.responses == 2
    assert result.status is LeafStatus.LOW_SAMPLE


def test_survey_counts_are_carried_to_the_results() -> None:
    criteria = survey_set(scale_survey(("g", 1)))
    first = tally(criteria, [response("U", "g", q1=5, q2=5)])
    counted = SurveyTally(first.answers, first.responses, accepted=7, rejected=2)
    results = compute(criteria, Inputs(units=(Unit("U", "U"),), values={}, survey=counted))
    assert results.survey is not None
    assert (results.survey.accepted, results.survey.rejected) == (7, 2)


def test_a_survey_bonus_leaf_without_answers_never_leaves_the_denominator() -> None:
    spec = scale_survey(("g", 1), no_data="exclude")
    criteria = criteria_set(
        group("1", leaf("1.1", 10, ManualRule())),
        leaf("B", 1, SurveyRule(("q1",)), source=Source.SURVEY, kind=NodeKind.BONUS),
        survey=spec,
    )
    results = run(criteria, {"U": {"1.1": "8"}}, responses=[])
    bonus = leaf_result(results, "U", "B")
    assert (bonus.status, bonus.excluded, bonus.points) == (
        LeafStatus.NO_SURVEY_DATA,
        False,
        D(0),
    )
    assert unit_result(results, "U").applicable_max == D(10)
