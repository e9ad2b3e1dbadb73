"""One-stop dossier statistics (*hồ sơ thủ tục hành chính một cửa*): the holiday calendar, the
saved column mappings, each imported file and the summary tables computed from it.

Millions of dossiers never become rows here: an import keeps the counts per unit, official,
procedure and unit-month (`DossierStat`) and the few late dossiers that break the apology rule
(`LateDossier`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parindex.core.models import TimeStampedModel


class Holiday(TimeStampedModel):
    """A day off (*ngày nghỉ lễ, Tết*) of an authority's working-day calendar."""

    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["authority", "date"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "date"], name="unique_holiday_date")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class ColumnMapping(TimeStampedModel):
    """The headers of an authority's one-stop system mapped to the FORMATS columns
    (`columns`: {header as the system writes it: FORMATS column}), and the values it writes
    in `status` and `online` mapped to FORMATS's (`values`: {"status": {"Đã có kết quả":
    "finished", …}, "online": {"Có": "1", …}}; matched NFC, stripped and casefolded)."""

    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="dossier_mappings"
    )
    name = models.CharField(_("name"), max_length=200)
    columns = models.JSONField(_("columns"), default=dict)
    values = models.JSONField(_("values"), default=dict, blank=True)

    class Meta:
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        ordering = ["authority", "name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "name"], name="unique_mapping_name")
        ]

    def __str__(self) -> str:
        return self.name


class ImportStatus(models.TextChoices):
    PROCESSING = "processing", _("processing")
    DONE = "done", _("done")


class DossierImport(models.Model):
    """One imported export file (*tệp xuất từ phần mềm một cửa*), known by its SHA-256."""

    authority = models.ForeignKey(
        "units.Authority", on_delete=models.CASCADE, related_name="dossier_imports"
    )
    year = models.PositiveIntegerField(_("year"))
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_path = models.CharField(_("stored file"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("imported at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.DONE
    )
    as_of = models.DateTimeField(_("as of"))
    mapping = models.JSONField(_("column mapping"), default=dict)
    values = models.JSONField(_("value mapping"), default=dict, blank=True)
    holidays = models.PositiveIntegerField(_("holidays used"), default=0)
    received = models.PositiveIntegerField(_("received"), default=0)
    finished = models.PositiveIntegerField(_("finished"), default=0)
    pending = models.PositiveIntegerField(_("pending"), default=0)
    withdrawn = models.PositiveIntegerField(_("withdrawn"), default=0)
    late = models.PositiveIntegerField(_("late"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    late_noncompliant = models.PositiveIntegerField(_("late, apology rule broken"), default=0)

    class Meta:
        verbose_name = _("dossier import")
        verbose_name_plural = _("dossier imports")
        ordering = ["-at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "sha256"], name="unique_dossier_file")
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.year})"


class StatKind(models.TextChoices):
    UNIT = "unit", _("unit")
    OFFICIAL = "official", _("official")
    PROCEDURE = "procedure", _("procedure")
    UNIT_MONTH = "unit-month", _("unit and month")


class DossierStat(models.Model):
    """One row of `parindex dossiers stats` for one `--by` key of an import.

    `unit_code` is the unit of the row: the key for `unit` and `unit-month`; for `official`
    the unit where the official handled most dossiers; empty for `procedure`.
    """

    dossier_import = models.ForeignKey(
        DossierImport, on_delete=models.CASCADE, related_name="stats"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=StatKind.choices)
    unit_code = models.CharField(_("unit"), max_length=64, blank=True)
    key = models.CharField(_("key"), max_length=255)
    received = models.PositiveIntegerField(_("received"))
    finished = models.PositiveIntegerField(_("finished"))
    pending = models.PositiveIntegerField(_("pending"))
    withdrawn = models.PositiveIntegerField(_("withdrawn"))
    early = models.PositiveIntegerField(_("early"))
    on_time = models.PositiveIntegerField(_("on time"))
    late = models.PositiveIntegerField(_("late"))
    overdue = models.PositiveIntegerField(_("overdue"))
    online = models.PositiveIntegerField(_("online"))
    late_rate = models.DecimalField(_("late rate"), max_digits=5, decimal_places=4, null=True)
    ontime_rate = models.DecimalField(_("on-time rate"), max_digits=5, decimal_places=4, null=True)
    online_rate = models.DecimalField(_("online rate"), max_digits=5, decimal_places=4, null=True)
    late_noncompliant = models.PositiveIntegerField(_("late, apology rule broken"))

    class Meta:
        verbose_name = _("dossier statistic")
        verbose_name_plural = _("dossier statistics")
        ordering = ["dossier_import", "kind", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier_import", "kind", "key"], name="unique_dossier_stat"
            )
        ]
        indexes = [models.Index(fields=["dossier_import", "kind", "unit_code"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class LateDossier(models.Model):
    """A late dossier that breaks the apology rule (seed 004): no apology before the due day,
    no new appointment, rescheduled more than once, or extended by more than a third."""

    dossier_import = models.ForeignKey(
        DossierImport, on_delete=models.CASCADE, related_name="late_dossiers"
    )
    dossier_id = models.CharField(_("dossier id"), max_length=255)
    unit_code = models.CharField(_("unit"), max_length=64)
    official = models.CharField(_("official"), max_length=255, blank=True)
    procedure = models.CharField(_("procedure"), max_length=255, blank=True)
    due_at = models.DateTimeField(_("due"))
    finished_at = models.DateTimeField(_("finished"))

    class Meta:
        verbose_name = _("late dossier")
        verbose_name_plural = _("late dossiers")
        ordering = ["dossier_import", "unit_code", "due_at", "dossier_id"]
        indexes = [models.Index(fields=["dossier_import", "unit_code"])]

    def __str__(self) -> str:
        return self.dossier_id
