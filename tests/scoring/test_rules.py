"""Points of each rule type, at their edges, through compute()."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from scoring_builders import criteria_set, group, leaf, leaf_result, run, unit_result

from parindex.formats.criteria import parse_criteria
from parindex.scoring.model import (
    BooleanRule,
    Bracket,
    BracketsRule,
    ChoiceRule,
    CriteriaSet,
    DataRule,
    DeductionRule,
    ManualRule,
    NotApplicable,
    Option,
    RatioRule,
    Rule,
    Source,
    ZeroDenominator,
)
from parindex.scoring.results import LeafStatus

D = Decimal


def one_leaf(rule: Rule, maximum: str = "2", **kwargs: Any) -> CriteriaSet:
    return criteria_set(group("1", leaf("1.1", maximum, rule)), **kwargs)


def points_for(criteria: CriteriaSet, value: str) -> Decimal:
    results = run(criteria, {"U": {"1.1": value}})
    return leaf_result(results, "U", "1.1").points


# ---------------------------------------------------------------- choice and boolean


def test_choice_scores_the_option_picked_by_code_label_or_case() -> None:
    criteria = one_leaf(
        ChoiceRule((Option("dung_han", "Đúng hạn", D(2)), Option("cham", "Chậm", D("0.5"))))
    )
    assert points_for(criteria, "dung_han") == D(2)
    assert points_for(criteria, "CHAM") == D("0.5")
    assert points_for(criteria, "chậm") == D("0.5")
    results = run(criteria, {"U": {"1.1": "Chậm"}})
    assert leaf_result(results, "U", "1.1").value == "cham"


def test_boolean_scores_yes_or_no_points() -> None:
    criteria = one_leaf(BooleanRule(D("1.5"), D("0.5")))
    assert points_for(criteria, "đạt") == D("1.5")
    assert points_for(criteria, "x") == D("1.5")
    assert points_for(criteria, "không đạt") == D("0.5")
    assert points_for(criteria, "0") == D("0.5")


# ---------------------------------------------------------------- brackets

BRACKETS_YAML = """
code: T
title: T
year: 2024
unit_group: g
max_points: 2
nodes:
  - code: "1"
    title: T
    children:
      - code: "1.1"
        title: Tỷ lệ hồ sơ đúng hạn
        max: 2
        source: self
        rule:
          type: brackets
          brackets:
            - {min: 100%, points: 2}
            - {min: 90%, points: 1.5}
            - {min: 80%, points: 0.5}
"""


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("100%", "2"),
        ("1", "2"),
        ("1,2", "2"),  # above the top bracket
        ("99,99%", "1.5"),
        ("90%", "1.5"),  # exactly at min: inclusive
        ("0,9", "1.5"),  # 0,9 is 90%
        ("0.90", "1.5"),
        ("89,999%", "0.5"),  # just below
        ("0,8", "0.5"),
        ("0,7999", "0"),  # below every bracket
        ("0", "0"),
    ],
)
def test_brackets_take_the_first_bracket_whose_min_is_reached(value: str, points: str) -> None:
    criteria = parse_criteria(BRACKETS_YAML)
    assert points_for(criteria, value) == D(points)


def test_count_brackets_compare_plain_numbers() -> None:
    criteria = one_leaf(BracketsRule((Bracket(D(10), D(2)), Bracket(D(5), D(1)))))
    assert points_for(criteria, "10") == D(2)
    assert points_for(criteria, "9") == D(1)
    assert points_for(criteria, "5") == D(1)
    assert points_for(criteria, "4") == D(0)


# ---------------------------------------------------------------- ratio


@pytest.mark.parametrize(
    ("value", "points"),
    [
        ("45/50", "2.7"),
        ("50/50", "3"),
        ("55/50", "3"),  # n > d: clamped to the max
        ("0/50", "0"),
        ("1/3", "1"),
        ("0,9", "2.7"),  # a share of 1
        ("90%", "2.7"),
        ("150%", "3"),
    ],
)
def test_ratio_scores_max_times_the_share_clamped(value: str, points: str) -> None:
    criteria = one_leaf(RatioRule(ZeroDenominator.ZERO), "3")
    assert points_for(criteria, value) == D(points)


def test_a_ratio_that_does_not_end_is_kept_exact_to_forty_digits() -> None:
    criteria = one_leaf(RatioRule(ZeroDenominator.ZERO), "2")
    assert points_for(criteria, "1/3") == D("0.6666666666666666666666666666666666666667")


@pytest.mark.parametrize("policy", list(NotApplicable))
@pytest.mark.parametrize("written", ["0/0", "3/0"])
def test_zero_denominator_full_scores_the_max_under_every_set_policy(
    policy: NotApplicable, written: str
) -> None:
    criteria = one_leaf(RatioRule(ZeroDenominator.FULL), "3", not_applicable=policy)
    results = run(criteria, {"U": {"1.1": written}})
    result = leaf_result(results, "U", "1.1")
    assert (result.points, result.status, result.excluded) == (D(3), LeafStatus.OK, False)
    assert unit_result(results, "U").index == D("100.00")


@pytest.mark.parametrize("policy", list(NotApplicable))
def test_zero_denominator_zero_scores_zero_under_every_set_policy(policy: NotApplicable) -> None:
    criteria = one_leaf(RatioRule(ZeroDenominator.ZERO), "3", not_applicable=policy)
    results = run(criteria, {"U": {"1.1": "0/0"}})
    result = leaf_result(results, "U", "1.1")
    assert (result.points, result.status, result.excluded) == (D(0), LeafStatus.OK, False)
    assert unit_result(results, "U").applicable_max == D(3)


@pytest.mark.parametrize(
    ("policy", "points", "excluded", "applicable_max", "index"),
    [
        (NotApplicable.EXCLUDE, "0", True, "7", "100.00"),
        (NotApplicable.FULL, "3", False, "10", "100.00"),
        (NotApplicable.ZERO, "0", False, "10", "70.00"),
    ],
)
def test_zero_denominator_na_follows_the_set_not_applicable_policy(
    policy: NotApplicable, points: str, excluded: bool, applicable_max: str, index: str
) -> None:
    criteria = criteria_set(
        group(
            "1",
            leaf("1.1", 3, RatioRule(ZeroDenominator.NA)),
            leaf("1.2", 7, ManualRule()),
        ),
        not_applicable=policy,
    )
    results = run(criteria, {"U": {"1.1": "0/0", "1.2": "7"}})
    result = leaf_result(results, "U", "1.1")
    assert result.status is LeafStatus.NA
    assert result.points == D(points)
    assert result.excluded is excluded
    assert unit_result(results, "U").applicable_max == D(applicable_max)
    assert str(unit_result(results, "U").index) == index


def test_zero_denominator_na_follows_the_leaf_policy_over_the_set_policy() -> None:
    ratio = leaf("1.1", 3, RatioRule(ZeroDenominator.NA), not_applicable=NotApplicable.FULL)
    criteria = criteria_set(group("1", ratio, leaf("1.2", 7, ManualRule())))
    results = run(criteria, {"U": {"1.1": "0/0", "1.2": "3,5"}})
    assert leaf_result(results, "U", "1.1").points == D(3)
    assert str(unit_result(results, "U").index) == "65.00"


def test_a_ratio_rule_left_unsaid_treats_a_zero_denominator_as_not_applicable() -> None:
    yaml_text = BRACKETS_YAML.replace(
        """        rule:
          type: brackets
          brackets:
            - {min: 100%, points: 2}
            - {min: 90%, points: 1.5}
            - {min: 80%, points: 0.5}
