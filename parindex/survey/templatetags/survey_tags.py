"""Filters of the survey templates."""

from __future__ import annotations

from collections.abc import Mapping

from django import template

register = template.Library()


@register.filter
def get_answer(answers: Mapping[str, str], question: str) -> str:
    return answers.get(question, "")
