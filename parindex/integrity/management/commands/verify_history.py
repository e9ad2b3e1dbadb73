"""`manage.py verify_history`: recompute the score history's hash chains and the published
snapshots' hashes; exit 1 naming the first broken link, 0 with "OK: …" when all hold.

Run it from cron and after every restore; print its OK line into the cycle's record, so that a
later rewrite of the whole chain would show as a different row count."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from parindex.integrity.verification import (
    first_unrecorded_row,
    history_verify,
    missing_triggers,
    publications_verify,
)


class Command(BaseCommand):
    help = "Verify the score history's hash chains and every published snapshot's hash."

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        missing = missing_triggers()
        if missing:
            names = ", ".join(missing)
            problems.append(
                "MISSING: " + _("history triggers absent or disabled: %(names)s") % {"names": names}
            )
        history = history_verify()
        if history.broken:
            problems.append(f"BROKEN: {history.broken}")
        unrecorded = first_unrecorded_row()
        if unrecorded:
            problems.append(f"UNRECORDED: {unrecorded}")
        publications, tampered = publications_verify()
        problems.extend(f"TAMPERED: {pub}" for pub in tampered)
        if problems:
            raise CommandError("\n".join(problems), returncode=1)
        counts = {"rows": history.rows, "chains": history.chains, "publications": publications}
        # The keywords (OK, MISSING, BROKEN, UNRECORDED, TAMPERED) stay English for scripts.
        self.stdout.write(
            "OK: " + _("%(rows)s rows in %(chains)s chains; %(publications)s publications") % counts
        )
