"""`manage.py restore FILE.tar.gz [--force]`: put back a backup's database and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from parindex.backup.archive import BackupError
from parindex.backup.services import backup_restore


class Command(BaseCommand):
    help = (
        "Phục hồi một bản sao lưu: kiểm tra từng thành phần với manifest trước, rồi phục hồi "
        "tệp và cơ sở dữ liệu. Dừng ứng dụng và worker trước khi phục hồi. "
        "(Restore a backup: every member is checked against the manifest first, then the files "
        "and the database are restored. Stop the app servers and workers first.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("archive", metavar="FILE.tar.gz")
        parser.add_argument(
            "--force",
            action="store_true",
            help="phục hồi đè lên cơ sở dữ liệu có dữ liệu (restore over a non-empty database)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            summary = backup_restore(
                archive=Path(options["archive"]), force=options["force"], say=self.stdout.write
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        except OSError as error:  # the archive's own folder: missing, full, not allowed
            raise CommandError(f"{error.strerror}: {error.filename} ({error})") from None
        made = summary.manifest
        self.stdout.write(
            f"Đã phục hồi (restored): bản sao lưu {made.created_at}, parindex "
            f"{made.parindex_version}, {made.database_vendor}\n"
            f"  tệp (files): {summary.files}, {summary.file_bytes} bytes; {summary.seconds:.1f} s"
        )
        if summary.pending_migrations:
            shown = ", ".join(f"{app}.{name}" for app, name in summary.pending_migrations[:5])
            self.stdout.write(
                self.style.WARNING(
                    f"Cơ sở dữ liệu cũ hơn mã nguồn ({len(summary.pending_migrations)} migration "
                    f"chưa áp dụng: {shown}): hãy chạy `manage.py migrate`. "
                    f"(The database is older than the code: run `manage.py migrate`.)"
                )
            )
        else:
            self.stdout.write("Lược đồ khớp với mã nguồn (the schema matches the code).")
