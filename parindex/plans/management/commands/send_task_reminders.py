"""`manage.py send_task_reminders`: remind lead units of task deadlines (run it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parindex.plans.services import task_reminders_send


class Command(BaseCommand):
    help = (
        "E-mail the focal points and heads of lead units whose plan task is not done, "
        "7 and 1 days before its due date. Safe to run more than once a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = task_reminders_send()
        self.stdout.write(f"{sent} reminder(s) sent")
