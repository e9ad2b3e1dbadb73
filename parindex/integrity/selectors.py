"""Reading the score history."""

from __future__ import annotations

from django.db.models import QuerySet

from parindex.assessments.models import LeafEntry
from parindex.integrity.models import HistoryRecord
from parindex.integrity.triggers import LEAF_ENTRY


def history_for_entry(entry: LeafEntry) -> QuerySet[HistoryRecord]:
    """Every change the database recorded for one leaf value, oldest first."""
    return HistoryRecord.objects.filter(table_name=LEAF_ENTRY, row_id=entry.pk).order_by("seq")
