"""The index formula, half-up rounding, index_bounds, and competition ranking on the rounded
index."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scoring_builders import criteria_set, group, leaf, run, unit_result

from parindex.formats.criteria import parse_criteria
from parindex.scoring.model import CriteriaSet, IndexBounds, ManualRule, NodeKind, Unit
from parindex.scoring.ranking import code_key, competition_ranks

D = Decimal


def manual_set(maximum: int = 10, decimals: int = 2) -> CriteriaSet:
    return criteria_set(group("1", leaf("1.1", maximum, ManualRule())), decimals=decimals)


def indices(criteria: CriteriaSet, points: dict[str, str]) -> dict[str, tuple[str, int]]:
    results = run(criteria, {unit: {"1.1": value} for unit, value in points.items()})
    return {u.unit.code: (str(u.index), u.rank) for u in results.units}


# ---------------------------------------------------------------- rounding


@pytest.mark.parametrize(
    ("maximum", "points", "index"),
    [
        (10, "8,4995", "85.00"),  # exactly …5 → up
        (20, "16,999", "85.00"),  # 16.999 / 20 × 100 = 84.995, through a division
        (10, "8,49949", "84.99"),
        (10, "8,49951", "85.00"),
        (10, "8,4985", "84.99"),  # half-up, not half-even (which would give 84.98)
        (3, "1", "33.33"),
        (3, "2", "66.67"),
        (8, "1", "12.50"),
        (10, "0", "0.00"),
        (10, "10", "100.00"),
    ],
)
def test_the_index_is_rounded_half_up_at_the_set_decimals(
    maximum: int, points: str, index: str
) -> None:
    unit = unit_result(run(manual_set(maximum), {"U": {"1.1": points}}), "U")
    assert str(unit.index) == index


def test_the_exact_index_is_kept_beside_the_rounded_one() -> None:
    unit = unit_result(run(manual_set(3), {"U": {"1.1": "2"}}), "U")
    assert str(unit.index_exact).startswith("66.66666666666666666666666666666666666")
    assert unit.index == D("66.67")


@pytest.mark.parametrize(("decimals", "index"), [(0, "85"), (1, "85.0"), (3, "84.950")])
def test_decimals_sets_the_rounding_place(decimals: int, index: str) -> None:
    unit = unit_result(run(manual_set(10, decimals), {"U": {"1.1": "8,495"}}), "U")
    assert str(unit.index) == index


def test_with_no_exclusions_and_max_100_the_index_equals_the_points() -> None:
    criteria = criteria_set(
        group("1", leaf("1.1", 60, ManualRule())), group("2", leaf("2.1", 40, ManualRule()))
    )
    unit = unit_result(run(criteria, {"U": {"1.1": "50,25", "2.1": "23,54"}}), "U")
    assert (unit.points, str(unit.index)) == (D("73.79"), "73.79")


# ---------------------------------------------------------------- bounds


def bonus_penalty_set(bounds: IndexBounds) -> CriteriaSet:
    return criteria_set(
        group("1", leaf("1.1", 10, ManualRule())),
        leaf("B", 3, ManualRule(), kind=NodeKind.BONUS),
        leaf("P", 5, ManualRule(), kind=NodeKind.PENALTY),
        bounds=bounds,
    )


def test_a_bonus_above_one_hundred_is_clamped_to_the_upper_bound() -> None:
    criteria = bonus_penalty_set(IndexBounds())
    unit = unit_result(run(criteria, {"U": {"1.1": "9,5", "B": "2"}}), "U")
    assert unit.points == D("11.5")  # before clamping
    assert (unit.index_exact, str(unit.index)) == (D(100), "100.00")


def test_a_penalty_below_zero_is_clamped_to_the_lower_bound() -> None:
    criteria = bonus_penalty_set(IndexBounds())
    unit = unit_result(run(criteria, {"U": {"1.1": "1", "P": "4"}}), "U")
    assert unit.points == D(-3)
    assert (unit.index_exact, str(unit.index)) == (D(0), "0.00")


def test_an_open_upper_bound_lets_the_bonus_through() -> None:
    criteria = bonus_penalty_set(IndexBounds(D(0), None))
    unit = unit_result(run(criteria, {"U": {"1.1": "9,5", "B": "2"}}), "U")
    assert str(unit.index) == "115.00"


def test_an_open_lower_bound_lets_the_penalty_through() -> None:
    criteria = bonus_penalty_set(IndexBounds(None, D(100)))
    unit = unit_result(run(criteria, {"U": {"1.1": "1", "P": "4"}}), "U")
    assert str(unit.index) == "-30.00"


def test_bounds_other_than_zero_and_one_hundred_are_applied() -> None:
    criteria = bonus_penalty_set(IndexBounds(D(20), D(90)))
    results = run(criteria, {"HI": {"1.1": "9,5"}, "LO": {"1.1": "1"}, "MID": {"1.1": "5"}})
    assert [(u.unit.code, str(u.index)) for u in results.units] == [
        ("HI", "90.00"),
        ("MID", "50.00"),
        ("LO", "20.00"),
    ]


# ---------------------------------------------------------------- ranks


def test_ties_share_a_rank_and_the_next_rank_skips() -> None:
    ranked = indices(manual_set(), {"A": "9", "B": "8", "C": "8", "D": "7"})
    assert ranked == {
        "A": ("90.00", 1),
        "B": ("80.00", 2),
        "C": ("80.00", 2),
        "D": ("70.00", 4),
    }


def test_ties_are_decided_on_the_rounded_index() -> None:
    ranked = indices(
        manual_set(),
        {"A": "8,4994", "B": "8,4995", "C": "8,5004", "D": "8,49949", "E": "8,49951"},
    )
    assert ranked == {
        "B": ("85.00", 1),
        "C": ("85.00", 1),
        "E": ("85.00", 1),
        "A": ("84.99", 4),
        "D": ("84.99", 4),
    }


def test_units_are_listed_by_rank_then_by_plain_unit_code() -> None:
    results = run(manual_set(), {"U2": {"1.1": "8"}, "U10": {"1.1": "8"}, "A": {"1.1": "7"}})
    assert [(u.unit.code, u.rank) for u in results.units] == [("U10", 1), ("U2", 1), ("A", 3)]


def test_ranking_does_not_depend_on_the_order_the_units_are_given() -> None:
    criteria = manual_set()
    values = {"A": {"1.1": "7"}, "B": {"1.1": "9"}, "C": {"1.1": "7"}, "D": {"1.1": "8"}}
    forward = run(criteria, values, units=[Unit(c, c) for c in "ABCD"])
    backward = run(criteria, values, units=[Unit(c, c) for c in "DCBA"])
    shape = [(u.unit.code, u.rank, u.index) for u in forward.units]
    assert shape == [(u.unit.code, u.rank, u.index) for u in backward.units]
    assert shape == [
        ("B", 1, D("90.00")),
        ("D", 2, D("80.00")),
        ("A", 3, D("70.00")),
        ("C", 3, D("70.00")),
    ]


def test_competition_ranks_are_one_plus_the_units_strictly_above() -> None:
    numbers = [D("85.00"), D("90.00"), D("85.00"), D("80"), D("90.0"), D("70")]
    assert competition_ranks(numbers) == [3, 1, 3, 5, 1, 6]


def test_competition_ranks_of_nothing_is_nothing() -> None:
    assert competition_ranks([]) == []


def test_a_computation_without_units_has_an_empty_summary() -> None:
    results = run(manual_set(), {})
    assert results.units == ()
    assert (results.summary.units, results.summary.mean, results.summary.median) == (0, None, None)


# ---------------------------------------------------------------- natural code order


def test_codes_sort_in_natural_order() -> None:
    codes = ["1.10", "B", "1.9", "10", "2", "1.2.1", "1.2", "P", "1.a"]
    assert sorted(codes, key=code_key) == [
        "1.2",
        "1.2.1",
        "1.9",
        "1.10",
        "1.a",
        "2",
        "10",
        "B",
        "P",
    ]


def test_codes_with_digit_like_characters_do_not_break_the_sort() -> None:
    assert sorted(["1.²", "1.2"], key=code_key) == ["1.2", "1.²"]


BOUNDS_YAML = """
code: T
title: T
year: 2024
unit_group: g
max_points: 10
BOUNDS
nodes:
  - code: "1"
    title: T
    children:
      - {code: "1.1", title: T, max: 10, source: self, rule: {type: manual}}
"""


@pytest.mark.parametrize(
    ("written", "bounds"),
    [
        ("", IndexBounds(D(0), D(100))),
        ("index_bounds: {min: 0, max: 100}", IndexBounds(D(0), D(100))),
        ("index_bounds: {min: 0}", IndexBounds(D(0), None)),
        ("index_bounds: {max: 100}", IndexBounds(None, D(100))),
    ],
)
def test_index_bounds_default_to_zero_and_one_hundred_and_a_side_left_out_is_open(
    written: str, bounds: IndexBounds
) -> None:
    assert parse_criteria(BOUNDS_YAML.replace("BOUNDS", written)).index_bounds == bounds
