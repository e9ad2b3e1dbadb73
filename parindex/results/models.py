"""Computed results and publication snapshots (*công bố*)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ComputedResult(models.Model):
    """The engine's result for a cycle, with what is needed to recompute it exactly."""

    cycle = models.ForeignKey(
        "assessments.Cycle", on_delete=models.CASCADE, related_name="computed_results"
    )
    engine_version = models.CharField(max_length=32)
    input_hash = models.CharField(max_length=64)
    document = models.JSONField()
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("computed result")
        verbose_name_plural = _("computed results")
        ordering = ["-computed_at"]


class Publication(models.Model):
    """An immutable, hash-stamped snapshot; a correction is a new revision, never an edit."""

    cycle = models.ForeignKey(
        "assessments.Cycle", on_delete=models.PROTECT, related_name="publications"
    )
    revision = models.PositiveIntegerField()
    snapshot = models.TextField()  # canonical JSON
    sha256 = models.CharField(max_length=64)
    engine_version = models.CharField(max_length=32)
    input_hash = models.CharField(max_length=64)
    reason = models.TextField(blank=True)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        ordering = ["cycle", "-revision"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "revision"], name="unique_publication_revision"
            )
        ]
