"""What the survey services say when they refuse an action (lazy, translated when shown)."""

from __future__ import annotations

from parindex.assessments.errors import AssessmentError


class SurveyError(AssessmentError):
    """A survey service refused what was asked; shown with `assessments.errors.refusal`."""


class InvitationUsedError(SurveyError):
    """The one-use link or code has already been used for a submitted answer."""
