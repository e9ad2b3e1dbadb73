"""The survey at provincial scale: import 300,000 responses × 30 questions, then aggregate.

Builds a scratch database and, with the real services, a world: an authority, a unit group,
``--units`` units (units file import), a criteria set with a survey section (scale 1–5, groups
``cbccvc`` weight 1 and ``nguoi_dan`` weight 2, 30 questions over 10 survey leaves, the last
for ``nguoi_dan`` only, ``min_sample: 30``), a cycle opened for self-assessment (one sheet per
unit), a campaign and the two drafted questionnaires. A child process writes a KoboToolbox-style
``;`` CSV export (``_uuid``, ``_submission_time``, ``grp_info/don_vi``, ``grp_info/nhom``,
``grp_a/q01`` … ``grp_b/q30`` and Kobo's other columns; answers mostly as Vietnamese labels,
some as digits, ~5% skipped, a free-text column with the odd line break, ~0.5% bad rows:
unknown unit, out-of-scale answer, repeated ``_uuid``), so that the peak memory printed is
the import's and the aggregation's, not the generator's.

Then it times `survey.services.answers_import` (and checks its counts against the
generator's), the same file imported again (must change nothing), and the aggregation over all
units: `tally_of`, `statistics_of`, `progress_of`, `low_sample_units`, and the whole engine
computation (`results.services.cycle_inputs_final` + `scoring.compute`).
Targets (survey issue): import ≤ 30 s; aggregation for all units ≤ 2 s.

    .venv/bin/python benchmarks/survey.py [--rows 300000] [--units 200] [--keep DIR] [--profile]
    .venv/bin/python benchmarks/survey.py \\
        --database-url postgres://postgres@127.0.0.1:5432/parindex_bench_survey

SQLite (the default) lives in a temporary folder. A PostgreSQL database named in
``--database-url`` is dropped if it exists, created, migrated, and dropped at the end.
``--profile`` runs the first import under cProfile and prints the top 15 by cumulative time.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [f"q{i:02d}" for i in range(1, 31)]
LEAVES = 10  # 3 questions each
NGUOI_DAN_ONLY = QUESTIONS[27:]  # the last leaf asks citizens only
GROUPS = ("cbccvc", "nguoi_dan")
GROUP_LABELS = {"cbccvc": "Cán bộ, công chức", "nguoi_dan": "Người dân"}
LIKERT = {5: "Rất hài lòng", 4: "Hài lòng", 3: "Bình thường", 2: "Không hài lòng",
          1: "Rất không hài lòng"}  # fmt: skip
UNIT_GROUP = "so_nganh"
MAP = {
    "response_id": "_uuid",
    "unit": "grp_info/don_vi",
    "group": "grp_info/nhom",
    "submitted_at": "_submission_time",
}
TARGET_IMPORT_S = 30.0
TARGET_AGGREGATE_S = 2.0


def unit_codes(count: int) -> list[str]:
    return [f"DV_{i:03d}" for i in range(1, count + 1)]


def criteria_yaml() -> str:
    lines = [
        "code: BENCH-KS",
        "title: Bộ chỉ số thử tải khảo sát năm 2024",
        "year: 2024",
        f"unit_group: {UNIT_GROUP}",
        f"max_points: {2 + 2 * LEAVES}",
        "decimals: 2",
        "classes:",
        "  - {code: tot, label: Tốt, min: 90}",
        "  - {code: kha, label: Khá, min: 80}",
        "  - {code: trung_binh, label: Trung bình, min: 65}",
        "  - {code: yeu, label: Yếu, min: 0}",
        "survey:",
        "  scale: {min: 1, max: 5}",
        "  min_sample: 30",
        "  no_data: zero",
        "  groups:",
        f'    - {{code: cbccvc, label: "{GROUP_LABELS["cbccvc"]}", weight: 1}}',
        f"    - {{code: nguoi_dan, label: {GROUP_LABELS['nguoi_dan']}, weight: 2}}",
        "nodes:",
        '  - code: "1"',
        "    title: Công tác chỉ đạo, điều hành",
        "    children:",
        '      - {code: "1.1", title: Ban hành kế hoạch CCHC, max: 2, source: self,',
        '         rule: {type: boolean, "yes": 2, "no": 0}}',
        '  - code: "2"',
        "    title: Sự hài lòng của người dân, tổ chức",
        "    children:",
    ]
    for leaf in range(LEAVES):
        asked = ", ".join(QUESTIONS[3 * leaf : 3 * leaf + 3])
        groups = ", groups: [nguoi_dan]" if leaf == LEAVES - 1 else ""
        lines += [
            f'      - {{code: "2.{leaf + 1}", title: Hài lòng về nội dung {leaf + 1}, max: 2,',
            f"         source: survey, rule: {{type: survey, questions: [{asked}]{groups}}}}}",
        ]
    return "\n".join(lines) + "\n"


# ====================================================================== the export file


def generate(path: Path, rows: int, units: int, seed: int) -> dict[str, int]:
    """Write the Kobo export; return what a correct import must find."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    codes = unit_codes(units)
    # Most units alike; every 50th gets few answers (its groups fall below min_sample).
    weights = np.where(np.arange(units) % 50 == 49, 0.01, 1.0)
    unit_of = rng.choice(units, size=rows, p=weights / weights.sum())
    citizen = rng.random(rows) < 0.7
    quality = rng.uniform(0.4, 0.95, size=units)[unit_of]
    levels = np.clip(
        np.rint(rng.normal((1 + 4 * quality)[:, None], 0.9, size=(rows, len(QUESTIONS)))), 1, 5
    ).astype(np.int64)
    # The vocabulary: 0 = skipped (an empty cell), 1..5 = the Likert labels, 6..10 = digits.
    as_digit = rng.random(levels.shape) < 0.2
    cell = np.where(as_digit, levels + 5, levels)
    cell[rng.random(levels.shape) < 0.05] = 0
    not_asked = [QUESTIONS.index(q) for q in NGUOI_DAN_ONLY]
    cell[np.ix_(~citizen, not_asked)] = 0  # the cbccvc form has no such questions
    vocabulary = [None, *(LIKERT[n] for n in range(1, 6)), *(str(n) for n in range(1, 6))]

    bad = rng.choice(np.arange(1000, rows), size=max(3, rows // 200), replace=False)
    unknown_unit, out_of_scale, repeated = np.array_split(bad, 3)
    bad_set = set(bad.tolist())
    uuids = [f"{i:08x}-6b1f-4c2e-9a3d-{(i * 2654435761) % 16**12:012x}" for i in range(rows)]
    for row in repeated.tolist():  # repeats an earlier good row's id
        source = row - 1 - int(rng.integers(0, 500))
        while source in bad_set:
            source -= 1
        uuids[row] = uuids[source]
    unit_text = np.array(codes, dtype=object)[unit_of]
    unit_text[unknown_unit] = "DV_999"
    kept = np.ones(rows, dtype=bool)
    kept[bad] = False
    expected_answers = int((cell[kept] > 0).sum())
    breakers = ["7", "0", "Tuyệt vời", "4,5"]  # out of the scale, or no answer at all
    for k, row in enumerate(out_of_scale.tolist()):
        cell[row, int(rng.integers(0, 27))] = len(vocabulary) + k % len(breakers)
    vocabulary += breakers
    vocab = pl.Series(vocabulary, dtype=pl.String)
    answer_columns = {}
    for index, question in enumerate(QUESTIONS):
        prefix = "grp_a" if index < 15 else "grp_b"
        column = vocab.gather(cell[:, index])
        answer_columns[f"{prefix}/{question}"] = column
    moments = np.datetime64("2024-09-01T00:00:00", "s") + rng.integers(
        0, 60 * 86400, size=rows
    ).astype("timedelta64[s]")
    local = moments + np.timedelta64(7, "h")  # Kobo's start/end: local time with offset
    began = local - rng.integers(90, 900, size=rows).astype("timedelta64[s]")
    kobo_local = "%Y-%m-%dT%H:%M:%S.000+07:00"
    moments, local, began = (m.astype("datetime64[ms]") for m in (moments, local, began))
    comment = np.full(rows, None, dtype=object)
    commented = rng.random(rows) < 0.02
    comment[commented] = "Thủ tục còn rườm rà; phải đi lại hai lần"
    comment[commented & (rng.random(rows) < 0.1)] = "Cán bộ nhiệt tình,\nhướng dẫn rõ ràng"
    group_text = np.where(  # a tenth written as the group's label, the rest as its code
        rng.random(rows) < 0.1,
        np.where(citizen, GROUP_LABELS["nguoi_dan"], GROUP_LABELS["cbccvc"]),
        np.where(citizen, "nguoi_dan", "cbccvc"),
    )
    frame = pl.DataFrame(
        {
            "start": pl.Series(began).dt.strftime(kobo_local),
            "end": pl.Series(local).dt.strftime(kobo_local),
            "grp_info/don_vi": pl.Series(unit_text.tolist(), dtype=pl.String),
            "grp_info/nhom": pl.Series(group_text.tolist(), dtype=pl.String),
            **answer_columns,
            "grp_b/y_kien_khac": pl.Series(comment.tolist(), dtype=pl.String),
            "_id": pl.Series(np.arange(310001, 310001 + rows)),
            "_uuid": pl.Series(uuids, dtype=pl.String),
            "_submission_time": pl.Series(moments).dt.strftime("%Y-%m-%dT%H:%M:%S"),
        }
    ).with_columns(
        pl.lit(None, pl.String).alias("_validation_status"),
        pl.lit(None, pl.String).alias("_notes"),
        pl.lit("submitted_via_web", pl.String).alias("_status"),
        pl.lit(None, pl.String).alias("_submitted_by"),
        pl.lit(None, pl.String).alias("_tags"),
        pl.int_range(1, rows + 1).alias("_index"),
    )
    frame.write_csv(path, separator=";", line_terminator="\r\n")
    return {
        "rows": rows,
        "bad": len(bad),
        "accepted": rows - len(bad),
        "answers": expected_answers,
    }


# ====================================================================== the world


def configure(database_url: str | None, data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "parindex.site.settings"
    os.environ["PARINDEX_DATA_DIR"] = str(data_dir)
    os.environ["PARINDEX_DEBUG"] = "0"  # no query log: as in production
    os.environ["PARINDEX_SECRET_KEY"] = "bench-" + os.urandom(24).hex()
    os.environ["PARINDEX_LOG_LEVEL"] = "WARNING"
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)  # the embedded SQLite in data_dir
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _admin_connection(database_url: str) -> tuple[Any, str]:
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(database_url)
    name = config["NAME"]
    connection = psycopg.connect(
        dbname="postgres",
        host=config.get("HOST") or None,
        port=config.get("PORT") or None,
        user=config.get("USER") or None,
        password=config.get("PASSWORD") or None,
        autocommit=True,
    )
    return connection, name


def postgres_create(database_url: str) -> None:
    from psycopg import sql

    connection, name = _admin_connection(database_url)
    with connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def postgres_drop(database_url: str) -> None:
    from django.db import connections
    from psycopg import sql

    connections.close_all()
    connection, name = _admin_connection(database_url)
    with connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def build_world(units: int, folder: Path) -> dict[str, Any]:
    """Everything through the services, as the secretariat would set it up."""
    from django.utils import timezone

    from parindex.accounts.models import Role, User
    from parindex.accounts.services import membership_grant
    from parindex.assessments.models import Phase
    from parindex.assessments.services import cycle_advance, cycle_create
    from parindex.criteria.services import criteria_set_import
    from parindex.survey import services
    from parindex.units.services import authority_create, unit_group_create, units_import

    authority = authority_create(code="thu-tai", name="UBND tỉnh Thử Tải")
    group = unit_group_create(authority=authority, code=UNIT_GROUP, name="Các sở, ban, ngành")
    secretary = User.objects.create_user(username="thu_ky", email="thu_ky@example.vn")
    membership_grant(user=secretary, authority=authority, role=Role.SECRETARIAT, by=None)
    units_file = folder / "data" / "units.csv"
    units_file.write_text(
        "code,name,group,type,parent,valid_from,valid_to,predecessors\n"
        + "".join(f"{code},Đơn vị {code},{UNIT_GROUP},so,,,,\n" for code in unit_codes(units)),
        encoding="utf-8",
    )
    units_import(authority=authority, path=units_file, display_name="units.csv", by=secretary)
    version = criteria_set_import(
        authority=authority, yaml_text=criteria_yaml(), created_by=secretary
    )
    now = timezone.now()
    cycle = cycle_create(
        authority=authority,
        unit_group=group,
        criteria_set=version,
        year=version.year,
        title="Chỉ số CCHC các sở năm 2024",
        self_assessment_opens=now - dt.timedelta(days=1),
        self_assessment_closes=now + dt.timedelta(days=30),
        by=secretary,
    )
    cycle = cycle_advance(cycle=cycle, to_phase=Phase.SELF_ASSESSMENT, by=secretary)
    campaign = services.campaign_create(
        cycle=cycle,
        title="Khảo sát sự hài lòng năm 2024",
        opens_at=now - dt.timedelta(days=60),
        closes_at=now + dt.timedelta(days=30),
        margin=Decimal("0.05"),
        by=secretary,
    )
    for code in GROUPS:
        services.questionnaire_draft(version=version, group=code, by=secretary)
    return {"secretary": secretary, "cycle": cycle, "campaign": campaign, "version": version}


# ====================================================================== measuring


class Timings:
    def __init__(self) -> None:
        self.rows: list[tuple[str, float, float, str]] = []

    def __call__(self, label: str, work: Any, note: Any = None) -> Any:
        """Wall time, and this process's CPU time (the cores are shared: wall time alone
        mixes in other work and the database server's)."""
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        told = note(result) if callable(note) else (note or "")
        self.rows.append((label, seconds, cpu, told))
        print(f"  {label:<34}{seconds:8.2f} s  (cpu {cpu:6.2f} s)  {told}", flush=True)
        return result

    def seconds(self, label: str) -> float:
        return next(s for name, s, _, _ in self.rows if name == label)

    def cpu(self, label: str) -> float:
        return next(c for name, _, c, _ in self.rows if name == label)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(args: argparse.Namespace, folder: Path) -> int:
    export = folder / f"kobo-{args.rows}x{len(QUESTIONS)}-{args.units}u-{args.seed}.csv"
    expected_path = export.with_suffix(".json")
    timings = Timings()
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; cpus {os.cpu_count()}")
    sizes = (str(args.rows), str(args.units), str(args.seed))
    if export.exists() and expected_path.exists():
        print(f"reusing {export}")
    else:
        timings(
            "generate export (child process)",
            lambda: subprocess.run(
                [sys.executable, __file__, "--generate", str(export), *sizes],
                check=True,
            ),
            f"{args.rows:,} rows × {len(QUESTIONS)} questions",
        )
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    size_mb = export.stat().st_size / 1e6
    print(f"export: {export.name}, {size_mb:.1f} MB; expected {expected}")

    configure(args.database_url, folder / "data")
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Sum

    from parindex.criteria.services import criteria_set_of
    from parindex.formats.survey_responses import ColumnMap
    from parindex.results.services import cycle_inputs_final
    from parindex.scoring import compute
    from parindex.survey import selectors, services
    from parindex.survey.models import AnswerCount, Response

    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    timings("migrate", lambda: call_command("migrate", verbosity=0, interactive=False))
    world = timings(
        "build world (services)",
        lambda: build_world(args.units, folder),
        f"{args.units} units, sheets, campaign, 2 questionnaires",
    )
    campaign, cycle, secretary = world["campaign"], world["cycle"], world["secretary"]
    columns = ColumnMap(**MAP)
    rss_before = peak_mb()

    data = export.read_bytes()

    def import_once() -> Any:
        return services.answers_import(
            campaign=campaign, data=data, file_name=export.name, columns=columns, by=secretary
        )

    def first_import() -> Any:
        if not args.profile:
            return import_once()
        profiler = cProfile.Profile()
        outcome = profiler.runcall(import_once)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(15)
        stats.sort_stats("tottime").print_stats(10)  # where the time is spent itself
        print(out.getvalue())
        return outcome

    first = timings(
        "import (answers_import)",
        first_import,
        lambda o: (
            f"read {o.survey_import.total:,}, accepted {o.survey_import.accepted:,}, "
            f"rejected {o.survey_import.rejected:,}"
        ),
    )
    rss_import = peak_mb()
    stored = Response.objects.filter(campaign=campaign).count()
    counted = AnswerCount.objects.filter(campaign=campaign).aggregate(n=Sum("count"))["n"] or 0
    answer_rows = AnswerCount.objects.filter(campaign=campaign).count()
    print(f"  stored: {stored:,} responses, {answer_rows:,} count rows holding {counted:,} answers")
    problems = []
    found = first.survey_import
    if (found.accepted, found.rejected) != (expected["accepted"], expected["bad"]):
        problems.append(
            f"import accepted/rejected {found.accepted}/{found.rejected}, "
            f"expected {expected['accepted']}/{expected['bad']}"
        )
    if stored != expected["accepted"] or counted != expected["answers"]:
        problems.append(
            f"stored {stored} responses / {counted} answers, "
            f"expected {expected['accepted']} / {expected['answers']}"
        )

    again = timings(
        "import the same file again",
        import_once,
        lambda o: "no-op (same import returned)" if not o.created else "CREATED A SECOND IMPORT",
    )
    stored_again = Response.objects.filter(campaign=campaign).count()
    counted_again = (
        AnswerCount.objects.filter(campaign=campaign).aggregate(n=Sum("count"))["n"] or 0
    )
    if again.created or (stored_again, counted_again) != (stored, counted):
        problems.append("the second import of the same file changed something")

    spec = selectors.survey_spec(cycle)
    assert spec is not None
    tally = timings(
        "tally_of",
        lambda: selectors.tally_of(campaign, spec),
        lambda t: f"{len(t.answers):,} (unit, group, question) keys",
    )
    timings(
        "statistics_of",
        lambda: selectors.statistics_of(campaign, spec),
        lambda s: f"{len(s):,} unit × group × question lines",
    )
    timings(
        "progress_of", lambda: selectors.progress_of(campaign, spec), lambda p: f"{len(p)} lines"
    )
    criteria = timings("criteria_set_of", lambda: criteria_set_of(cycle.criteria_set))
    timings(
        "low_sample_units",
        lambda: selectors.low_sample_units(campaign, spec, criteria),
        lambda u: f"{len(u)} units below min_sample",
    )
    inputs = timings(
        "cycle_inputs_final",
        lambda: cycle_inputs_final(cycle),
        lambda i: f"{len(i.units)} units, survey accepted {i.survey.accepted if i.survey else 0:,}",
    )
    results = timings(
        "compute (engine)", lambda: compute(criteria, inputs), lambda r: f"{len(r.units)} units"
    )
    if tally.accepted != expected["accepted"]:
        problems.append(f"tally_of counts {tally.accepted} responses")
    low = sum(leaf.status == "low_sample" for unit in results.units for leaf in unit.leaves)
    print(f"  low-sample leaves in the engine's results: {low}")
    rss_end = peak_mb()
    load = os.getloadavg()
    print(f"load average after: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")

    engine = (
        timings.seconds("criteria_set_of")
        + timings.seconds("cycle_inputs_final")
        + timings.seconds("compute (engine)")
    )
    imported = timings.seconds("import (answers_import)")
    aggregations = {
        "tally_of": timings.seconds("tally_of"),
        "statistics_of": timings.seconds("statistics_of"),
        "engine (criteria + inputs + compute)": engine,
    }
    print()
    print(f"{connection.vendor}, {args.rows:,} rows × {len(QUESTIONS)} questions, "
          f"{args.units} units, export {size_mb:.0f} MB")  # fmt: skip
    print("| stage | wall s | cpu s (this process) | notes |")
    print("|---|---:|---:|---|")
    for label, seconds, cpu, note in timings.rows:
        print(f"| {label} | {seconds:.2f} | {cpu:.2f} | {note} |")
    engine_cpu = sum(
        timings.cpu(label)
        for label in ("criteria_set_of", "cycle_inputs_final", "compute (engine)")
    )
    print(f"| engine (criteria + inputs + compute) | {engine:.2f} | {engine_cpu:.2f} | whole |")
    print(
        f"peak RSS: {rss_before:.0f} MB before the import, {rss_import:.0f} MB after it, "
        f"{rss_end:.0f} MB at the end"
    )
    verdicts = [
        ("import ≤ 30 s", imported <= TARGET_IMPORT_S, f"{imported:.1f} s"),
        *(
            (f"{name} ≤ 2 s", seconds <= TARGET_AGGREGATE_S, f"{seconds:.2f} s")
            for name, seconds in aggregations.items()
        ),
    ]
    for label, ok, figure in verdicts:
        print(f"{'PASS' if ok else 'FAIL'}  {label}: {figure}")
    for problem in problems:
        print(f"WRONG  {problem}")
    if args.profile:
        print("(--profile: the import ran under cProfile, its time is inflated)")
    return 0 if not problems and all(ok for _, ok, _ in verdicts) else 1


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--generate":
        path, rows, units, seed = sys.argv[2], *map(int, sys.argv[3:6])
        expected = generate(Path(path), rows, units, seed)
        Path(path).with_suffix(".json").write_text(json.dumps(expected), encoding="utf-8")
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--units", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--database-url", help="a PostgreSQL URL; created and dropped here")
    parser.add_argument("--keep", metavar="DIR", help="keep (or reuse) the export file here")
    parser.add_argument("--profile", action="store_true", help="cProfile the first import")
    args = parser.parse_args()
    if args.database_url and not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a PostgreSQL URL (the default is SQLite)")
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="parindex-survey-"))
    folder.mkdir(parents=True, exist_ok=True)
    scratch = folder / "data"
    shutil.rmtree(scratch, ignore_errors=True)  # a fresh SQLite database every run
    scratch.mkdir()
    if args.database_url:
        postgres_create(args.database_url)
    try:
        return run(args, folder)
    finally:
        if args.database_url:
            postgres_drop(args.database_url)
        shutil.rmtree(scratch, ignore_errors=True)
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
