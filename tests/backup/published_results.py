"""Print, as JSON, what a restored system must reproduce (run as a script on any database):

- every publication with its stored SHA-256, whether the snapshot still has it, and the
  SHA-256 of the snapshot rebuilt from a fresh computation by the app's own code path
  (`results_compute`: the cycle's final values → the engine), rolled back afterwards;
- every evidence document with its recorded SHA-256 and the SHA-256 of the stored file.
"""

from __future__ import annotations

import hashlib
import json
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parindex.site.settings")


class RollbackError(Exception):
    """Raised to undo the recomputation: the database is left as restored."""


def recomputed_snapshot_sha256(publication) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    from django.db import transaction

    from parindex.results.services import canonical_json, results_compute, sha256_text

    found: dict[str, str] = {}
    try:
        with transaction.atomic():
            result = results_compute(cycle=publication.cycle)
            # the layout of publication_publish's snapshot, filled from the fresh result
            snapshot = canonical_json(
                {
                    "cycle": {
                        "id": publication.cycle.pk,
                        "title": publication.cycle.title,
                        "year": publication.cycle.year,
                    },
                    "revision": publication.revision,
                    "engine_version": result.engine_version,
                    "input_hash": result.input_hash,
                    "results": result.document,
                }
            )
            found = {"sha256": sha256_text(snapshot), "results": canonical_json(result.document)}
            raise RollbackError
    except RollbackError:
        pass
    return found["sha256"], found["results"]


def triggers() -> list[str]:
    """The database's own triggers (the score history's): what dumpdata would lose."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.relname || '.' || t.tgname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal ORDER BY 1"
            )
        else:
            cursor.execute(
                "SELECT tbl_name || '.' || name FROM sqlite_master WHERE type = 'trigger' "
                "ORDER BY 1"
            )
        return [row[0] for row in cursor.fetchall()]


def main() -> None:
    import django

    django.setup()
    from parindex.assessments.models import Evidence
    from parindex.results.models import Publication
    from parindex.results.services import canonical_json, publication_verify

    publications = []
    for publication in Publication.objects.select_related("cycle").order_by("cycle", "revision"):
        recomputed, results = recomputed_snapshot_sha256(publication)
        stored_results = canonical_json(json.loads(publication.snapshot)["results"])
        publications.append(
            {
                "cycle": publication.cycle_id,
                "revision": publication.revision,
                "sha256": publication.sha256,
                "verifies": publication_verify(publication),
                "recomputed_sha256": recomputed,
                "recomputed_results_equal": results == stored_results,
                "units": [
                    [u["unit"], u["index"], u["rank"], u["class"]]
                    for u in json.loads(publication.snapshot)["results"]["units"]
                ],
            }
        )
    evidence = []
    for document in Evidence.objects.order_by("pk"):
        with document.file.open("rb") as stream:
            stored = hashlib.sha256(stream.read()).hexdigest()
        evidence.append(
            {"name": document.file.name, "sha256": document.sha256, "file_sha256": stored}
        )
    found = {"publications": publications, "evidence": evidence, "triggers": triggers()}
    print(json.dumps(found, ensure_ascii=False))


if __name__ == "__main__":
    main()
