"""Property-based fuzzing of every importer: thousands of malformed files, each either read or
refused with the reader's own error (InputError, or problems in its result) whose every problem
names the file (and, where it can, the line, row, sheet or key). Any other exception is a crash.

PARINDEX_FUZZ_EXAMPLES (default 300) sets the examples per importer and strategy."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from importers import AS_OF, YAML_ATTACKS, Importer, column_map, criteria_text, importers, rows_of
from mutations import EXAMPLES, broken_zip, hostile_workbooks, mutated

from parindex.formats.dates import parse_date, parse_datetime
from parindex.formats.deadlines import parse_deadline
from parindex.formats.dossiers import dossier_stats
from parindex.formats.problems import InputError, Problem
from parindex.scoring.messages import ScoringError

FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # a slow example is reported by the timing below, not as flaky
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
IMPORTERS = {importer.name: importer for importer in importers()}


def assert_located(problems: Sequence[Problem], path: Path) -> None:
    """Every problem renders in both languages and starts with the file it is about (its path,
    or its name for the readers given bytes and a name)."""
    for problem in problems:
        for lang in ("vi", "en"):
            text = problem.render(lang)
            assert text.startswith((str(path), path.name)), text
            assert "Traceback" not in text
            assert len(text) < 20_000, "a problem must not echo a whole file"


def read_file(importer: Importer, data: bytes, suffix: str | None = None) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzzed{suffix or importer.suffix}"
        path.write_bytes(data)
        try:
            problems = importer.problems(importer.read(path, data))
        except InputError as error:
            problems = error.problems
            refused = True
        else:
            refused = False
        assert problems or not refused, "an InputError must say what is wrong"
        assert_located(problems, path)


def test_every_importer_is_fuzzed() -> None:
    assert len(IMPORTERS) == 14


@pytest.mark.parametrize("name", sorted(IMPORTERS))
def test_a_mutated_file_is_read_or_refused_with_located_problems(name: str) -> None:
    importer = IMPORTERS[name]

    @FUZZ
    @given(data=mutated(importer.seeds()))
    def check(data: bytes) -> None:
        read_file(importer, data)

    check()


WORKBOOK_IMPORTERS = sorted(n for n, i in IMPORTERS.items() if i.workbook)


@pytest.mark.parametrize("name", WORKBOOK_IMPORTERS)
def test_a_workbook_with_hostile_cells_is_read_or_refused(name: str) -> None:
    importer = IMPORTERS[name]
    sheets = [{"Sheet1": rows_of(seed)[:9]} for seed in importer.seeds()]

    @FUZZ
    @given(data=hostile_workbooks(sheets))
    def check(data: bytes) -> None:
        read_file(importer, data, ".xlsx")

    check()


@pytest.mark.parametrize("name", ["criteria XLSX", "questionnaire XLSX", "units CSV/XLSX"])
def test_a_broken_workbook_is_refused_as_unreadable(name: str) -> None:
    importer = IMPORTERS[name]
    seed = importer.seeds()[0]
    if importer.suffix != ".xlsx":
        from mutations import workbook_bytes

        seed = workbook_bytes({"Sheet1": rows_of(seed)})

    @FUZZ
    @given(data=broken_zip(seed))
    def check(data: bytes) -> None:
        read_file(importer, data, ".xlsx")

    check()


@pytest.mark.parametrize("attack", YAML_ATTACKS, ids=range(len(YAML_ATTACKS)))
@pytest.mark.parametrize("name", ["criteria YAML", "questionnaire YAML"])
def test_a_hostile_yaml_document_is_refused_or_read_quickly(name: str, attack: str) -> None:
    read_file(IMPORTERS[name], attack.encode())


def test_a_yaml_alias_bomb_is_refused_with_its_line() -> None:
    with pytest.raises(InputError) as raised:
        criteria_text(YAML_ATTACKS[0].encode())
    assert raised.value.render("en") == [
        "set.yaml:1: YAML syntax error: the document is more than 200000 values (through aliases)"
    ]


def test_a_deeply_nested_yaml_document_is_refused_with_its_line() -> None:
    with pytest.raises(InputError) as raised:
        criteria_text(YAML_ATTACKS[1].encode())
    assert raised.value.render("en") == [
        "set.yaml:1: YAML syntax error: the document is nested more than 100 levels deep"
    ]


def test_a_repeated_yaml_key_is_refused_at_its_line() -> None:
    with pytest.raises(InputError) as raised:
        criteria_text(b"code: A\ntitle: T\ncode: B\n")
    assert raised.value.render("en") == [
        "set.yaml:3: YAML syntax error: the key 'code' is repeated"
    ]


def test_a_list_as_a_yaml_key_is_refused_at_its_line() -> None:
    with pytest.raises(InputError) as raised:
        criteria_text(b"code: A\n? [a, b]\n: 1\n")
    assert raised.value.render("en") == [
        "set.yaml:2: YAML syntax error: a key must be a single value, not a list or a mapping"
    ]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
COLUMN_MAP_KEYS = st.sampled_from(
    ["response_id", "unit", "group", "fixed_group", "submitted_at", "questions", "unit_values"]
)


@FUZZ
@given(data=JSON | st.dictionaries(COLUMN_MAP_KEYS, JSON, max_size=7))
def test_a_stored_column_map_is_read_or_refused_with_value_error(data: Any) -> None:
    try:
        column_map(data)
    except ValueError as error:
        reason = str(error)
    else:
        reason = "read"
    assert reason


TEXTS = st.text(max_size=40) | st.sampled_from(
    ["31/02/2024", "2024-02-30", "9999-12-31 24:00", "quý V/2017", "tháng 0/2017", "năm 99999",
     "quý I+II+III+IV+V năm 2014", "tháng 7-13/2017", "6 tháng giữa năm 2018", "từ tháng 13/2017",
     "0/0/0", "2024-1-1T25:00", "1/1/10000", "31/12/9999 23:59:59.9999999"]
)  # fmt: skip


@FUZZ
@given(text=TEXTS)
def test_a_written_date_or_deadline_is_read_or_refused_with_a_message(text: str) -> None:
    for parse in (parse_date, parse_datetime, parse_deadline):
        try:
            parse(text)
        except ScoringError as error:
            said = [error.message.render("vi"), error.message.render("en")]
        else:
            said = ["read", "read"]
        assert all(said)


def test_an_impossible_yaml_date_is_refused_at_its_line() -> None:
    # found by the fuzzer: PyYAML's date constructor raised ValueError out of the reader
    with pytest.raises(InputError) as raised:
        criteria_text(b"code: A\nopens: 2024-13-45\n")
    assert raised.value.render("en") == [
        "set.yaml:2: YAML syntax error: cannot read the value '2024-13-45': month must be in 1..12"
    ]


def test_a_dossier_export_with_a_wide_row_and_a_bare_carriage_return_is_refused(
    tmp_path: Path,
) -> None:
    # found by the fuzzer: the check of rows wider than the header let csv.Error escape
    export = tmp_path / "mot-cua.csv"
    export.write_bytes(
        b"dossier_id,unit,procedure,official,received_at,due_at,finished_at,status,online,"
        b"apology_at,new_due_at,reschedules\n"
        b"A1,SO_TP,p,o,2024-01-02,2024-01-05,,pending,0,,,,extra\n"
        b"A2,SO_TP,p\ro,o,2024-01-02,2024-01-05,,pending,0,,,\n"
    )
    with pytest.raises(InputError) as raised:
        dossier_stats(export, by="unit", as_of=AS_OF)
    assert [p.line for p in raised.value.problems] == [2, 3]
    assert raised.value.render("en")[1].startswith(f"{export}:3: malformed CSV: new-line")


def test_a_superscript_digit_in_a_year_is_refused_as_not_a_whole_number(tmp_path: Path) -> None:
    # found by the fuzzer: '²'.isdigit() is true but int('²') fails; readers use isdecimal()
    from parindex.formats.indices import read_index_values

    path = tmp_path / "chi-so.csv"
    path.write_text("year,index,value\n²,pci,65.2\n2024,pci,66.1\n", encoding="utf-8")
    read = read_index_values(path)
    assert [problem.render("en") for problem in read.problems] == [
        f"{path}:2: year: '²' is not a whole number"
    ]
    assert [(row.year, row.value) for row in read.rows] == [(2024, Decimal("66.1"))]
