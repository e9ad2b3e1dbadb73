"""Reading values as people write them: numbers, options, yes/no, fractions, counts, NA —
and the bilingual messages when a value does not fit its rule."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scoring_builders import leaf

from parindex.scoring.messages import ScoringError
from parindex.scoring.model import (
    NA,
    BooleanRule,
    Bracket,
    BracketsRule,
    ChoiceRule,
    DataRule,
    DeductionRule,
    Fraction,
    ManualRule,
    Option,
    RatioRule,
    Source,
    SurveyRule,
)
from parindex.scoring.numbers import parse_number, plain, quantize
from parindex.scoring.values import parse_leaf_value

D = Decimal

CHOICE = leaf(
    "1.1",
    2,
    ChoiceRule(
        (
            Option("dung_han", "Đúng hạn", D(2)),
            Option("cham", "Chậm", D(1)),
            Option("khong", "Không ban hành", D(0)),
        )
    ),
)
BOOLEAN = leaf("1.2", 2, BooleanRule(D(2), D(0)))
BRACKETS = leaf("1.3", 3, BracketsRule((Bracket(D("0.9"), D(3)), Bracket(D("0.8"), D(1)))))
RATIO = leaf("1.4", 3, RatioRule())
DEDUCTION = leaf("1.5", 2, DeductionRule(D("0.5")))
MANUAL = leaf("1.6", 2, ManualRule(D("0.25")))
MANUAL_FREE = leaf("1.7", 2, ManualRule())
DATA_RATIO = leaf("1.8", 2, DataRule("plan_completion_rate", RatioRule()), source=Source.DATA)
DATA_BRACKETS = leaf(
    "1.9", 2, DataRule("ontime_rate", BracketsRule((Bracket(D("0.9"), D(2)),))), source=Source.DATA
)
SURVEY = leaf("1.10", 2, SurveyRule(("q1",)), source=Source.SURVEY)


def error_of(node_text: tuple[object, str]) -> ScoringError:
    node, text = node_text
    with pytest.raises(ScoringError) as caught:
        parse_leaf_value(node, text)  # type: ignore[arg-type]
    return caught.value


# ---------------------------------------------------------------- numbers


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("0.25", "0.25"),
        ("0,25", "0.25"),
        ("95%", "0.95"),
        ("92,5%", "0.925"),
        (" 7,5 ", "7.5"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("1.234.567", "1234567"),
        ("1 234,5", "1234.5"),
        ("-3", "-3"),
        ("10%", "0.1"),
    ],
)
def test_numbers_are_read_with_either_decimal_mark_and_percent(written: str, number: str) -> None:
    assert parse_number(written) == D(number)


def test_a_single_dot_is_a_decimal_mark_so_one_point_two_three_four_is_not_a_thousand() -> None:
    assert parse_number("1.234") == D("1.234")
    assert parse_number("1,234") == D("1.234")


def test_ten_percent_and_zero_point_ten_are_the_same_number() -> None:
    assert parse_number("10%") == parse_number("0.10") == parse_number("0,1")


@pytest.mark.parametrize("written", ["", "abc", "12a", "%", "1/2", "--1"])
def test_text_that_is_not_a_number_is_refused_in_both_languages(written: str) -> None:
    with pytest.raises(ScoringError) as caught:
        parse_number(written)
    assert caught.value.message.en == f"not a number: '{written.strip()}'"
    assert caught.value.message.vi == f"không phải là số: '{written.strip()}'"


@pytest.mark.parametrize(
    ("exact", "rounded"),
    [
        ("84.995", "85.00"),
        ("84.994999", "84.99"),
        ("84.985", "84.99"),  # half-up, not banker's rounding (which would give 84.98)
        ("0.005", "0.01"),
        ("-0.005", "-0.01"),
        ("100", "100.00"),
    ],
)
def test_quantize_rounds_half_up(exact: str, rounded: str) -> None:
    assert str(quantize(D(exact), 2)) == rounded


def test_plain_writes_a_decimal_without_exponent_or_trailing_zeros() -> None:
    assert plain(D("83.250")) == "83.25"
    assert plain(D("1E+2")) == "100"
    assert plain(D("0.500")) == "0.5"
    assert plain(D("0E-10")) == "0"


# ---------------------------------------------------------------- NA


@pytest.mark.parametrize(
    "written", ["NA", "na", "N/A", "n/a", "KPS", "kps", "không phát sinh", "Không phát sinh"]
)
@pytest.mark.parametrize("node", [CHOICE, BOOLEAN, BRACKETS, RATIO, DEDUCTION, MANUAL, DATA_RATIO])
def test_not_applicable_is_read_on_every_rule_type(written: str, node: object) -> None:
    assert parse_leaf_value(node, f"  {written} ") is NA  # type: ignore[arg-type]


# ---------------------------------------------------------------- choice


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("cham", "cham"),
        ("CHAM", "cham"),
        ("Chậm", "cham"),
        ("chậm", "cham"),
        ("KHÔNG BAN HÀNH", "khong"),
        (" dung_han ", "dung_han"),
    ],
)
def test_choice_is_read_by_code_or_label_in_any_case(written: str, code: str) -> None:
    assert parse_leaf_value(CHOICE, written) == code


def test_an_unknown_option_lists_the_option_codes() -> None:
    error = error_of((CHOICE, "som"))
    assert error.message.en == "'som' is not an option (one of: dung_han, cham, khong)"
    assert error.message.vi == (
        "'som' không phải là phương án hợp lệ (chọn một trong: dung_han, cham, khong)"
    )


# ---------------------------------------------------------------- boolean


@pytest.mark.parametrize(
    "written", ["yes", "Yes", "có", "CÓ", "co", "1", "true", "TRUE", "x", "X", "đạt", "Đạt", "dat"]
)
def test_boolean_yes_words(written: str) -> None:
    assert parse_leaf_value(BOOLEAN, written) is True


@pytest.mark.parametrize(
    "written", ["no", "NO", "không", "Không", "khong", "0", "false", "không đạt", "khong dat"]
)
def test_boolean_no_words(written: str) -> None:
    assert parse_leaf_value(BOOLEAN, written) is False


def test_a_boolean_that_is_neither_yes_nor_no_is_refused_in_both_languages() -> None:
    error = error_of((BOOLEAN, "maybe"))
    assert error.message.en == "'maybe' is not yes/no (yes, no, có, không, 1, 0, true, false)"
    assert error.message.vi.startswith("'maybe' không phải là có/không")


# ---------------------------------------------------------------- ratio


@pytest.mark.parametrize(
    ("written", "numerator", "denominator"),
    [
        ("45/50", "45", "50"),
        (" 45 / 50 ", "45", "50"),
        ("0/0", "0", "0"),
        ("3/0", "3", "0"),
        ("0,9", "0.9", "1"),
        ("90%", "0.9", "1"),
        ("12,5/25", "12.5", "25"),
    ],
)
def test_ratio_reads_a_fraction_or_a_plain_share(
    written: str, numerator: str, denominator: str
) -> None:
    assert parse_leaf_value(RATIO, written) == Fraction(D(numerator), D(denominator))


def test_a_negative_fraction_is_refused_in_both_languages() -> None:
    error = error_of((RATIO, "-1/5"))
    assert error.message.en == "numerator and denominator cannot be negative: '-1/5'"
    assert error.message.vi == "tử số và mẫu số không được âm: '-1/5'"


def test_a_fraction_with_a_word_in_it_is_not_a_number() -> None:
    assert error_of((RATIO, "45/năm mươi")).message.en == "not a number: 'năm mươi'"


# ---------------------------------------------------------------- deduction


@pytest.mark.parametrize(("written", "count"), [("0", 0), ("3", 3), ("2,0", 2), ("2.00", 2)])
def test_deduction_reads_a_whole_count(written: str, count: int) -> None:
    assert parse_leaf_value(DEDUCTION, written) == count


@pytest.mark.parametrize("written", ["1,5", "-1", "0.5"])
def test_a_count_that_is_not_a_whole_number_is_refused_in_both_languages(written: str) -> None:
    error = error_of((DEDUCTION, written))
    assert error.message.en == f"the count must be a whole number ≥ 0: '{written}'"
    assert error.message.vi == f"số lần vi phạm phải là số nguyên không âm: '{written}'"


# ---------------------------------------------------------------- manual


@pytest.mark.parametrize(
    ("written", "points"), [("0", "0"), ("1,75", "1.75"), ("2", "2"), ("0.25", "0.25")]
)
def test_manual_accepts_points_on_the_step_within_the_max(written: str, points: str) -> None:
    assert parse_leaf_value(MANUAL, written) == D(points)


def test_manual_points_off_the_step_are_refused_in_both_languages() -> None:
    error = error_of((MANUAL, "1,8"))
    assert error.message.en == "points 1.8 are not a multiple of the step 0.25"
    assert error.message.vi == "điểm 1,8 không phải là bội số của bước 0,25"


@pytest.mark.parametrize(("written", "shown"), [("2,25", "2.25"), ("-0,25", "-0.25")])
def test_manual_points_outside_zero_to_max_are_refused_in_both_languages(
    written: str, shown: str
) -> None:
    error = error_of((MANUAL, written))
    assert error.message.en == f"points {shown} outside [0, 2]"
    assert error.message.vi == f"điểm {shown.replace('.', ',')} nằm ngoài khoảng [0; 2]"


def test_vietnamese_range_messages_write_decimal_commas() -> None:
    half = leaf("1.1", "1.5", ManualRule(D("0.5")))
    assert error_of((half, "2")).message.vi == "điểm 2 nằm ngoài khoảng [0; 1,5]"
    assert error_of((half, "2")).message.en == "points 2 outside [0, 1.5]"


def test_manual_without_a_step_accepts_any_points_within_the_max() -> None:
    assert parse_leaf_value(MANUAL_FREE, "1,333") == D("1.333")


# ---------------------------------------------------------------- brackets, data, survey


def test_brackets_and_data_read_numbers_and_percents() -> None:
    assert parse_leaf_value(BRACKETS, "0,9") == D("0.9")
    assert parse_leaf_value(BRACKETS, "90%") == D("0.9")
    assert parse_leaf_value(DATA_BRACKETS, "93%") == D("0.93")


def test_a_data_leaf_with_a_ratio_takes_a_fraction_or_a_number() -> None:
    assert parse_leaf_value(DATA_RATIO, "8/10") == Fraction(D(8), D(10))
    assert parse_leaf_value(DATA_RATIO, "80%") == D("0.8")


def test_a_data_leaf_with_brackets_refuses_a_fraction() -> None:
    assert error_of((DATA_BRACKETS, "8/10")).message.en == "not a number: '8/10'"


def test_a_survey_leaf_takes_no_entered_value() -> None:
    error = error_of((SURVEY, "5"))
    assert error.message.en == "leaf 1.10 is scored from the survey and takes no entered value"
    assert error.message.vi == (
        "tiêu chí 1.10 lấy điểm từ điều tra xã hội học, không nhận giá trị nhập"
    )


def test_a_value_that_does_not_fit_raises_a_value_error_with_the_english_text() -> None:
    with pytest.raises(ValueError, match="is not an option"):
        parse_leaf_value(CHOICE, "sometimes")
