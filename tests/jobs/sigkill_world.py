"""The world of the SIGKILL test, made in a process of its own against the database that the
worker processes use: `python -m tests.jobs.sigkill_world ROWS FOLDER` writes a one-stop
export of ROWS dossiers (benchmarks/dossiers.py), makes the authority and its ~4,000 units,
stores the upload and queues its import; prints the job's id and the file's SHA-256."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _generator() -> object:
    spec = importlib.util.spec_from_file_location("bench_dossiers", ROOT / "benchmarks/dossiers.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(rows: int, folder: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.site.settings")
    import django

    django.setup()
    from parindex.dossiers import services, tasks
    from parindex.formats.dossiers import COLUMNS
    from parindex.units.models import Authority, Unit

    bench = _generator()
    export = folder / "mot-cua-quoc-gia.csv"
    bench.generate(export, rows)  # type: ignore[attr-defined]
    codes = {line.split(",", 2)[1] for line in export.open(encoding="utf-8").readlines()[1:]}
    authority = Authority.objects.create(code="quoc-gia", name="Thử tải")
    Unit.objects.bulk_create(
        Unit(authority=authority, code=code, name=code) for code in sorted(codes)
    )
    with export.open("rb") as file:
        upload = services.dossiers_upload_store(
            authority=authority, file=file, file_name=export.name
        )
    job = tasks.dossiers_import_submit(
        authority=authority,
        year=2024,
        upload=upload,
        mapping={column: column for column in COLUMNS},
        values={},
        by=None,
    )
    print(job.pk, upload.sha256)


if __name__ == "__main__":
    main(int(sys.argv[1]), Path(sys.argv[2]))
