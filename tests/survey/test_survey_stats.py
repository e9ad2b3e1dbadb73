"""The survey statistics against hand-worked values (no database)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parindex.scoring.model import RespondentGroup, Scale, SurveySpec, SurveyTally
from parindex.survey.stats import question_stats, rounded, sample_size, t_975

LIKERT = SurveySpec(
    groups=(RespondentGroup("nguoi_dan", "Người dân"),), scale=Scale(Decimal(1), Decimal(5))
)
NAMED = SurveySpec(
    groups=(RespondentGroup("dn", "Doanh nghiệp"),),
    answers={"A": Decimal(1), "B": Decimal("0.6"), "C": Decimal("0.2"), "D": Decimal(0)},
)


def _one(spec: SurveySpec, counts: dict[int | str, int]):  # type: ignore[no-untyped-def]
    tally = SurveyTally(answers={("U1", spec.groups[0].code, "q1"): counts}, responses={})
    [stat] = question_stats(tally, spec)
    return stat


def test_survey_interval_of_four_likert_answers_by_hand() -> None:
    # answers 5, 4, 4, 3 → shares 1, .75, .75, .5; mean .75; s² = .125 / 3; s = .2041241;
    # s/√4 = .1020621; t(0.975, 3) = 3.1824 → half-width .3248024 → [.4252, 1.0748 → 1]
    stat = _one(LIKERT, {5: 1, 4: 2, 3: 1})
    assert stat.n == 4
    assert stat.mean == Decimal("0.75")
    assert rounded(stat.low) == Decimal("0.4252")
    assert stat.high == Decimal(1)  # clamped


def test_survey_interval_of_three_answers_by_hand() -> None:
    # 5, 3, 4 → 1, .5, .75: mean .75, s = .25, s/√3 = .1443376, t(2) = 4.3027 → .6210413
    stat = _one(LIKERT, {5: 1, 3: 1, 4: 1})
    assert rounded(stat.low) == Decimal("0.1290")
    assert stat.high == Decimal(1)
    assert rounded(stat.half_width) == Decimal("0.4355")  # (1 - 0.1289587) / 2


def test_survey_interval_narrows_with_many_named_answers() -> None:
    # 60 × A, 40 × B: shares 1 and .6; mean .84; s² = (60·.16² + 40·.24²·) / 99 = 0.0387879
    # s = .1969464; s/√100 = .01969464; t(99) = 1.9842 → half-width .0390781
    stat = _one(NAMED, {"A": 60, "B": 40})
    assert stat.mean == Decimal("0.84")
    assert rounded(stat.low) == Decimal("0.8009")
    assert rounded(stat.high) == Decimal("0.8791")


def test_survey_single_answer_has_no_interval_and_all_equal_answers_none_wide() -> None:
    assert _one(LIKERT, {4: 1}).low is None
    same = _one(LIKERT, {4: 10})
    assert (same.low, same.high) == (Decimal("0.75"), Decimal("0.75"))


def test_survey_answers_outside_the_key_are_not_counted() -> None:
    stat = _one(NAMED, {"A": 1, "Z": 5})
    assert stat.n == 1


@pytest.mark.parametrize(
    ("df", "expected"),
    [
        (1, "12.7062"),
        (2, "4.3027"),
        (30, "2.0423"),
        (31, "2.0395"),
        (99, "1.9842"),
        (1000, "1.9623"),
    ],
)
def test_survey_t_quantiles(df: int, expected: str) -> None:
    assert t_975(df) == Decimal(expected)


@pytest.mark.parametrize(
    ("population", "margin", "expected"),
    [
        (1000, "0.05", 286),
        (20, "0.05", 20),
        (400, "0.1", 80),
        (0, "0.05", 0),
        (1_000_000, "0.05", 400),
    ],
)
def test_survey_sample_size_yamane(population: int, margin: str, expected: int) -> None:
    assert sample_size(population, Decimal(margin)) == expected
