"""National-scale compute: 3,321 units × ~120 leaves, 300,000 survey responses × 30 questions.

Generates the files (criteria YAML, values, answers, metrics CSV) into a temporary folder,
then times each stage separately — reading, the engine's `compute`, writing JSON — and prints
the peak memory of the process. Target on a 2-core machine: compute ≤ 2 s, memory ≤ 1 GB.

    python benchmarks/compute_national.py [--units 3321] [--responses 300000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import csv
import gc
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

QUESTIONS = [f"q{i:02d}" for i in range(1, 31)]
GROUPS = ["lanh_dao", "cbccvc", "nguoi_dan"]
FIELDS = 8
CRITERIA_PER_FIELD = 5
LEAVES_PER_CRITERION = 3  # 8 × 5 × 3 = 120 leaves


def leaf_yaml(code: str, position: int) -> tuple[str, str, str]:
    """(yaml text, source, value kind) of one leaf of max 1 (survey leaves: 1 too)."""
    kind = position % 10
    head = f'      - {{code: "{code}", title: "Tiêu chí {code}", max: 1, '
    if kind in (0, 1):
        rule = (
            "source: self, rule: {type: choice, options: [{code: dung_han, label: Đúng hạn, "
            "points: 1}, {code: cham, label: Chậm, points: 0.5}, {code: khong, label: Không, "
            "points: 0}]}}"
        )
        return head + rule, "self", "choice"
    if kind == 2:
        return head + "source: self, rule: {type: boolean, yes: 1, no: 0}}", "self", "boolean"
    if kind == 3:
        rule = (
            "source: self, rule: {type: brackets, brackets: [{min: 100%, points: 1}, "
            "{min: 80%, points: 0.5}]}}"
        )
        return head + rule, "self", "percent"
    if kind == 4:
        rule = "source: self, rule: {type: ratio, zero_denominator: na}}"
        return head + rule, "self", "ratio"
    if kind == 5:
        return head + "source: self, rule: {type: deduction, per: 0.25}}", "self", "count"
    if kind == 6:
        return head + "source: self, rule: {type: manual, step: 0.25}}", "self", "manual"
    if kind == 7:
        rule = (
            "source: data, rule: {type: data, metric: ontime_rate, then: {type: brackets, "
            "brackets: [{min: 95%, points: 1}, {min: 90%, points: 0.5}]}}}"
        )
        return head + rule, "data", "metric"
    questions = ", ".join(QUESTIONS[(position * 3 + k) % 30] for k in range(3))
    rule = f"source: survey, rule: {{type: survey, questions: [{questions}]}}}}"
    return head + rule, "survey", "survey"


def write_criteria(path: Path) -> dict[str, str]:
    lines = [
        "code: BENCH-NATIONAL",
        "title: Bộ chỉ số thử tải quốc gia",
        "year: 2025",
        "unit_group: xa",
        f"max_points: {FIELDS * CRITERIA_PER_FIELD * LEAVES_PER_CRITERION}",
        "decimals: 2",
        "classes:",
        "  - {code: tot, label: Tốt, min: 90}",
        "  - {code: kha, label: Khá, min: 80}",
        "  - {code: trung_binh, label: Trung bình, min: 65}",
        "  - {code: yeu, label: Yếu, min: 0}",
        "caps:",
        '  - {metric: late_rate, op: ">=", value: 10%, max_class: kha, reason: "≥10% trễ hạn"}',
        "survey:",
        "  scale: {min: 1, max: 5}",
        "  min_sample: 30",
        "  groups:",
        *[f"    - {{code: {g}, label: {g}, weight: 1}}" for g in GROUPS],
        "nodes:",
    ]
    kinds: dict[str, str] = {}
    position = 0
    for f in range(1, FIELDS + 1):
        lines += [f'  - code: "{f}"', f"    title: Lĩnh vực {f}", "    children:"]
        for c in range(1, CRITERIA_PER_FIELD + 1):
            lines += [f'    - code: "{f}.{c}"', f"      title: Tiêu chí {f}.{c}", "      children:"]
            for leaf in range(1, LEAVES_PER_CRITERION + 1):
                code = f"{f}.{c}.{leaf}"
                text, _source, kind = leaf_yaml(code, position)
                lines.append(text)
                kinds[code] = kind
                position += 1
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return kinds


def value_text(kind: str, quality: float, rng: random.Random) -> str:
    good = rng.random() < quality
    if kind == "choice":
        return "dung_han" if good else rng.choice(["cham", "khong"])
    if kind == "boolean":
        return "có" if good else "không"
    if kind == "percent":
        return f"{rng.uniform(70, 100) if not good else 100:.1f}%".replace(".", ",")
    if kind == "ratio":
        total = rng.randint(0, 60)
        return f"{total if good else rng.randint(0, total)}/{total}"
    if kind == "count":
        return "0" if good else str(rng.randint(1, 5))
    if kind == "manual":
        return rng.choice(["1", "0,75"] if good else ["0,5", "0,25", "0"])
    return "NA"


def write_inputs(folder: Path, kinds: dict[str, str], units: int, responses: int) -> None:
    rng = random.Random(2025)
    codes = [f"X{i:05d}" for i in range(units)]
    quality = {code: rng.uniform(0.55, 0.98) for code in codes}
    with (folder / "values.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["unit", "code", "value", "note"])
        for unit in codes:
            for code, kind in kinds.items():
                if kind in ("survey", "metric"):
                    continue
                writer.writerow([unit, code, value_text(kind, quality[unit], rng), ""])
    with (folder / "metrics.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["unit", "metric", "value"])
        for unit in codes:
            writer.writerow([unit, "ontime_rate", f"{rng.uniform(0.8, 1):.4f}"])
            writer.writerow([unit, "late_rate", f"{rng.uniform(0, 0.15):.4f}"])
    with (folder / "answers.csv").open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream)
        writer.writerow(["response_id", "unit", "group", "submitted_at", *QUESTIONS])
        for number in range(responses):
            unit = codes[number % units]
            lean = quality[unit]
            answers = [
                ""
                if rng.random() < 0.05
                else str(min(5, max(1, round(rng.gauss(1 + 4 * lean, 1)))))
                for _ in QUESTIONS
            ]
            writer.writerow([f"R{number}", unit, GROUPS[number % 3], "2025-10-01T08:00", *answers])


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=3321)
    parser.add_argument("--responses", type=int, default=300_000)
    parser.add_argument(
        "--keep", metavar="DIR", help="keep the generated files in DIR (reused when present)"
    )
    args = parser.parse_args()

    from parindex.formats.answers import read_answers
    from parindex.formats.criteria import read_criteria
    from parindex.formats.inputs import read_metrics, read_values
    from parindex.formats.results import results_json
    from parindex.scoring import compute
    from parindex.scoring.model import Inputs, Unit

    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="parindex-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if (folder / "answers.csv").exists():
        print(f"reusing the files in {folder}")
    else:
        kinds = write_criteria(folder / "criteria.yaml")
        write_inputs(folder, kinds, args.units, args.responses)
        print(
            f"generated {args.units} units × {len(kinds)} leaves, {args.responses} responses"
            f" × {len(QUESTIONS)} questions in {time.perf_counter() - started:.1f} s ({folder})"
        )
    # As the `parindex` command does: a short-lived process needs no cyclic garbage collector.
    gc.disable()

    timings: list[tuple[str, float]] = []

    def timed(label: str, work):  # type: ignore[no-untyped-def]
        begin = time.perf_counter()
        result = work()
        timings.append((label, time.perf_counter() - begin))
        return result

    criteria = timed("read criteria YAML", lambda: read_criteria(folder / "criteria.yaml"))
    values = timed("read values CSV", lambda: read_values(folder / "values.csv", criteria, None))
    metrics = timed("read metrics CSV", lambda: read_metrics(folder / "metrics.csv", None))
    tally, rejected = timed(
        "read + tally answers CSV", lambda: read_answers(folder / "answers.csv", criteria, None)
    )
    units = tuple(Unit(code, code) for code in sorted(values))
    inputs = Inputs(units=units, values=values, metrics=metrics, survey=tally)
    results = timed("compute (engine)", lambda: compute(criteria, inputs))
    timed("write results JSON", lambda: len(results_json(results, criteria)))

    print(f"{'stage':<28}{'seconds':>10}")
    for label, seconds in timings:
        print(f"{label:<28}{seconds:>10.2f}")
    total = sum(seconds for _, seconds in timings)
    print(f"{'total':<28}{total:>10.2f}")
    engine = dict(timings)["compute (engine)"]
    memory = peak_memory_mb()
    print(
        f"units ranked: {len(results.units)}; accepted responses: {tally.accepted}; "
        f"rejected: {len(rejected)}"
    )
    print(f"peak memory (max RSS): {memory:.0f} MB")
    verdict = "OK" if engine <= 2 and memory <= 1024 else "OVER TARGET"
    print(f"target compute ≤ 2 s and memory ≤ 1 GB: {verdict}")
    if not args.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
