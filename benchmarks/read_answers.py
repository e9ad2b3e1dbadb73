"""Read and tally a national-scale survey answers file: 300,000 responses × 30 questions.

Writes the file into a temporary directory, then times `parindex.formats.inputs.read_answers`
and prints the time and the peak resident memory of the process.

    .venv/bin/python benchmarks/read_answers.py [ROWS] [QUESTIONS]
"""

from __future__ import annotations

import random
import resource
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from parindex.formats.answers import read_answers
from parindex.scoring.model import (
    CriteriaSet,
    Node,
    RespondentGroup,
    Scale,
    Source,
    SurveyRule,
    SurveySpec,
)


def criteria(questions: list[str]) -> CriteriaSet:
    leaves = tuple(
        Node(
            code=f"1.{i + 1}",
            title=f"Câu hỏi {q}",
            max=Decimal(1),
            source=Source.SURVEY,
            rule=SurveyRule(questions=(q,)),
        )
        for i, q in enumerate(questions)
    )
    return CriteriaSet(
        code="BENCH",
        title="Benchmark",
        year=2024,
        unit_group="so_nganh",
        max_points=Decimal(len(questions)),
        decimals=2,
        nodes=(Node(code="1", title="Khảo sát", max=Decimal(len(questions)), children=leaves),),
        survey=SurveySpec(
            groups=(RespondentGroup("cbccvc", "CBCCVC"), RespondentGroup("nguoi_dan", "Dân")),
            scale=Scale(1, 5),
        ),
    )


def write_file(path: Path, rows: int, questions: list[str], units: list[str], dirty: bool) -> None:
    """Answers on a 1–5 scale, an eighth of them empty. `dirty` adds what real exports hold:
    1% of rows with an answer off the scale, 0.1% repeated response ids, 0.1% unknown units,
    and `4,0` or ` 4 ` in three columns (which sends those columns down the slow path)."""
    rng = random.Random(2024)
    answers = ["1", "2", "3", "4", "5", "5", "4", ""]
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(["response_id", "unit", "group", "submitted_at", *questions]) + "\n")
        for n in range(rows):
            unit = units[n % len(units)]
            group = "cbccvc" if n % 3 else "nguoi_dan"
            cells = rng.choices(answers, k=len(questions))
            response_id = f"R{n:07d}"
            if dirty:
                if n % 100 == 7:
                    cells[n % len(cells)] = "7"
                if n % 1000 == 9:
                    response_id = f"R{n - 1:07d}"
                if n % 1000 == 11:
                    unit = "SO_KHONG_CO"
                if n % 10 == 3:
                    cells[0], cells[1], cells[2] = '"4,0"', " 4 ", "4.0"
            out.write(f"{response_id},{unit},{group},2024-09-{1 + n % 28:02d}T10:{n % 60:02d},")
            out.write(",".join(cells) + "\n")


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 300_000
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    repeats = 3
    questions = [f"q{i + 1}" for i in range(count)]
    units = [f"SO_{i:02d}" for i in range(40)]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with tempfile.TemporaryDirectory() as tmp:
        for dirty in (False, True):
            path = Path(tmp) / f"answers-{'dirty' if dirty else 'clean'}.csv"
            write_file(path, rows, questions, units, dirty)
            size = path.stat().st_size / 1e6
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                tally, rejected = read_answers(path, criteria(questions), units)
                times.append(time.perf_counter() - start)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"{path.name}: {rows:,} rows × {count} questions, {size:.1f} MB")
            print(f"  read + tally: best {min(times):.2f} s, worst {max(times):.2f} s of {repeats}")
            print(f"  accepted {tally.accepted:,}, rejected {tally.rejected:,}", end="")
            print(f" ({len(rejected):,} problems listed)")
            print(f"  tally keys: {len(tally.answers):,} (unit, group, question)")
            print(f"  peak RSS so far: {peak:.0f} MB (at start: {before:.0f} MB)")


if __name__ == "__main__":
    main()
