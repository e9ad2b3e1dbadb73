"""Words and numbers of the criteria pages, in the language of the page."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from parindex.scoring.numbers import plain, plain_vi

register = template.Library()


@register.filter
def points(value: Decimal | int | str | None) -> str:
    """`1.5` → `1,5` on a Vietnamese page, `1.5` on an English one."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return plain(number) if (get_language() or "vi").startswith("en") else plain_vi(number)


@register.filter
def source_label(value: str | None) -> str:
    labels = {"self": _("Self-assessed"), "survey": _("Survey"), "data": _("Data")}
    return labels.get(str(value or ""), str(value or ""))


@register.filter
def policy_label(value: str | None) -> str:
    """What a not-applicable leaf (*không phát sinh*) scores."""
    labels = {
        "exclude": _("left out of the denominator"),
        "full": _("full points"),
        "zero": _("zero points"),
    }
    return labels.get(str(value or ""), str(value or ""))


@register.filter
def kind_label(value: str | None) -> str:
    labels = {"bonus": _("bonus points"), "penalty": _("penalty points"), "normal": ""}
    return labels.get(str(value or ""), str(value or ""))


@register.filter
def field_label(value: str) -> str:
    """The name of a property compared between two versions."""
    labels = {
        "title": _("Title"),
        "max": _("Max points"),
        "kind": _("Kind"),
        "source": _("Source"),
        "rule": _("Rule"),
        "appraiser": _("Appraising agency"),
        "evidence": _("Evidence"),
        "not_applicable": _("If not applicable"),
        "year": _("Year"),
        "unit_group": _("Unit group"),
        "max_points": _("Max points of the set"),
        "decimals": _("Decimals"),
        "index_bounds": _("Index bounds"),
        "classes": _("Classes"),
        "caps": _("Caps"),
        "survey": _("Survey"),
    }
    return labels.get(value, value)
