"""Every reader of an uploaded or imported file, with the valid files its fuzzing starts from.

An `Importer` reads one file's bytes (written to disk under a name with the right suffix when
the reader takes a path) and raises only its documented error; `problems` gives the problems a
reader returns instead of raising (tasks, external indices)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from assessment_builders import SET

from parindex.formats.answers import read_answers
from parindex.formats.criteria import parse_criteria, read_criteria
from parindex.formats.criteria_xlsx import criteria_from_xlsx, criteria_to_xlsx
from parindex.formats.dossiers import dossier_stats, read_holidays
from parindex.formats.indices import read_index_values
from parindex.formats.inputs import read_metrics, read_previous, read_units, read_values
from parindex.formats.problems import Problem
from parindex.formats.questionnaire import (
    draft_questionnaire,
    questionnaire_xlsx,
    questionnaire_yaml,
    read_questionnaire_xlsx,
    read_questionnaire_yaml,
)
from parindex.formats.survey_responses import KOBO_COLUMNS, ColumnMap, read_responses
from parindex.formats.tasks import read_tasks
from parindex.scoring.model import CriteriaSet

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
AS_OF = __import__("datetime").datetime(2024, 12, 31, 17, 0)


def head(path: Path, lines: int = 25) -> bytes:
    """The header and the first lines of an example: mutations reach every part of it."""
    return b"\n".join(path.read_bytes().split(b"\n")[: lines + 1]) + b"\n"


@cache
def departments() -> CriteriaSet:
    return read_criteria(EXAMPLES / "2025" / "departments.yaml")


@cache
def department_units() -> frozenset[str]:
    return frozenset(u.unit.code for u in read_units(EXAMPLES / "2025" / "departments-units.csv"))


NAMED_ANSWERS_SET = SET.replace(
    "scale: {min: 1, max: 5}", "answers: {tot: 1, kha: 0.5, kem: 0}\n  min_sample: 3"
)


def rows_of(data: bytes) -> list[list[object]]:
    return [list(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))]


@dataclass(frozen=True)
class Importer:
    name: str
    suffix: str  # of the file the reader is given: decides CSV or workbook
    seeds: Callable[[], Sequence[bytes]]
    read: Callable[[Path, bytes], Any]
    problems: Callable[[Any], Sequence[Problem]] = lambda _: ()
    workbook: bool = False  # also fuzz it with hostile workbooks built from the seeds
    extra: dict[str, Any] = field(default_factory=dict)


def _csv(path: Path) -> Callable[[], Sequence[bytes]]:
    return lambda: [head(path)]


def _questionnaire_yaml() -> list[bytes]:
    q = draft_questionnaire(departments(), "nguoi_dan")
    return [questionnaire_yaml(q).encode()]


def _questionnaire_xlsx() -> list[bytes]:
    q = draft_questionnaire(departments(), "nguoi_dan")
    return [questionnaire_xlsx(q, departments())]


def _kobo_csv() -> list[bytes]:
    rows = rows_of(head(EXAMPLES / "2025" / "departments-answers.csv"))
    header = ["_uuid", "grp/unit", "group", "_submission_time", *rows[0][4:]]
    body = [";".join(header)] + [";".join(str(c) for c in row) for row in rows[1:]]
    return ["\n".join(body).encode(), head(EXAMPLES / "2025" / "departments-answers.csv")]


def _responses(path: Path, data: bytes) -> Any:
    criteria = departments()
    assert criteria.survey is not None
    columns = KOBO_COLUMNS if data[:5] == b"_uuid" else ColumnMap()
    return read_responses(
        data,
        path.name,
        columns=columns,
        questions=("ld01", "ld02", "hl01", "hl02", "hl03"),
        spec=criteria.survey,
        units=department_units(),
    )


YAML_ATTACKS = (
    # billion laughs: nine levels of nine aliases
    "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(8)
    ),
    "[" * 3000 + "]" * 3000,
    "{a: " * 3000 + "1" + "}" * 3000,
    "".join("  " * i + "k:\n" for i in range(500)),
    "? [a, b]\n: 1\n",
    "? {a: 1}\n: 1\n",
    "code: A\ncode: B\n",
    "x: !!python/object/apply:os.system ['true']\n",
    "x: !!binary aGVsbG8=\ny: !!set {a, b}\nz: 2024-01-01\n",
    "--- a\n--- b\n",
    "a: .nan\nb: .inf\nc: 1e99999\nd: -.inf\n",
    "\t- a\n",
    "&a [*a]\n",
    "a: *undefined\n",
    "- !!timestamp 2024-13-45\n",
    "code: !!int 99999999999999999999999999999999999\n",
)


def importers() -> list[Importer]:
    # The small set of the cycle tests (every rule type): the example sets are 1,000+ lines,
    # a tenth of a second per parse.
    yaml_seeds = lambda: [SET.encode(), NAMED_ANSWERS_SET.encode()]  # noqa: E731
    return [
        Importer("criteria YAML", ".yaml", yaml_seeds, lambda p, _: read_criteria(p)),
        Importer(
            "criteria XLSX",
            ".xlsx",
            lambda: [criteria_to_xlsx(parse_criteria(SET))],
            lambda p, data: criteria_from_xlsx(data, p.name),
        ),
        Importer(
            "units CSV/XLSX",
            ".csv",
            _csv(EXAMPLES / "2025" / "departments-units.csv"),
            lambda p, _: read_units(p),
            workbook=True,
        ),
        Importer(
            "values CSV/XLSX",
            ".csv",
            _csv(EXAMPLES / "2025" / "departments-values.csv"),
            lambda p, _: read_values(p, departments(), department_units()),
            workbook=True,
        ),
        Importer(
            "survey answers CSV/XLSX",
            ".csv",
            _csv(EXAMPLES / "2025" / "departments-answers.csv"),
            lambda p, _: read_answers(p, departments(), department_units()),
            workbook=True,
        ),
        Importer(
            "metrics CSV/XLSX",
            ".csv",
            _csv(EXAMPLES / "2025" / "departments-metrics.csv"),
            lambda p, _: read_metrics(p, department_units()),
            workbook=True,
        ),
        Importer(
            "previous results JSON",
            ".json",
            lambda: [(EXAMPLES / "2025" / "departments-2024-results.json").read_bytes()],
            lambda p, _: read_previous(p),
        ),
        Importer(
            "dossiers CSV/XLSX",
            ".csv",
            _csv(
                EXAMPLES / "dossiers" / "mot-cua-2024.csv",
            ),
            lambda p, _: dossier_stats(p, by="unit", as_of=AS_OF),
            workbook=True,
        ),
        Importer(
            "holidays CSV/XLSX",
            ".csv",
            _csv(EXAMPLES / "dossiers" / "holidays-2024.csv"),
            lambda p, _: read_holidays(p),
            workbook=True,
        ),
        Importer(
            "plan tasks CSV/XLSX",
            ".csv",
            _csv(EXAMPLES / "tasks" / "ke-hoach-2017.csv"),
            lambda p, _: read_tasks(p),
            problems=lambda result: result.problems,
            workbook=True,
        ),
        Importer(
            "external indices CSV/XLSX",
            ".csv",
            lambda: [
                "year,index,value,rank,ranked_of,source,note\n"
                '2022,SIPAS,"84,5%",10,63,Quyết định 1234/QĐ-BNV,\n'
                "2023,papi,44.43,12,63,Báo cáo PAPI 2023,cấp tỉnh\n"
                '2023,PCI,"65,43",9,63,VCCI,\n'
                "2023,ICT-Index,0.6123,,,Bộ TT&TT,\n".encode()
            ],
            lambda p, _: read_index_values(p),
            problems=lambda result: result.problems,
            workbook=True,
        ),
        Importer(
            "questionnaire YAML",
            ".yaml",
            _questionnaire_yaml,
            lambda p, data: read_questionnaire_yaml(
                data.decode("utf-8", "replace"), p.name, departments()
            ),
        ),
        Importer(
            "questionnaire XLSX",
            ".xlsx",
            _questionnaire_xlsx,
            lambda p, data: read_questionnaire_xlsx(data, p.name, departments()),
        ),
        Importer("survey responses (FORMATS, Kobo)", ".csv", _kobo_csv, _responses, workbook=True),
    ]


def criteria_text(data: bytes) -> Any:
    return parse_criteria(data.decode("utf-8", "replace"), "set.yaml")


def column_map(data: Any) -> ColumnMap:
    return ColumnMap.from_json(json.loads(json.dumps(data)))
