"""Template filters of the dossiers pages."""

from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(rate: Decimal | None) -> str:
    """A rate (fraction with 4 decimals) as a percentage with 2 decimals, '—' when none."""
    if rate is None:
        return "—"
    return f"{number_format(rate * 100, 2)}%"
