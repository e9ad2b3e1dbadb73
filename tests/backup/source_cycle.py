"""Build a published cycle in the configured database (run as a script, like production):
two departments' sheets with evidence files, appraised (one value corrected), finalised by the
council chair (the engine computes) and published by the secretariat.

    DATABASE_URL=... PARINDEX_DATA_DIR=... python tests/backup/source_cycle.py
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE.parent / "assessments")]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.site.settings")


def main() -> None:
    import django
    from django.conf import settings

    django.setup()
    # what a password hash is made with is not under test here (tests/conftest.py)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)

    from appraisal_builders import AGENCY_SET, entry, move
    from assessment_builders import FULL, build, docx_bytes, pdf_bytes, person
    from django.core.files.base import ContentFile

    from parindex.accounts.models import Role
    from parindex.assessments.appraisal import cycle_finalise, entry_appraise
    from parindex.assessments.models import Phase
    from parindex.assessments.services import assessment_submit, entry_save, evidence_upload
    from parindex.results.services import publication_publish

    world = build(yaml_text=AGENCY_SET)
    for unit in world.units:
        for code, value in FULL.items():
            entry_save(
                assessment=world.sheet(unit),
                code=code,
                value=value,
                note=f"ghi chú {code}",
                expected_version=0,
                by=world.focal[unit],
            )
        for name, content, code in (
            ("qd.pdf", pdf_bytes(f"Quyet dinh ke hoach CCHC {unit}"), "1.1.1"),
            ("bc.docx", docx_bytes(f"Báo cáo CCHC năm 2024 của {unit}"), "1.1.2"),
        ):
            evidence_upload(
                assessment=world.sheet(unit),
                file=ContentFile(content, name=name),
                codes=[code],
                by=world.focal[unit],
            )
        assessment_submit(assessment=world.sheet(unit), by=world.head[unit])
    noi_vu = person("tham_dinh_nv", world.authority, Role.APPRAISER, world.units["SO_NV"])
    noi_vu.memberships.update(agency="noi_vu")
    tu_phap = person("tham_dinh_tp", world.authority, Role.APPRAISER)
    tu_phap.memberships.update(agency="tu_phap")
    move(world.cycle, Phase.APPRAISAL)
    for code, value, by in (("1.2", "70%", noi_vu), ("2.1", "40/50", tu_phap)):
        found = entry(world, code)
        entry_appraise(
            entry=found,
            value=value,
            reason="Số liệu theo báo cáo",
            expected_version=found.version,
            by=by,
        )
    move(world.cycle, Phase.EXPLANATION)
    cycle = cycle_finalise(cycle=world.cycle, by=world.chair)
    publication = publication_publish(cycle=cycle, by=world.secretariat)
    print(f"cycle {cycle.pk} published as revision {publication.revision}: {publication.sha256}")


if __name__ == "__main__":
    main()
