"""Cycles (*kỳ đánh giá*), self-assessments (*phiếu tự đánh giá*), evidence, appraisal, history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel


class Phase(models.TextChoices):
    SETUP = "setup", _("Setup")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    APPRAISAL = "appraisal", _("Appraisal")
    EXPLANATION = "explanation", _("Explanation")
    FINALISATION = "finalisation", _("Finalisation")
    PUBLISHED = "published", _("Published")


class Cycle(TimeStampedModel):
    """One year's evaluation of one unit group with one criteria set version."""

    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="cycles"
    )
    unit_group = models.ForeignKey("units.UnitGroup", on_delete=models.PROTECT, related_name="+")
    criteria_set = models.ForeignKey(
        "criteria.CriteriaSetVersion", on_delete=models.PROTECT, related_name="cycles"
    )
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=500)
    phase = models.CharField(_("phase"), max_length=32, choices=Phase.choices, default=Phase.SETUP)
    self_assessment_opens = models.DateTimeField(_("self-assessment opens"), null=True, blank=True)
    self_assessment_closes = models.DateTimeField(
        _("self-assessment closes"), null=True, blank=True
    )
    appraisal_closes = models.DateTimeField(_("appraisal closes"), null=True, blank=True)
    explanation_closes = models.DateTimeField(_("explanation closes"), null=True, blank=True)
    finalisation_due = models.DateTimeField(_("finalisation due"), null=True, blank=True)

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-year", "authority"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "unit_group", "year"], name="unique_cycle_per_group_year"
            )
        ]

    def __str__(self) -> str:
        return self.title


class CycleEvent(models.Model):
    """Append-only record of a cycle's phase changes: who moved it, when, from where to where."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="events")
    old_phase = models.CharField(max_length=32, blank=True)  # empty: the cycle was created
    new_phase = models.CharField(max_length=32)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("cycle event")
        verbose_name_plural = _("cycle events")
        ordering = ["at", "id"]


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPRAISED = "appraised", _("Appraised")
    EXPLAINED = "explained", _("Explained")
    FINAL = "final", _("Final")


class Assessment(TimeStampedModel):
    """A unit's sheet in a cycle: one value per leaf, self-assessed then appraised."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="assessments")
    unit = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revision = models.PositiveIntegerField(default=0)  # bumped by every saved change

    class Meta:
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")
        constraints = [
            models.UniqueConstraint(fields=["cycle", "unit"], name="unique_assessment_per_unit")
        ]

    def __str__(self) -> str:
        return f"{self.unit} — {self.cycle}"


class LeafEntry(TimeStampedModel):
    """A unit's raw value for one leaf: as self-assessed, as appraised, and the final one."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="entries")
    code = models.CharField(_("criterion code"), max_length=64)
    value = models.CharField(_("self-assessed value"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    appraised_value = models.CharField(_("appraised value"), max_length=255, blank=True)
    appraisal_reason = models.TextField(_("reason for the correction"), blank=True)
    appraised_at = models.DateTimeField(null=True, blank=True)
    appraised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)  # optimistic concurrency

    class Meta:
        verbose_name = _("leaf value")
        verbose_name_plural = _("leaf values")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "code"], name="unique_entry_per_leaf")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}:{self.code}={self.value}"


class ChangeKind(models.TextChoices):
    VALUE = "value", _("value")
    NOTE = "note", _("note")
    APPRAISAL = "appraisal", _("appraisal")
    EXPLANATION = "explanation", _("explanation")
    EVIDENCE = "evidence", _("evidence")
    STATUS = "status", _("status")


class Change(models.Model):
    """Append-only history: who changed what, when, from what to what, and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="changes")
    code = models.CharField(_("criterion code"), max_length=64, blank=True)  # empty: the sheet
    kind = models.CharField(max_length=16, choices=ChangeKind.choices)
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["assessment", "code"], name="change_by_leaf")]


class Evidence(TimeStampedModel):
    """A document (*tài liệu kiểm chứng*) uploaded by a unit; may back several leaves."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="evidence")
    file = models.FileField(upload_to="evidence/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        constraints = [  # the same file uploaded twice to one sheet is one document
            models.UniqueConstraint(fields=["assessment", "sha256"], name="unique_evidence_file")
        ]

    def __str__(self) -> str:
        return self.original_name


class EvidenceLink(models.Model):
    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    code = models.CharField(_("criterion code"), max_length=64)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["evidence", "code"], name="unique_evidence_link")
        ]


class ReminderSent(models.Model):
    """A deadline reminder already sent for a sheet, so that running the job twice sends once.

    Keyed by the deadline itself: when the secretariat moves a deadline, its reminders go again.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    deadline = models.DateTimeField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "deadline", "days_before"], name="unique_reminder"
            )
        ]


class ExplanationDecision(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class Explanation(TimeStampedModel):
    """A unit contests a correction (*giải trình*); the appraiser or council decides."""

    entry = models.ForeignKey(LeafEntry, on_delete=models.CASCADE, related_name="explanations")
    argument = models.TextField(_("argument"))
    proposed_value = models.CharField(_("proposed value"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(
        max_length=16, choices=ExplanationDecision.choices, default=ExplanationDecision.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
