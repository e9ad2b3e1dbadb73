"""Reading a leaf's raw value (option, yes/no, number, n/d, count, points, NA) by its rule."""

from __future__ import annotations

from decimal import Decimal

from parindex.scoring.messages import Message, ScoringError, msg
from parindex.scoring.model import (
    NA,
    BooleanRule,
    BracketsRule,
    ChoiceRule,
    DataRule,
    DeductionRule,
    Fraction,
    LeafValue,
    ManualRule,
    Node,
    RatioRule,
    SurveyRule,
)
from parindex.scoring.numbers import parse_number, plain, plain_vi

NA_WORDS = frozenset({"na", "n/a", "không phát sinh", "kps", "khong phat sinh"})
YES_WORDS = frozenset({"yes", "có", "co", "1", "true", "x", "đạt", "dat"})
NO_WORDS = frozenset({"no", "không", "khong", "0", "false", "không đạt", "khong dat"})


def is_na(text: str) -> bool:
    return text.strip().casefold() in NA_WORDS


def parse_leaf_value(leaf: Node, text: str) -> LeafValue:
    """The value `text` means for `leaf`, or ScoringError saying why it does not fit."""
    cleaned = text.strip()
    if is_na(cleaned):
        return NA
    rule = leaf.rule
    if isinstance(rule, ChoiceRule):
        return _choice(rule, cleaned)
    if isinstance(rule, BooleanRule):
        return _boolean(cleaned)
    if isinstance(rule, BracketsRule):
        return parse_number(cleaned)
    if isinstance(rule, RatioRule):
        return parse_fraction(cleaned)
    if isinstance(rule, DeductionRule):
        return _count(cleaned)
    if isinstance(rule, ManualRule):
        return _manual(leaf, rule, cleaned)
    if isinstance(rule, DataRule):
        if isinstance(rule.then, RatioRule) and "/" in cleaned:
            return parse_fraction(cleaned)
        return parse_number(cleaned)
    if isinstance(rule, SurveyRule):
        raise ScoringError(
            msg(
                "tiêu chí {c} lấy điểm từ điều tra xã hội học, không nhận giá trị nhập",
                "leaf {c} is scored from the survey and takes no entered value",
                c=leaf.code,
            )
        )
    raise ScoringError(msg("tiêu chí {c} không có quy tắc", "leaf {c} has no rule", c=leaf.code))


def _choice(rule: ChoiceRule, text: str) -> str:
    option = rule.option(text)
    if option is None:
        folded = text.casefold()
        option = next((o for o in rule.options if o.label.casefold() == folded), None)
    if option is None:
        codes = ", ".join(o.code for o in rule.options)
        raise ScoringError(
            msg(
                "'{t}' không phải là phương án hợp lệ (chọn một trong: {o})",
                "'{t}' is not an option (one of: {o})",
                t=text,
                o=codes,
            )
        )
    return option.code


def _boolean(text: str) -> bool:
    folded = text.casefold()
    if folded in YES_WORDS:
        return True
    if folded in NO_WORDS:
        return False
    raise ScoringError(
        msg(
            "'{t}' không phải là có/không (có, không, yes, no, 1, 0, true, false)",
            "'{t}' is not yes/no (yes, no, có, không, 1, 0, true, false)",
            t=text,
        )
    )


def parse_fraction(text: str) -> Fraction:
    """`45/50` → 45 of 50; a plain number or percent is a share of 1."""
    if "/" in text:
        numerator_text, _, denominator_text = text.partition("/")
        numerator = parse_number(numerator_text)
        denominator = parse_number(denominator_text)
    else:
        numerator, denominator = parse_number(text), Decimal(1)
    if numerator < 0 or denominator < 0:
        raise ScoringError(
            msg(
                "tử số và mẫu số không được âm: '{t}'",
                "numerator and denominator cannot be negative: '{t}'",
                t=text,
            )
        )
    return Fraction(numerator, denominator)


def _count(text: str) -> int:
    number = parse_number(text)
    if number < 0 or number != number.to_integral_value():
        raise ScoringError(
            msg(
                "số lần vi phạm phải là số nguyên không âm: '{t}'",
                "the count must be a whole number ≥ 0: '{t}'",
                t=text,
            )
        )
    return int(number)


def _manual(leaf: Node, rule: ManualRule, text: str) -> Decimal:
    points = parse_number(text)
    if points < 0 or points > leaf.max:
        raise ScoringError(
            Message(
                f"điểm {plain_vi(points)} nằm ngoài khoảng [0; {plain_vi(leaf.max)}]",
                f"points {plain(points)} outside [0, {plain(leaf.max)}]",
            )
        )
    if rule.step and points % rule.step != 0:
        raise ScoringError(
            Message(
                f"điểm {plain_vi(points)} không phải là bội số của bước {plain_vi(rule.step)}",
                f"points {plain(points)} are not a multiple of the step {plain(rule.step)}",
            )
        )
    return points
