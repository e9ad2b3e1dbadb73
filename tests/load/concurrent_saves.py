"""Many people saving the same leaves of one sheet at once: the scenario and its audit.

Threads (each with its own database connection) share a budget of save attempts on the five
leaves of one sheet. Each thread saves with the version it last saw, as a browser tab does:
the version its own last save returned, or the one a refusal reported ("keep mine"). Every
attempt writes a value no one wrote before, so every acknowledged save is a change.

`audit` then proves that nothing acknowledged was lost: per leaf, the acknowledged saves got the
versions 1..n exactly once; the stored value is the one acknowledged last; the history holds
exactly one value change per acknowledged save, in that order, each taking over from the one
before; the sheet's revision went up once per acknowledged save; and every refusal was real
(the version it was sent with had been overtaken when it was refused).

Run by the tests in process (PostgreSQL) and as a script on an SQLite file in WAL mode, exactly
as the embedded deployment runs:

    python tests/load/concurrent_saves.py --data-dir /tmp/x --threads 8 --attempts 1000
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Five ratio leaves: any `n/1000` is a valid value, so every attempt can write a new one.
SET = """\
code: T-LOAD
title: Bộ tiêu chí thử tải
year: 2024
unit_group: so_nganh
max_points: 5
decimals: 2
not_applicable: exclude
classes:
  - {code: tot, label: Tốt, min: 90}
  - {code: yeu, label: Yếu, min: 0}
nodes:
  - code: "1"
    title: Hồ sơ giải quyết đúng hạn
    children:
      - {code: "1.1", title: Quý I, max: 1, source: self,
         rule: {type: ratio, zero_denominator: full}}
      - {code: "1.2", title: Quý II, max: 1, source: self,
         rule: {type: ratio, zero_denominator: full}}
      - {code: "1.3", title: Quý III, max: 1, source: self,
         rule: {type: ratio, zero_denominator: full}}
      - {code: "1.4", title: Quý IV, max: 1, source: self,
         rule: {type: ratio, zero_denominator: full}}
      - {code: "1.5", title: Cả năm, max: 1, source: self,
         rule: {type: ratio, zero_denominator: full}}
