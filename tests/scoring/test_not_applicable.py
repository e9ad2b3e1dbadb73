"""Missing values and not-applicable leaves (*không phát sinh*): set and leaf policies, bonus
and penalty leaves, and a unit for which nothing applies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scoring_builders import criteria_set, group, leaf, leaf_result, run, unit_result

from parindex.scoring.model import (
    BooleanRule,
    ChoiceRule,
    CriteriaSet,
    IndexBounds,
    ManualRule,
    NodeKind,
    NotApplicable,
    Option,
    Unit,
)
from parindex.scoring.results import LeafStatus

D = Decimal


def three_leaves(
    policy: NotApplicable = NotApplicable.EXCLUDE,
    override: NotApplicable | None = None,
) -> CriteriaSet:
    """1.1 boolean (max 4, maybe with a leaf policy), 1.2 manual (max 4), 2.1 manual (max 2)."""
    return criteria_set(
        group(
            "1",
            leaf("1.1", 4, BooleanRule(D(4), D(0)), not_applicable=override),
            leaf("1.2", 4, ManualRule()),
        ),
        group("2", leaf("2.1", 2, ManualRule())),
        not_applicable=policy,
    )


VALUES = {"U": {"1.1": "KPS", "1.2": "3", "2.1": "2"}}


@pytest.mark.parametrize(
    ("policy", "points", "excluded", "unit_points", "applicable_max", "index"),
    [
        # 5 / 6 × 100 = 83.333…
        (NotApplicable.EXCLUDE, "0", True, "5", "6", "83.33"),
        # (4 + 3 + 2) / 10
        (NotApplicable.FULL, "4", False, "9", "10", "90.00"),
        # (0 + 3 + 2) / 10
        (NotApplicable.ZERO, "0", False, "5", "10", "50.00"),
    ],
)
def test_set_policy_decides_what_a_not_applicable_leaf_scores(
    policy: NotApplicable,
    points: str,
    excluded: bool,
    unit_points: str,
    applicable_max: str,
    index: str,
) -> None:
    results = run(three_leaves(policy), VALUES)
    result = leaf_result(results, "U", "1.1")
    assert result.status is LeafStatus.NA
    assert (result.points, result.excluded) == (D(points), excluded)
    unit = unit_result(results, "U")
    assert unit.points == D(unit_points)
    assert unit.applicable_max == D(applicable_max)
    assert str(unit.index) == index


@pytest.mark.parametrize("set_policy", list(NotApplicable))
@pytest.mark.parametrize(
    ("leaf_policy", "points", "applicable_max"),
    [
        (NotApplicable.EXCLUDE, "5", "6"),
        (NotApplicable.FULL, "9", "10"),
        (NotApplicable.ZERO, "5", "10"),
    ],
)
def test_a_leaf_policy_overrides_the_set_policy(
    set_policy: NotApplicable, leaf_policy: NotApplicable, points: str, applicable_max: str
) -> None:
    unit = unit_result(run(three_leaves(set_policy, leaf_policy), VALUES), "U")
    assert (unit.points, unit.applicable_max) == (D(points), D(applicable_max))


def test_an_excluded_leaf_lowers_its_field_max_and_the_field_percent_follows() -> None:
    unit = unit_result(run(three_leaves(), VALUES), "U")
    first = next(f for f in unit.fields if f.code == "1")
    assert (first.points, first.max, first.percent) == (D(3), D(4), D(75))


def test_a_field_whose_every_leaf_is_excluded_has_no_percent() -> None:
    results = run(three_leaves(), {"U": {"1.2": "4", "2.1": "NA"}})
    second = next(f for f in unit_result(results, "U").fields if f.code == "2")
    assert (second.points, second.max, second.percent) == (D(0), D(0), None)


def test_a_missing_leaf_scores_zero_and_keeps_its_max() -> None:
    results = run(three_leaves(), {"U": {"1.2": "4", "2.1": "2"}})
    missing = leaf_result(results, "U", "1.1")
    assert (missing.points, missing.status, missing.excluded) == (
        D(0),
        LeafStatus.MISSING,
        False,
    )
    assert missing.value is None and missing.text is None
    unit = unit_result(results, "U")
    assert (unit.applicable_max, str(unit.index)) == (D(10), "60.00")


def test_a_unit_with_no_value_at_all_scores_zero_for_every_leaf() -> None:
    criteria = three_leaves()
    results = run(criteria, {}, units=[Unit("U", "Đơn vị không nộp")])
    unit = unit_result(results, "U")
    assert [leaf.status for leaf in unit.leaves] == [LeafStatus.MISSING] * 3
    assert (unit.points, str(unit.index)) == (D(0), "0.00")


def test_the_not_applicable_word_is_kept_as_written() -> None:
    results = run(three_leaves(), {"U": {"1.1": "không phát sinh", "1.2": "1", "2.1": "1"}})
    assert leaf_result(results, "U", "1.1").text == "không phát sinh"


def test_a_not_applicable_choice_with_full_policy_scores_its_max_not_its_best_option() -> None:
    choice = ChoiceRule((Option("a", "A", D(1)), Option("b", "B", D(0))))
    criteria = criteria_set(
        group("1", leaf("1.1", 3, choice, not_applicable=NotApplicable.FULL)),
    )
    assert leaf_result(run(criteria, {"U": {"1.1": "NA"}}), "U", "1.1").points == D(3)


# ---------------------------------------------------------------- bonus and penalty


def with_bonus_and_penalty(policy: NotApplicable) -> CriteriaSet:
    return criteria_set(
        group("1", leaf("1.1", 10, ManualRule())),
        leaf("B", 2, ManualRule(), kind=NodeKind.BONUS, not_applicable=policy),
        leaf("P", 3, ManualRule(), kind=NodeKind.PENALTY, not_applicable=policy),
        not_applicable=policy,
    )


@pytest.mark.parametrize("policy", list(NotApplicable))
def test_bonus_and_penalty_leaves_that_are_na_score_zero_and_keep_the_denominator(
    policy: NotApplicable,
) -> None:
    results = run(with_bonus_and_penalty(policy), {"U": {"1.1": "8", "B": "NA", "P": "KPS"}})
    for code in ("B", "P"):
        result = leaf_result(results, "U", code)
        assert (result.points, result.status, result.excluded) == (D(0), LeafStatus.NA, False)
    unit = unit_result(results, "U")
    assert (unit.bonus, unit.penalty, unit.points) == (D(0), D(0), D(8))
    assert (unit.applicable_max, str(unit.index)) == (D(10), "80.00")


def test_bonus_adds_and_penalty_subtracts_its_points() -> None:
    criteria = with_bonus_and_penalty(NotApplicable.EXCLUDE)
    results = run(criteria, {"U": {"1.1": "8", "B": "1,5", "P": "2"}})
    unit = unit_result(results, "U")
    assert (unit.bonus, unit.penalty, unit.points) == (D("1.5"), D(2), D("7.5"))
    assert unit.by_source["self"] == D(8)  # bonus and penalty are not in by_source
    assert str(unit.index) == "75.00"


# ---------------------------------------------------------------- nothing applies


def test_a_unit_for_which_nothing_applies_gets_index_zero_and_a_warning() -> None:
    criteria = criteria_set(group("1", leaf("1.1", 4, ManualRule()), leaf("1.2", 6, ManualRule())))
    results = run(criteria, {"U": {"1.1": "NA", "1.2": "KPS"}})
    unit = unit_result(results, "U")
    assert (unit.applicable_max, unit.index_exact, str(unit.index)) == (D(0), D(0), "0.00")
    assert [w.en for w in unit.warnings] == ["no criterion applies: the index is taken as 0"]
    assert [w.vi for w in unit.warnings] == ["mọi tiêu chí đều không áp dụng: chỉ số tính bằng 0"]


def test_nothing_applies_gives_the_lower_index_bound_when_it_is_above_zero() -> None:
    criteria = criteria_set(
        group("1", leaf("1.1", 4, ManualRule())), bounds=IndexBounds(D(10), D(100))
    )
    unit = unit_result(run(criteria, {"U": {"1.1": "NA"}}), "U")
    assert str(unit.index) == "10.00"
