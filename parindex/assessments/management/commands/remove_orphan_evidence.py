"""`manage.py remove_orphan_evidence`: delete stored files that no document names (run daily)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from parindex.assessments.services import evidence_orphans_remove


class Command(BaseCommand):
    help = (
        "Delete evidence files left without a document row (an upload rolled back), "
        "once they are older than --hours (default 1)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        removed = evidence_orphans_remove(older_than=dt.timedelta(hours=options["hours"]))
        for name in removed:
            self.stdout.write(f"removed {name}")
        self.stdout.write(f"{len(removed)} orphan file(s) removed")
