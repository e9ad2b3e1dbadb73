"""Reform plans (*kế hoạch cải cách hành chính*), their tasks (*nhiệm vụ*), progress reports
(*báo cáo tiến độ*) and the append-only history of each task's status."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel


class Plan(TimeStampedModel):
    """An authority's reform plan for a year, e.g. "Kế hoạch số 23/KH-UBND"."""

    authority = models.ForeignKey("units.Authority", on_delete=models.CASCADE, related_name="plans")
    year = models.PositiveIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=500)
    number = models.CharField(_("document number"), max_length=128, blank=True)

    class Meta:
        verbose_name = _("reform plan")
        verbose_name_plural = _("reform plans")
        ordering = ["-year", "title"]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class Task(TimeStampedModel):
    """One task of a plan with its lead unit (*đơn vị chủ trì*), partners (*đơn vị phối hợp*)
    and deadline as written; `due_date` is None for an ongoing task (*thường xuyên*)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("code"), max_length=64)
    title = models.TextField(_("title"))
    lead = models.ForeignKey(
        "units.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    partners = models.ManyToManyField(
        "units.Unit", verbose_name=_("partner units"), blank=True, related_name="+"
    )
    deadline = models.CharField(_("deadline as written"), max_length=255)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    starts = models.DateField(_("starts"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    completed_at = models.DateField(_("completed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["plan", "code"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "code"], name="unique_task_code"),
            models.CheckConstraint(
                condition=models.Q(status="done") | models.Q(completed_at__isnull=True),
                name="task_completed_only_when_done",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"


class TaskEvent(models.Model):
    """Append-only record of a task's status changes: who, when, from what, to what, why."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="events")
    old_status = models.CharField(max_length=16, blank=True)  # empty: the task was created
    new_status = models.CharField(max_length=16)
    reason = models.TextField(blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]


class PlanImport(models.Model):
    """A tasks file imported into a plan, by hash: the same file again changes nothing."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="imports")
    sha256 = models.CharField(max_length=64)
    name = models.CharField(max_length=255)
    tasks = models.PositiveIntegerField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "sha256"], name="unique_plan_import")
        ]


class Period(models.TextChoices):
    Q1 = "q1", _("Quarter I")
    Q2 = "q2", _("Quarter II")
    Q3 = "q3", _("Quarter III")
    Q4 = "q4", _("Quarter IV")
    H1 = "h1", _("First half-year")
    YEAR = "year", _("Year")


class ProgressReport(models.Model):
    """A lead unit's report on a task for a period (quarter, half-year, year)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    period = models.CharField(_("period"), max_length=8, choices=Period.choices)
    text = models.TextField(_("progress"))
    percent = models.PositiveSmallIntegerField(_("percent done"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(percent__lte=100), name="report_percent_at_most_100"
            )
        ]


class ReportFile(models.Model):
    """Evidence of a progress report, stored under MEDIA_ROOT (which no URL serves)."""

    report = models.ForeignKey(ProgressReport, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to="plans/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=127)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    def __str__(self) -> str:
        return self.original_name


class TaskReminderSent(models.Model):
    """A reminder already sent for a task, keyed by its due date and the days left."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="+")
    due_date = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["task", "due_date", "days_before"], name="unique_task_reminder"
            )
        ]
