"""Year-over-year deltas with lineage (merged units), and the summary of a computation."""

from __future__ import annotations

from decimal import Decimal

from scoring_builders import CLASSES, criteria_set, group, leaf, run, unit_result

from parindex.scoring.model import CriteriaSet, ManualRule, NodeKind, Unit
from parindex.scoring.ranking import weak_fields

D = Decimal


def manual_set() -> CriteriaSet:
    return criteria_set(group("1", leaf("1.1", 10, ManualRule())), classes=CLASSES)


# ---------------------------------------------------------------- previous year


def test_delta_index_is_now_minus_then_and_delta_rank_is_then_minus_now() -> None:
    results = run(
        manual_set(),
        {"A": {"1.1": "7,379"}, "B": {"1.1": "8"}},
        previous={"A": ("81", 1), "B": ("70.5", 2)},
    )
    a, b = unit_result(results, "A"), unit_result(results, "B")
    assert a.delta is not None and b.delta is not None
    assert (str(a.index), a.rank, a.delta.index, a.delta.rank) == ("73.79", 2, D("-7.21"), -1)
    assert (str(b.index), b.rank, b.delta.index, b.delta.rank) == ("80.00", 1, D("9.50"), 1)
    assert a.previous_from == () and a.previous is not None and a.previous.rank == 1


def test_a_merged_unit_is_compared_with_the_mean_of_its_predecessors() -> None:
    merged = Unit("XA_MOI", "Xã Mới", predecessors=("XA_C", "XA_D"))
    results = run(
        manual_set(),
        {"XA_MOI": {"1.1": "7"}},
        units=[merged],
        previous={"XA_C": ("60", 4), "XA_D": ("65", 2)},
    )
    unit = unit_result(results, "XA_MOI")
    assert unit.previous is not None and unit.delta is not None
    assert (unit.previous.index, unit.previous.rank) == (D("62.50"), None)
    assert unit.previous_from == ("XA_C", "XA_D")
    assert (unit.delta.index, unit.delta.rank) == (D("7.50"), None)


def test_the_predecessors_mean_is_rounded_half_up() -> None:
    merged = Unit("M", "M", predecessors=("P", "Q"))
    results = run(
        manual_set(),
        {"M": {"1.1": "8"}},
        units=[merged],
        previous={"P": ("80.01", 1), "Q": ("80.00", 2)},
    )
    unit = unit_result(results, "M")
    assert unit.previous is not None and str(unit.previous.index) == "80.01"  # 80.005 → up


def test_only_the_predecessors_found_last_year_make_the_mean() -> None:
    merged = Unit("M", "M", predecessors=("P", "NEW", "Q"))
    results = run(
        manual_set(),
        {"M": {"1.1": "8"}},
        units=[merged],
        previous={"P": ("70", 1), "Q": ("80", 2)},
    )
    unit = unit_result(results, "M")
    assert unit.previous is not None and unit.previous.index == D(75)
    assert unit.previous_from == ("P", "Q")


def test_a_unit_with_its_own_result_and_no_predecessor_found_keeps_its_own() -> None:
    unit_ = Unit("A", "A", predecessors=("GONE",))
    results = run(manual_set(), {"A": {"1.1": "8"}}, units=[unit_], previous={"A": ("70", 3)})
    unit = unit_result(results, "A")
    assert unit.previous is not None and unit.delta is not None
    assert (unit.previous.index, unit.previous_from, unit.delta.rank) == (D(70), (), 2)


def test_a_unit_that_absorbed_another_is_compared_with_the_mean_of_both() -> None:
    unit_ = Unit("A", "A", predecessors=("OLD",))
    results = run(
        manual_set(),
        {"A": {"1.1": "8"}},
        units=[unit_],
        previous={"A": ("70", 3), "OLD": ("10", 9)},
    )
    unit = unit_result(results, "A")
    assert unit.previous is not None and unit.delta is not None
    assert (unit.previous.index, unit.previous.rank, unit.previous_from) == (
        D(40),
        None,
        ("A", "OLD"),
    )
    assert (unit.delta.index, unit.delta.rank) == (D(40), None)


def test_a_renamed_unit_with_one_predecessor_keeps_its_rank_delta() -> None:
    renamed = Unit("B", "B", predecessors=("A",))
    results = run(manual_set(), {"B": {"1.1": "8"}}, units=[renamed], previous={"A": ("70", 3)})
    unit = unit_result(results, "B")
    assert unit.previous_from == ("A",)
    assert unit.delta is not None and (unit.delta.index, unit.delta.rank) == (D(10), 2)


def test_a_unit_new_this_year_has_no_previous_and_no_delta() -> None:
    results = run(manual_set(), {"NEW": {"1.1": "8"}}, previous={"A": ("70", 1)})
    unit = unit_result(results, "NEW")
    assert (unit.previous, unit.delta, unit.previous_from) == (None, None, ())


