"""Template helpers of the cycle and sheet pages: numbers, Vietnam time, the inputs of a rule."""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parindex.assessments import workflow
from parindex.scoring.numbers import plain, plain_vi, quantize
from parindex.scoring.values import NO_WORDS, YES_WORDS, is_na

register = template.Library()


@register.filter
def pts(number: Any, decimals: int = 2) -> str:
    """Points as people read them: `7,5` in Vietnamese, `7.5` in English; `—` for none."""
    if number is None or number == "":
        return "—"
    return _points_text(str(number), int(decimals), (get_language() or "vi").startswith("en"))


@functools.lru_cache(maxsize=4096)  # a sheet writes the same few numbers hundreds of times
def _points_text(number: str, decimals: int, english: bool) -> str:
    try:
        value = quantize(Decimal(number), decimals)
    except (InvalidOperation, ValueError):
        return number
    return plain(value) if english else plain_vi(value)


@register.filter
def dotted(number: Any) -> str:
    """A number for an HTML attribute (`max`, `step`): always with a decimal point."""
    return plain(Decimal(str(number)))


@register.filter
def vn(moment: dt.datetime | None) -> str:
    """A moment in Hà Nội time, `31/03/2024 17:00`."""
    return workflow.vn_time(moment) if moment else "—"


@register.filter
def ratio_part(value: str, index: int) -> str:
    """The numerator (0) or denominator (1) of a stored `n/d` value."""
    if not value or is_na(value) or "/" not in value:
        return ""
    return value.split("/", 1)[int(index)].strip()


@register.filter
def yes_no(value: str) -> str:
    """`có` or `không` for a stored yes/no value, whatever words it was written with."""
    folded = (value or "").strip().casefold()
    if folded in YES_WORDS:
        return "có"
    if folded in NO_WORDS:
        return "không"
    return ""


@register.filter
def not_applicable(value: str) -> bool:
    return bool(value) and is_na(value)


@register.filter
def plain_value(value: str) -> str:
    """The stored value for a single input: empty when not applicable."""
    return "" if not value or is_na(value) else value


def _percent_like(mins: list[Decimal]) -> bool:
    """Bracket thresholds written as percents (stored as fractions: 100% → 1)."""
    return all(0 <= m <= 1 for m in mins) and any(m not in (0, 1) for m in mins)


@register.simple_tag
def rule_hint(rule: dict[str, Any], max_points: Any) -> str:
    """How the leaf's rule turns its value into points, in a sentence."""
    kind = rule.get("type")
    if kind == "data":
        rule = rule.get("then", {})
        kind = rule.get("type")
    if kind == "boolean":
        return _("Yes: %(yes)s points; no: %(no)s points.") % {
            "yes": pts(rule.get("yes")),
            "no": pts(rule.get("no")),
        }
    if kind == "brackets":
        mins = [Decimal(b["min"]) for b in rule.get("brackets", [])]
        percent = _percent_like(mins)
        parts = [
            f"≥ {pts(m * 100) + '%' if percent else pts(m)} → {pts(b['points'])}"
            for m, b in zip(mins, rule.get("brackets", []), strict=True)
        ]
        return _("Points by bracket: %(brackets)s.") % {"brackets": "; ".join(parts)}
    if kind == "ratio":
        return _("Points = %(max)s × numerator ÷ denominator.") % {"max": pts(max_points)}
    if kind == "deduction":
        return _("%(max)s points, less %(per)s for each violation counted.") % {
            "max": pts(max_points),
            "per": pts(rule.get("per")),
        }
    if kind == "manual":
        if rule.get("step"):
            return _("From 0 to %(max)s points, in steps of %(step)s.") % {
                "max": pts(max_points),
                "step": pts(rule.get("step")),
            }
        return _("From 0 to %(max)s points.") % {"max": pts(max_points)}
    return ""


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """`mapping[key]` in a template, or "" when it is not there."""
    try:
        return mapping.get(key, "")
    except AttributeError:
        return ""
