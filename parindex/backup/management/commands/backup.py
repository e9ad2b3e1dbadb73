"""`manage.py backup --output FILE.tar.gz`: the database and every uploaded file, one archive."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parindex.backup.archive import BackupError
from parindex.backup.services import backup_create


class Command(BaseCommand):
    help = (
        "Sao lưu cơ sở dữ liệu (định dạng gốc của PostgreSQL hoặc SQLite) và mọi tệp đã tải "
        "lên vào một tệp .tar.gz có manifest.json với SHA-256 của từng thành phần. "
        "(Back up the database, in its engine's native format, and every uploaded file into "
        "one .tar.gz with a manifest.json holding each member's SHA-256.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", "-o", required=True, metavar="FILE.tar.gz")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_create(output=Path(options["output"]))
        except BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:  # the archive's own folder: missing, full, not allowed
            raise CommandError(f"{error.strerror}: {error.filename} ({error})") from None
        self.stdout.write(
            f"Đã sao lưu (backed up): {summary.path}\n"
            f"  cơ sở dữ liệu (database): {summary.database_bytes} bytes\n"
            f"  tệp (files): {summary.files}, {summary.file_bytes} bytes\n"
            f"  bản sao lưu (archive): {summary.archive_bytes} bytes, "
            f"{summary.seconds:.1f} s"
        )
