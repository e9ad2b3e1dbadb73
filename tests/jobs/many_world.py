"""`python -m tests.jobs.many_world N`: an authority with the four units of the example export
and N different small exports queued for import (each the example with one more dossier)."""

from __future__ import annotations

import io
import os
import sys


def main(count: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.site.settings")
    import django

    django.setup()
    from parindex.dossiers import services, tasks
    from parindex.units.models import Authority, Unit
    from tests.dossiers.conftest import UNITS, vietnamese_csv

    authority = Authority.objects.create(code="son-la", name="Sơn La")
    Unit.objects.bulk_create(Unit(authority=authority, code=code, name=code) for code in UNITS)
    base = vietnamese_csv()
    for n in range(count):
        extra = f"HS-EXTRA-{n},SO_TP,1.001,cb1,2024-03-01,2024-03-05,2024-03-04,Hoàn thành,Có,,,\n"
        upload = services.dossiers_upload_store(
            authority=authority, file=io.BytesIO(base + extra.encode()), file_name=f"f{n}.csv"
        )
        tasks.dossiers_import_submit(
            authority=authority, year=2024, upload=upload, mapping=None, values=None, by=None
        )


if __name__ == "__main__":
    main(int(sys.argv[1]))
