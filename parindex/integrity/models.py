"""The score history (*lịch sử thay đổi điểm*): rows written only by database triggers."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Operation(models.TextChoices):
    INSERT = "INSERT", _("created")
    UPDATE = "UPDATE", _("changed")
    DELETE = "DELETE", _("deleted")


class HistoryRecord(models.Model):
    """One change to a score-bearing row, as the database saw it; never updated or deleted.

    Rows of one sheet (`chain` is the assessment id) form a hash chain: `hash` is
    sha256(prev_hash + "\\n" + payload), payload being the fields below joined by newlines
    (see `integrity.chain.payload`). `at` is kept as the exact UTC text the trigger hashed.
    """

    chain = models.BigIntegerField()
    seq = models.BigIntegerField()
    table_name = models.CharField(max_length=63)
    row_id = models.BigIntegerField()
    operation = models.CharField(max_length=6, choices=Operation.choices)
    old = models.TextField(null=True)  # JSON of the row before; null for an INSERT
    new = models.TextField(null=True)  # JSON of the row after; null for a DELETE
    at = models.CharField(max_length=32)  # UTC, ISO 8601 text: 2026-11-21T16:30:00.123456Z
    actor = models.CharField(max_length=64, blank=True)  # user id; empty outside the app
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "integrity_history"
        verbose_name = _("history record")
        verbose_name_plural = _("history records")
        ordering = ["chain", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="unique_history_link"),
        ]
        indexes = [models.Index(fields=["table_name", "row_id"], name="history_by_row")]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.operation} {self.table_name}:{self.row_id}"

    @property
    def recorded_at(self) -> dt.datetime:
        return dt.datetime.fromisoformat(self.at.replace("Z", "+00:00"))
