"""Points of one leaf from its value, one function per rule type."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from parindex.scoring.model import (
    BooleanRule,
    BracketsRule,
    ChoiceRule,
    DataRule,
    DeductionRule,
    Fraction,
    LeafValue,
    ManualRule,
    RatioRule,
    Rule,
    ZeroDenominator,
)

ZERO = Decimal(0)


def clamp(points: Decimal, maximum: Decimal) -> Decimal:
    return max(ZERO, min(points, maximum))


def brackets_points(rule: BracketsRule, number: Decimal) -> Decimal:
    """The first bracket whose `min` ≤ number (brackets are in descending `min`); else 0."""
    for bracket in rule.brackets:
        if number >= bracket.min:
            return bracket.points
    return ZERO


def ratio_points(rule: RatioRule, maximum: Decimal, value: Fraction) -> Decimal | None:
    """max × n/d clamped to [0, max]; a zero denominator as the rule says (None: NA)."""
    if value.denominator == 0:
        if rule.zero_denominator is ZeroDenominator.FULL:
            return maximum
        if rule.zero_denominator is ZeroDenominator.ZERO:
            return ZERO
        return None
    return clamp(maximum * value.numerator / value.denominator, maximum)


def rule_points(rule: Rule, maximum: Decimal, value: LeafValue) -> Decimal | None:
    """Points a leaf with `rule` and `maximum` earns for `value`; None means not applicable.

    `value` has already been read by `parse_leaf_value`, so it has the type the rule takes.
    """
    if isinstance(rule, ChoiceRule):
        option = rule.option(str(value))
        return option.points if option else ZERO
    if isinstance(rule, BooleanRule):
        return rule.yes if value is True else rule.no
    if isinstance(rule, BracketsRule):
        assert isinstance(value, Decimal)
        return brackets_points(rule, value)
    if isinstance(rule, RatioRule):
        assert isinstance(value, Fraction)
        return ratio_points(rule, maximum, value)
    if isinstance(rule, DeductionRule):
        assert isinstance(value, int)
        return max(ZERO, maximum - rule.per * value)
    if isinstance(rule, ManualRule):
        assert isinstance(value, Decimal)
        return value
    if isinstance(rule, DataRule):
        return data_points(rule, maximum, value)
    raise TypeError(f"no points for rule {rule!r}")  # survey leaves are scored in survey.py


def data_points(rule: DataRule, maximum: Decimal, value: LeafValue) -> Decimal | None:
    """`then` applied to the metric: brackets on the number, or max × number for a ratio."""
    if isinstance(rule.then, BracketsRule):
        assert isinstance(value, Decimal)
        return brackets_points(rule.then, value)
    if isinstance(value, Fraction):
        return ratio_points(rule.then, maximum, value)
    assert isinstance(value, Decimal)
    return clamp(maximum * value, maximum)


def compile_rule(rule: Rule, maximum: Decimal) -> Callable[[LeafValue], Decimal | None]:
    """`rule_points` bound to one leaf; the common rules get a direct function (hot path)."""
    if isinstance(rule, ChoiceRule):
        by_code = {option.code: option.points for option in rule.options}

        def choice_points(value: LeafValue) -> Decimal | None:
            found = by_code.get(value) if isinstance(value, str) else None
            return found if found is not None else rule_points(rule, maximum, value)

        return choice_points
    if isinstance(rule, BooleanRule):
        yes, no = rule.yes, rule.no
        return lambda value: yes if value is True else no
    if isinstance(rule, ManualRule):
        return lambda value: value if isinstance(value, Decimal) else ZERO
    if isinstance(rule, BracketsRule):
        return lambda value: brackets_points(rule, value) if isinstance(value, Decimal) else ZERO
    return lambda value: rule_points(rule, maximum, value)
