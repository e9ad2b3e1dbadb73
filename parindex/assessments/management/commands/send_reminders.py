"""`manage.py send_reminders`: remind units of the self-assessment deadline (run it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parindex.assessments.services import reminders_send


class Command(BaseCommand):
    help = (
        "E-mail the focal points and heads of units whose sheet is not submitted, "
        "3 and 1 days before the self-assessment deadline. Safe to run more than once a day."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        sent = reminders_send()
        self.stdout.write(f"{sent} reminder(s) sent")
