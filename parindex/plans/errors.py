"""What the plan services say when they refuse an action (lazy, translated when shown)."""

from __future__ import annotations

from parindex.assessments.errors import AssessmentError


class PlanError(AssessmentError):
    """A plan service refused what was asked; shown with `assessments.errors.refusal`."""
