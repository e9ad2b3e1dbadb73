"""Classes (*xếp loại*) by the rounded index, and caps that lower them (the 10% late rule)."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from scoring_builders import CLASSES, criteria_set, group, leaf, run, unit_result

from parindex.formats.criteria import parse_criteria
from parindex.scoring.model import Cap, CriteriaSet, ManualRule
from parindex.scoring.ranking import apply_caps, cap_holds, class_of

D = Decimal

LATE = "≥10% hồ sơ trễ hạn không được xếp loại Tốt"

SET_YAML = """
code: T
title: T
year: 2024
unit_group: so_nganh
max_points: 10
classes:
  - {code: tot, label: Tốt, min: 90}
  - {code: kha, label: Khá, min: 80}
  - {code: trung_binh, label: Trung bình, min: 65}
  - {code: yeu, label: Yếu, min: 50}
caps:
  - {metric: late_rate, op: "OP", value: VALUE, max_class: kha, reason: "LATE"}
nodes:
  - code: "1"
    title: T
    children:
      - {code: "1.1", title: T, max: 10, source: self, rule: {type: manual}}
"""


def capped_set(op: str = ">=", value: str = "0.10") -> CriteriaSet:
    text = SET_YAML.replace("OP", op).replace("VALUE", value).replace("LATE", LATE)
    return parse_criteria(text)


def classed(criteria: CriteriaSet, points: str, **metrics: str) -> tuple[str | None, ...]:
    results = run(criteria, {"U": {"1.1": points}}, metrics={"U": metrics} if metrics else None)
    unit = unit_result(results, "U")
    return unit.class_before_caps, unit.class_code, *(cap.reason for cap in unit.caps)


# ---------------------------------------------------------------- classes


@pytest.mark.parametrize(
    ("points", "klass"),
    [
        ("10", "tot"),
        ("9", "tot"),  # exactly at min: inclusive
        ("8,9999", "tot"),  # 89.999 rounds to 90.00 first
        ("8,9994", "kha"),  # 89.994 rounds to 89.99
        ("8", "kha"),
        ("6,5", "trung_binh"),
        ("5", "yeu"),
        ("4,9994", None),  # 49.99: below every class
        ("0", None),
    ],
)
def test_the_class_is_the_first_whose_min_the_rounded_index_reaches(
    points: str, klass: str | None
) -> None:
    assert classed(capped_set(), points) == (klass, klass)


def test_a_set_without_classes_gives_no_class() -> None:
    criteria = criteria_set(group("1", leaf("1.1", 10, ManualRule())))
    assert classed(criteria, "10") == (None, None)


def test_class_of_reads_the_bands_highest_first() -> None:
    criteria = criteria_set(group("1", leaf("1.1", 1, ManualRule())), classes=CLASSES)
    assert [class_of(criteria, D(i)) for i in ("100", "90", "89.99", "65", "0", "-1")] == [
        "tot",
        "tot",
        "kha",
        "trung_binh",
        "yeu",
        None,
    ]


# ---------------------------------------------------------------- the 10% rule


@pytest.mark.parametrize("late", ["0.1", "0,10", "10%", "10,0%"])
def test_unit_with_ten_percent_late_cannot_be_tot(late: str) -> None:
    assert classed(capped_set(">=", "0.10"), "9,5", late_rate=late) == ("tot", "kha", LATE)


@pytest.mark.parametrize("late", ["0.1", "10%"])
def test_over_ten_percent_does_not_catch_exactly_ten_percent(late: str) -> None:
    assert classed(capped_set(">", "0.10"), "9,5", late_rate=late) == ("tot", "tot")


def test_over_ten_percent_catches_ten_point_one_percent() -> None:
    assert classed(capped_set(">", "10%"), "9,5", late_rate="10,1%") == ("tot", "kha", LATE)


def test_a_cap_value_written_as_percent_equals_the_fraction() -> None:
    assert capped_set(">=", "10%").caps[0].value == D("0.1")
    assert classed(capped_set(">=", "10%"), "9,5", late_rate="0.1") == ("tot", "kha", LATE)


def test_just_under_ten_percent_keeps_tot() -> None:
    assert classed(capped_set(), "9,5", late_rate="9,99%") == ("tot", "tot")


def test_a_cap_whose_metric_is_missing_does_not_apply() -> None:
    assert classed(capped_set(), "9,5") == ("tot", "tot")
    assert classed(capped_set(), "9,5", online_rate="0.2") == ("tot", "tot")


def test_a_cap_is_listed_only_when_it_lowers_the_class() -> None:
    # Khá by index, late 20%: the cap holds but Khá is not above its max_class.
    assert classed(capped_set(), "8,5", late_rate="20%") == ("kha", "kha")
    assert classed(capped_set(), "6", late_rate="20%") == ("yeu", "yeu")


def test_a_cap_never_gives_a_class_to_a_unit_below_every_min() -> None:
    assert classed(capped_set(), "3", late_rate="50%") == (None, None)


# ---------------------------------------------------------------- several caps


def several_caps() -> CriteriaSet:
    return criteria_set(
        group("1", leaf("1.1", 10, ManualRule())),
        classes=CLASSES,
        caps=[
            Cap("late_rate", ">=", D("0.1"), "kha", "late"),
            Cap("online_rate", "<", D("0.3"), "trung_binh", "online"),
            Cap("complaints", "==", D(0), "tot", "never binds"),
        ],
    )


def test_with_several_binding_caps_the_lowest_class_wins_and_all_are_listed() -> None:
    assert classed(several_caps(), "9,5", late_rate="0.12", online_rate="0.2") == (
        "tot",
        "trung_binh",
        "late",
        "online",
    )


def test_the_lowest_class_wins_whatever_the_order_of_the_caps() -> None:
    criteria = several_caps()
    reordered = replace(criteria, caps=tuple(reversed(criteria.caps)))
    assert classed(reordered, "9,5", late_rate="0.12", online_rate="0.2")[:2] == (
        "tot",
        "trung_binh",
    )


def test_a_cap_that_holds_but_is_not_below_the_class_stays_off_the_list() -> None:
    # Khá by index: late (≤ Khá) does not lower it, online (≤ Trung bình) does.
    assert classed(several_caps(), "8,5", late_rate="0.12", online_rate="0.2") == (
        "kha",
        "trung_binh",
        "online",
    )


@pytest.mark.parametrize(
    ("op", "metric", "holds"),
    [
        (">=", "0.1", True),
        (">=", "0.0999", False),
        (">", "0.1", False),
        (">", "0.1001", True),
        ("<=", "0.1", True),
        ("<=", "0.1001", False),
        ("<", "0.1", False),
        ("<", "0.0999", True),
        ("==", "0.10", True),
        ("==", "0.1001", False),
    ],
)
def test_each_comparison_at_the_line(op: str, metric: str, holds: bool) -> None:
    assert cap_holds(Cap("m", op, D("0.1"), "kha", "r"), D(metric)) is holds


def test_apply_caps_of_a_unit_without_class_is_none() -> None:
    assert apply_caps(several_caps(), None, {"late_rate": D(1)}) == (None, ())
