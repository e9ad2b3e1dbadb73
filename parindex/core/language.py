"""The language messages are rendered in for the current request."""

from __future__ import annotations

from django.utils.translation import get_language


def message_lang() -> str:
    """`en` when the active language is English, else `vi` (Vietnamese first)."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"