""",
        "        rule: {type: ratio}\n",
    )
    criteria = parse_criteria(yaml_text)
    rule = criteria.leaves()[0].rule
    assert isinstance(rule, RatioRule) and rule.zero_denominator is ZeroDenominator.NA
    assert RatioRule().zero_denominator is ZeroDenominator.NA  # the dataclass agrees
    results = run(criteria, {"U": {"1.1": "0/0"}})
    assert leaf_result(results, "U", "1.1").status is LeafStatus.NA
    assert leaf_result(results, "U", "1.1").excluded is True


# ---------------------------------------------------------------- deduction and manual


@pytest.mark.parametrize(
    ("count", "points"), [("0", "2"), ("1", "1.5"), ("3", "0.5"), ("4", "0"), ("7", "0")]
)
def test_deduction_subtracts_per_violation_and_stops_at_zero(count: str, points: str) -> None:
    criteria = one_leaf(DeductionRule(D("0.5")))
    assert points_for(criteria, count) == D(points)


def test_manual_points_are_the_value() -> None:
    criteria = one_leaf(ManualRule(D("0.25")))
    assert points_for(criteria, "1,75") == D("1.75")


# ---------------------------------------------------------------- data

ONTIME = DataRule("ontime_rate", BracketsRule((Bracket(D("0.95"), D(3)), Bracket(D("0.85"), D(2)))))
PLAN = DataRule("plan_completion_rate", RatioRule())


def data_set() -> CriteriaSet:
    return criteria_set(
        group(
            "1",
            leaf("1.1", 3, ONTIME, source=Source.DATA),
            leaf("1.2", 2, PLAN, source=Source.DATA),
        )
    )


def test_data_leaves_apply_then_to_the_metric() -> None:
    criteria = data_set()
    results = run(
        criteria,
        {},
        metrics={"U": {"ontime_rate": "95%", "plan_completion_rate": "0,8"}},
    )
    first = leaf_result(results, "U", "1.1")
    assert (first.points, first.metric, first.status) == (D(3), "ontime_rate", LeafStatus.OK)
    second = leaf_result(results, "U", "1.2")
    assert (second.points, second.metric) == (D("1.6"), "plan_completion_rate")
    assert unit_result(results, "U").by_source == {"self": D(0), "survey": D(0), "data": D("4.6")}


def test_a_data_ratio_above_one_is_clamped_to_the_max() -> None:
    results = run(data_set(), {}, metrics={"U": {"plan_completion_rate": "1,25"}})
    assert leaf_result(results, "U", "1.2").points == D(2)


def test_a_value_row_wins_over_the_metric_for_a_data_leaf() -> None:
    results = run(
        data_set(),
        {"U": {"1.1": "0,5", "1.2": "9/10"}},
        metrics={"U": {"ontime_rate": "1", "plan_completion_rate": "0.1"}},
    )
    first = leaf_result(results, "U", "1.1")
    assert (first.points, first.metric, first.text) == (D(0), None, "0,5")
    assert leaf_result(results, "U", "1.2").points == D("1.8")


def test_a_data_leaf_without_value_or_metric_is_missing() -> None:
    results = run(data_set(), {}, metrics={"U": {"ontime_rate": "0.9"}})
    missing = leaf_result(results, "U", "1.2")
    assert (missing.points, missing.status) == (D(0), LeafStatus.MISSING)
    assert leaf_result(results, "U", "1.1").points == D(2)


def test_a_data_leaf_can_be_not_applicable_by_its_value_row() -> None:
    results = run(data_set(), {"U": {"1.2": "KPS"}}, metrics={"U": {"ontime_rate": "0.9"}})
    assert leaf_result(results, "U", "1.2").status is LeafStatus.NA
    assert unit_result(results, "U").applicable_max == D(3)
    assert str(unit_result(results, "U").index) == "66.67"
