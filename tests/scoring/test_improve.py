"""`improve()`: what a unit needs to reach a target rank, every other unit held fixed."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import pytest
from scoring_builders import criteria_set, group, leaf, run, scale_survey

from parindex.scoring import improve
from parindex.scoring.improve import LostLeaf
from parindex.scoring.model import CriteriaSet, ManualRule, NodeKind, Source, SurveyRule
from parindex.scoring.results import Results

D = Decimal


def ten_leaves() -> CriteriaSet:
    """Field 1 with leaves 1.1 … 1.10 of max 10 each (max_points 100)."""
    return criteria_set(group("1", *(leaf(f"1.{i}", 10, ManualRule()) for i in range(1, 11))))


def scored(criteria: CriteriaSet, units: dict[str, list[str]]) -> Results:
    return run(
        criteria,
        {
            unit: {f"1.{i}": v for i, v in enumerate(row, start=1) if v}
            for unit, row in units.items()
        },
    )


FULL = ["10"] * 10


def lost(plan_leaves: Iterable[LostLeaf]) -> list[tuple[str, Decimal]]:
    return [(leaf.code, leaf.lost) for leaf in plan_leaves]


def test_a_unit_already_at_the_target_needs_nothing() -> None:
    criteria = ten_leaves()
    results = scored(criteria, {"A": FULL, "B": ["5"] * 10})
    plan = improve(criteria, results, "A", 1)
    assert (plan.rank, plan.target_index, plan.index_needed, plan.points_needed) == (
        1,
        D("50.00"),
        D(0),
        D(0),
    )
    assert (plan.leaves, plan.reachable) == ((), True)


def test_the_plan_is_the_shortest_run_of_largest_lost_points() -> None:
    criteria = ten_leaves()
    me = ["10", "4", "10", "8", "2", "10", "10", "9", "10", "10"]  # 83: lost 6, 2, 8, 1
    results = scored(criteria, {"ME": me, "TOP": FULL, "MID": ["9,5"] * 10})
    plan = improve(criteria, results, "ME", 2)
    assert (plan.index, plan.rank, plan.target_index) == (D("83.00"), 3, D("95.00"))
    assert (plan.index_needed, plan.points_needed) == (D("12.00"), D("12.00"))
    assert lost(plan.leaves) == [("1.5", D(8)), ("1.2", D(6))]  # 8 < 12 ≤ 8 + 6
    assert plan.reachable is True
    everything = improve(criteria, results, "ME", 1)  # 17 = 8 + 6 + 2 + 1 exactly
    assert lost(everything.leaves) == [("1.5", D(8)), ("1.2", D(6)), ("1.4", D(2)), ("1.8", D(1))]
    assert everything.reachable is True


def test_one_leaf_is_enough_when_its_lost_points_cover_the_gap() -> None:
    criteria = ten_leaves()
    me = ["10", "4", "10", "8", "2", "10", "10", "9", "10", "10"]
    results = scored(criteria, {"ME": me, "MID": ["8,9"] * 10})
    plan = improve(criteria, results, "ME", 1)
    assert plan.points_needed == D("6.00")
    assert lost(plan.leaves) == [("1.5", D(8))]


def test_ties_in_lost_points_are_broken_by_natural_code_order() -> None:
    criteria = ten_leaves()
    me = ["10", "10", "10", "10", "10", "10", "10", "10", "5", "5"]  # 1.9 and 1.10 lost 5
    results = scored(criteria, {"ME": me, "TOP": FULL})
    plan = improve(criteria, results, "ME", 1)
    assert lost(plan.leaves) == [("1.9", D(5)), ("1.10", D(5))]


def test_reaching_a_tied_index_is_enough_for_the_shared_rank() -> None:
    criteria = ten_leaves()
    results = scored(
        criteria,
        {"A": FULL, "B": ["8,5"] * 10, "C": ["8,5"] * 10, "D": ["8"] * 10, "ME": ["7"] * 10},
    )
    for target in (2, 3):
        plan = improve(criteria, results, "ME", target)
        assert plan.target_index == D("85.00")
        assert plan.index_needed == D("15.00")
    assert improve(criteria, results, "ME", 4).target_index == D("80.00")


def test_with_fewer_other_units_than_the_target_rank_the_target_is_zero() -> None:
    criteria = ten_leaves()
    results = scored(criteria, {"A": FULL, "ME": ["1"] * 10})
    plan = improve(criteria, results, "ME", 3)
    assert (plan.target_index, plan.index_needed, plan.leaves) == (D(0), D(0), ())


def test_when_all_lost_points_are_not_enough_every_leaf_is_listed_and_unreachable() -> None:
    criteria = criteria_set(
        group("1", leaf("1.1", 5, ManualRule()), leaf("1.2", 5, ManualRule())),
        leaf("P", 5, ManualRule(), kind=NodeKind.PENALTY),
    )
    results = run(criteria, {"TOP": {"1.1": "5", "1.2": "5"}, "ME": {"1.1": "4", "P": "2"}})
    plan = improve(criteria, results, "ME", 1)
    assert (plan.index, plan.target_index) == (D("20.00"), D("100.00"))
    assert (plan.index_needed, plan.points_needed) == (D("80.00"), D("8.00"))
    assert lost(plan.leaves) == [("1.2", D(5)), ("1.1", D(1))]  # 6 < 8: the penalty stays
    assert plan.reachable is False


def test_points_needed_follow_the_unit_applicable_max() -> None:
    criteria = ten_leaves()
    me = ["NA", "NA", "NA", "NA", "NA", "5", "5", "5", "5", "5"]  # 25 / 50 = 50.00
    results = scored(criteria, {"ME": me, "TOP": ["6"] * 10})
    plan = improve(criteria, results, "ME", 1)
    assert (plan.index, plan.index_needed) == (D("50.00"), D("10.00"))
    assert plan.points_needed == D("5.00")  # 10 × 50 / 100
    assert [leaf.code for leaf in plan.leaves] == ["1.6"]


def test_na_survey_bonus_and_penalty_leaves_are_not_candidates_but_missing_ones_are() -> None:
    criteria = criteria_set(
        group(
            "1",
            leaf("1.1", 10, ManualRule()),
            leaf("1.2", 10, ManualRule()),
            leaf("1.3", 20, SurveyRule(("q1",)), source=Source.SURVEY),
        ),
        leaf("B", 5, ManualRule(), kind=NodeKind.BONUS),
        leaf("P", 5, ManualRule(), kind=NodeKind.PENALTY),
        survey=scale_survey(("g", 1)),
    )
    results = run(
        criteria,
        {"ME": {"1.1": "NA", "P": "5"}, "TOP": {"1.1": "10", "1.2": "10", "B": "5"}},
        responses=[{"unit": "TOP", "group": "g", "answers": {"q1": 5}}],
    )
    plan = improve(criteria, results, "ME", 1)
    assert [leaf.code for leaf in plan.leaves] == ["1.2"]  # missing: lost its whole max
    assert plan.reachable is False


def test_a_leaf_lost_nothing_is_not_listed() -> None:
    criteria = ten_leaves()
    me = ["10"] * 9 + ["9"]
    results = scored(criteria, {"ME": me, "TOP": FULL})
    plan = improve(criteria, results, "ME", 1)
    assert [(leaf.code, leaf.title, leaf.points, leaf.max) for leaf in plan.leaves] == [
        ("1.10", "Tiêu chí 1.10", D(9), D(10))
    ]


def test_a_target_rank_below_one_is_refused() -> None:
    criteria = ten_leaves()
    results = scored(criteria, {"ME": FULL})
    with pytest.raises(ValueError, match="target rank"):
        improve(criteria, results, "ME", 0)


def test_an_unknown_unit_is_a_key_error() -> None:
    criteria = ten_leaves()
    results = scored(criteria, {"ME": FULL})
    with pytest.raises(KeyError):
        improve(criteria, results, "OTHER", 1)
