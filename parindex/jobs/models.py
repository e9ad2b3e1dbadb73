"""The job queue (*hàng đợi tác vụ nền*): one row per piece of background work.

A job is claimed by exactly one worker (a conditional update from `queued` to `running`,
under `SELECT … FOR UPDATE SKIP LOCKED` on PostgreSQL), which writes its heartbeat and
progress every few seconds until the job is `done` or `failed`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class Job(models.Model):
    """One piece of background work: a registered `kind` called with `arguments`."""

    kind = models.CharField(_("kind"), max_length=100)
    arguments = models.JSONField(_("arguments"), default=dict)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), default=0)
    stage = models.CharField(_("stage"), max_length=100, blank=True)
    result = models.JSONField(_("result"), null=True, blank=True)
    error_vi = models.TextField(_("error (Vietnamese)"), blank=True)
    error_en = models.TextField(_("error (English)"), blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    heartbeat = models.DateTimeField(_("heartbeat"), null=True, blank=True)

    class Meta:
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-pk"]
        indexes = [models.Index(fields=["status", "kind"], name="jobs_status_kind")]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        """How far along, 0–100; None while the job has not said how much there is."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)

    def error_text(self, lang: str) -> str:
        return self.error_en if lang == "en" else self.error_vi