"""
LEAVES = ("1.1", "1.2", "1.3", "1.4", "1.5")


@dataclass(frozen=True)
class Attempt:
    """One save as its sender saw it: `version` is the new one when acknowledged, the one the
    refusal reported when refused (a conflict)."""

    thread: int
    code: str
    value: str
    expected: int
    outcome: str  # "acknowledged" | "conflict" | "error"
    version: int
    detail: str = ""


def hammer(*, sheet_id: int, user_id: int, threads: int, attempts: int) -> list[Attempt]:
    """`attempts` saves from `threads` threads started together on the leaves of one sheet."""
    from django.db import connection

    from parindex.accounts.models import User
    from parindex.assessments.errors import ConflictError
    from parindex.assessments.models import Assessment
    from parindex.assessments.services import entry_save

    numbers = itertools.count()
    take = threading.Lock()
    done: list[Attempt] = []
    start = threading.Barrier(threads)

    def person(thread: int) -> None:
        try:
            sheet = Assessment.objects.get(pk=sheet_id)
            by = User.objects.get(pk=user_id)
            seen = dict.fromkeys(LEAVES, 0)
            start.wait(timeout=60)
            while True:
                with take:
                    n = next(numbers)
                if n >= attempts:
                    return
                code = LEAVES[(n + thread) % len(LEAVES)]
                value = f"{n + 1}/1000"
                expected = seen[code]
                try:
                    entry = entry_save(
                        assessment=sheet, code=code, value=value, note="",
                        expected_version=expected, by=by,
                    )  # fmt: skip
                except ConflictError as refusal:
                    seen[code] = refusal.current.version
                    done.append(
                        Attempt(thread, code, value, expected, "conflict", refusal.current.version)
                    )
                except Exception as error:  # counted and shown: the audit fails on any
                    done.append(Attempt(thread, code, value, expected, "error", -1, repr(error)))
                else:
                    seen[code] = entry.version
                    done.append(
                        Attempt(thread, code, value, expected, "acknowledged", entry.version)
                    )
        finally:
            connection.close()

    workers = [threading.Thread(target=person, args=(t,)) for t in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    return done


def audit(*, sheet_id: int, attempts: list[Attempt], revision_before: int) -> dict[str, Any]:
    """Counts, and every way the database disagrees with what was acknowledged (`problems`)."""
    from parindex.assessments.models import Assessment, Change, ChangeKind, LeafEntry

    problems: list[str] = [
        f"error: {a.code} {a.value}: {a.detail}" for a in attempts if a.outcome == "error"
    ]
    acknowledged: dict[str, list[Attempt]] = defaultdict(list)
    for attempt in attempts:
        if attempt.outcome == "acknowledged":
            acknowledged[attempt.code].append(attempt)
    entries = {e.code: e for e in LeafEntry.objects.filter(assessment_id=sheet_id)}
    for code in LEAVES:
        acks = sorted(acknowledged[code], key=lambda a: a.version)
        problems += _leaf_problems(
            code, acks, entries.get(code), sheet_id, ChangeKind.VALUE, Change
        )
        final = entries[code].version if code in entries else 0
        for refused in (a for a in attempts if a.code == code and a.outcome == "conflict"):
            if not (refused.expected < refused.version <= final):
                problems.append(
                    f"{code}: refused with version {refused.expected} while the leaf was at "
                    f"{refused.version} (final {final}): not a real conflict"
                )
    total = sum(len(acks) for acks in acknowledged.values())
    revision = Assessment.objects.get(pk=sheet_id).revision
    if revision - revision_before != total:
        problems.append(
            f"sheet revision rose by {revision - revision_before}, {total} acknowledged"
        )
    return {
        "attempts": len(attempts),
        "acknowledged": total,
        "conflicts": sum(a.outcome == "conflict" for a in attempts),
        "errors": sum(a.outcome == "error" for a in attempts),
        "per_leaf": {code: len(acknowledged[code]) for code in LEAVES},
        "threads": len({a.thread for a in attempts}),
        "problems": problems,
    }


def _leaf_problems(
    code: str, acks: list[Attempt], entry: Any, sheet_id: int, value_kind: str, change: Any
) -> list[str]:
    problems: list[str] = []
    if [a.version for a in acks] != list(range(1, len(acks) + 1)):
        problems.append(f"{code}: acknowledged versions are not 1..{len(acks)} once each")
    final_version = entry.version if entry else 0
    if final_version != len(acks):
        problems.append(f"{code}: stored version {final_version}, {len(acks)} acknowledged saves")
    if acks and (entry is None or entry.value != acks[-1].value):
        stored = entry.value if entry else None
        problems.append(f"{code}: stored {stored!r}, last acknowledged {acks[-1].value!r}")
    history = list(
        change.objects.filter(assessment_id=sheet_id, code=code, kind=value_kind)
        .order_by("id")
        .values_list("old", "new")
    )
    expected = [("" if i == 0 else acks[i - 1].value, a.value) for i, a in enumerate(acks)]
    if history != expected:
        problems.append(
            f"{code}: {len(history)} value changes in the history for {len(acks)} acknowledged "
            "saves, or not in the acknowledged order"
        )
    return problems


def run(*, threads: int, attempts: int) -> dict[str, Any]:
    """Build a sheet, hammer it, audit it: the counts and the problems (none expected)."""
    from assessment_builders import build
    from django.db import connection

    world = build(units=("SO_NV",), yaml_text=SET)
    sheet = world.sheet("SO_NV")
    started = time.perf_counter()
    done = hammer(
        sheet_id=sheet.pk, user_id=world.focal["SO_NV"].pk, threads=threads, attempts=attempts
    )
    took = time.perf_counter() - started
    report = audit(sheet_id=sheet.pk, attempts=done, revision_before=sheet.revision)
    report["seconds"] = round(took, 2)
    report["database"] = connection.vendor
    return report


def summary(report: dict[str, Any]) -> str:
    return (
        f"{report['database']}: {report['attempts']} save attempts from {report['threads']} "
        f"threads in {report['seconds']} s: {report['acknowledged']} acknowledged, "
        f"{report['conflicts']} conflicts, {report['errors']} errors; per leaf "
        f"{report['per_leaf']}; lost updates / false conflicts: {len(report['problems'])}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", required=True, help="where the SQLite file goes")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--attempts", type=int, default=1000)
    args = parser.parse_args()
    here = Path(__file__).resolve().parent
    sys.path[:0] = [str(here), str(here.parent), str(here.parent / "assessments")]
    os.environ.pop("DATABASE_URL", None)
    os.environ["PARINDEX_DATA_DIR"] = args.data_dir
    os.environ.setdefault("PARINDEX_SECRET_KEY", "load-test-only-not-secret")
    os.environ.setdefault("PARINDEX_LOG_LEVEL", "ERROR")
    os.environ["DJANGO_SETTINGS_MODULE"] = "parindex.site.settings"
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("migrate", interactive=False, verbosity=0)
    report = run(threads=args.threads, attempts=args.attempts)
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