def test_last_year_without_a_rank_gives_an_index_delta_only() -> None:
    results = run(manual_set(), {"A": {"1.1": "8"}}, previous={"A": ("79.5", None)})
    unit = unit_result(results, "A")
    assert unit.delta is not None and (unit.delta.index, unit.delta.rank) == (D("0.50"), None)


def test_without_a_previous_file_no_unit_has_a_delta() -> None:
    results = run(manual_set(), {"A": {"1.1": "8"}})
    assert unit_result(results, "A").delta is None


# ---------------------------------------------------------------- summary


def test_the_median_of_an_even_count_is_the_mean_of_the_two_middle_indices() -> None:
    results = run(
        manual_set(),
        {"A": {"1.1": "9"}, "B": {"1.1": "8,001"}, "C": {"1.1": "7"}, "D": {"1.1": "6"}},
    )
    summary = results.summary
    # (80.01 + 70) / 2 = 75.005 → 75.01 half-up
    assert (summary.units, summary.median) == (4, D("75.01"))
    # (90 + 80.01 + 70 + 60) / 4 = 75.0025 → 75.00
    assert (summary.mean, summary.min, summary.max) == (D("75.00"), D("60.00"), D("90.00"))


def test_the_median_of_an_odd_count_is_the_middle_index() -> None:
    results = run(manual_set(), {"A": {"1.1": "9"}, "B": {"1.1": "5"}, "C": {"1.1": "6,5"}})
    assert results.summary.median == D("65.00")


def test_summary_statistics_use_the_rounded_indices() -> None:
    results = run(manual_set(), {"A": {"1.1": "8,4995"}, "B": {"1.1": "8,4985"}})
    # rounded 85.00 and 84.99 → mean 84.995 → 85.00; the exact mean 84.99 would stay 84.99
    assert results.summary.mean == D("85.00")
    assert (results.summary.min, results.summary.max) == (D("84.99"), D("85.00"))


def test_class_counts_list_every_class_including_those_no_unit_reached() -> None:
    results = run(manual_set(), {"A": {"1.1": "9,5"}, "B": {"1.1": "9"}, "C": {"1.1": "3"}})
    assert results.summary.classes == {"tot": 2, "kha": 0, "trung_binh": 0, "yeu": 1}


def test_units_without_a_class_are_not_counted() -> None:
    criteria = criteria_set(
        group("1", leaf("1.1", 10, ManualRule())), classes=(("tot", 90), ("kha", 80))
    )
    results = run(criteria, {"A": {"1.1": "9,5"}, "B": {"1.1": "3"}})
    assert results.summary.classes == {"tot": 1, "kha": 0}
    assert unit_result(results, "B").class_code is None


def four_fields() -> CriteriaSet:
    return criteria_set(
        group("1", leaf("1.1", 5, ManualRule())),
        group("9", leaf("9.1", 5, ManualRule())),
        group("10", leaf("10.1", 5, ManualRule())),
        group("2", leaf("2.1", 5, ManualRule())),
        leaf("B", 2, ManualRule(), kind=NodeKind.BONUS),
    )


def test_weak_fields_are_the_three_lowest_group_percents_ties_in_natural_code_order() -> None:
    results = run(
        four_fields(),
        {
            "A": {"1.1": "5", "9.1": "3", "10.1": "3", "2.1": "2", "B": "2"},
            "B": {"1.1": "4", "9.1": "2", "10.1": "2", "2.1": "4"},
        },
    )
    weak = [(w.code, w.percent) for w in results.summary.weak_fields]
    # 1: 9/10 = 90%; 9: 5/10 = 50%; 10: 5/10 = 50%; 2: 6/10 = 60%
    assert weak == [("9", D(50)), ("10", D(50)), ("2", D(60))]


def test_weak_field_percent_is_summed_over_units_not_averaged() -> None:
    criteria = criteria_set(
        group("1", leaf("1.1", 5, ManualRule()), leaf("1.2", 5, ManualRule())),
        group("2", leaf("2.1", 10, ManualRule())),
    )
    results = run(
        criteria,
        {
            # A: field 1 = 1 / 5 (1.2 excluded) = 20%; B: field 1 = 10 / 10 = 100%
            "A": {"1.1": "1", "1.2": "NA", "2.1": "5"},
            "B": {"1.1": "5", "1.2": "5", "2.1": "5"},
        },
    )
    weak = {w.code: w.percent for w in results.summary.weak_fields}
    # (1 + 10) / (5 + 10) × 100 = 73.33…, not the mean of 20% and 100%
    assert str(weak["1"]).startswith("73.333333")
    assert weak["2"] == D(50)


def test_a_field_every_unit_left_out_is_not_a_weak_field() -> None:
    criteria = criteria_set(
        group("1", leaf("1.1", 5, ManualRule())), group("2", leaf("2.1", 5, ManualRule()))
    )
    results = run(criteria, {"A": {"1.1": "1", "2.1": "NA"}})
    assert [w.code for w in results.summary.weak_fields] == ["1"]


def test_weak_fields_of_no_units_is_empty() -> None:
    assert weak_fields([]) == ()
