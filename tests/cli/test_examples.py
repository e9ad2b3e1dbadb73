"""The shipped examples: every set checks, computes, and gives the same results from XLSX."""

from __future__ import annotations

import csv
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
import xlsxwriter

from parindex import cli

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SETS = ["son-la-2014/departments", "son-la-2014/districts", "2025/departments", "2025/communes"]


def inputs(name: str, suffix: str = ".csv", folder: Path | None = None) -> list[str]:
    base = EXAMPLES / name
    where = folder or base.parent
    stem = base.name
    return [
        "--criteria", str(base.with_suffix(".yaml")),
        "--values", str(where / f"{stem}-values{suffix}"),
        "--survey", str(where / f"{stem}-answers{suffix}"),
        "--metrics", str(where / f"{stem}-metrics{suffix}"),
        "--units", str(where / f"{stem}-units{suffix}"),
    ]  # fmt: skip


def compute(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert cli.main(["--lang", "en", "compute", *args]) == 0
    document: dict[str, object] = json.loads(capsys.readouterr().out)
    return document


def to_xlsx(source: Path, target: Path) -> None:
    """The CSV as a spreadsheet person would keep it: numbers typed as numbers."""
    with source.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    book = xlsxwriter.Workbook(str(target))
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            number = _plain_number(cell) if r > 0 else None
            if number is not None:
                sheet.write_number(r, c, float(number))
            else:
                sheet.write_string(r, c, cell)
    book.close()


def _plain_number(text: str) -> Decimal | None:
    if not text or text.strip() != text or (len(text) > 1 and text[0] == "0" and text[1] != "."):
        return None  # codes like "01" stay text
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


@pytest.mark.parametrize("name", SETS)
def test_example_set_is_valid(name, capsys):
    assert cli.main(["--lang", "en", "criteria", "check", str(EXAMPLES / f"{name}.yaml")]) == 0
    assert ": valid — 8 fields" in capsys.readouterr().out


def test_son_la_sets_have_the_sizes_of_decision_152(capsys):
    cli.main(["--lang", "en", "criteria", "check", str(EXAMPLES / "son-la-2014/departments.yaml")])
    departments = capsys.readouterr().out
    assert "39 criteria, 102 leaves; 100 points (self 73, survey 22.5, data 4.5)" in departments
    cli.main(["--lang", "en", "criteria", "check", str(EXAMPLES / "son-la-2014/districts.yaml")])
    districts = capsys.readouterr().out
    assert "39 criteria, 121 leaves; 100 points (self 68.5, survey 27, data 4.5)" in districts


@pytest.mark.parametrize("name", SETS)
def test_example_computes_a_believable_ranking(name, capsys):
    result = compute(capsys, *inputs(name))
    units = result["units"]
    assert isinstance(units, list)
    assert len(units) >= 12
    classes = {u["class"] for u in units}
    assert len(classes) >= 3
    assert any(u["caps"] for u in units), "the late-dossier cap applies somewhere"
    ranks = [u["rank"] for u in units]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1


@pytest.mark.parametrize("name", ["son-la-2014/departments", "2025/communes"])
def test_xlsx_inputs_give_the_same_results_as_csv(name, capsys, tmp_path):
    stem = Path(name).name
    for kind in ("values", "answers", "metrics", "units"):
        to_xlsx(
            EXAMPLES / Path(name).parent / f"{stem}-{kind}.csv", tmp_path / f"{stem}-{kind}.xlsx"
        )
    from_csv = compute(capsys, *inputs(name))
    from_xlsx = compute(capsys, *inputs(name, ".xlsx", tmp_path))
    assert from_xlsx["units"] == from_csv["units"]
    assert from_xlsx["summary"] == from_csv["summary"]
    assert from_xlsx["survey"] == from_csv["survey"]


def test_previous_results_follow_lineage(capsys):
    previous = EXAMPLES / "2025/departments-2024-results.json"
    result = compute(capsys, *inputs("2025/departments"), "--previous", str(previous))
    units = {u["unit"]: u for u in result["units"]}
    with_previous = [u for u in units.values() if u["previous"] is not None]
    assert len(with_previous) >= 10
    merged = [u for u in with_previous if len(u["previous"].get("from", [])) > 1]
    assert merged, "a merged unit is compared with its predecessors"
    for unit in merged:
        assert unit["previous"]["rank"] is None
        assert unit["delta"]["rank"] is None
