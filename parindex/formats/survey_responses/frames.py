"""Reading a survey export (CSV with `,` or `;`, or XLSX) into a frame of text columns with
their file lines."""

from __future__ import annotations

import csv
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from parindex.formats.answers import _byte_lines
from parindex.formats.problems import InputError, Problem
from parindex.formats.survey_responses.columns import (
    _BOM,
    _LINE,
    _ROW,
    ColumnMap,
    _layout,
)
from parindex.formats.tables import (
    decode_utf8,
    empty_file_problem,
    is_workbook,
    looks_like_workbook,
    malformed_csv,
    read_workbook_rows,
)
from parindex.scoring.messages import msg

# ---------------------------------------------------------------- reading the file


def _workbook_frame(
    data: bytes, display: str, columns: ColumnMap, questions: Collection[str]
) -> tuple[pl.DataFrame, list[str]]:
    rows = read_workbook_rows(Path(display), display, data)
    start = 0
    while start < len(rows) and not any(rows[start]):
        start += 1
    if start == len(rows):
        raise InputError([empty_file_problem(display)])
    layout = _layout(display, rows[start], start + 1, columns, questions)
    body = rows[start + 1 :]
    cells = {
        name: [(row[position] or None) if position < len(row) else None for row in body]
        for position, name in layout.wanted
    }
    frame = pl.DataFrame(cells, schema=dict.fromkeys(cells, pl.String))
    frame = frame.with_row_index(_ROW).with_columns(
        (pl.col(_ROW).cast(pl.Int64) + start + 2).alias(_LINE)
    )
    return frame, layout.questions


def _records(data: bytes, separator: str) -> Iterator[tuple[int, int, list[str]]]:
    """(first line, last line, cells) of every CSV record, blank lines included."""
    reader = csv.reader(
        _byte_lines(data, len(_BOM) if data.startswith(_BOM) else 0), delimiter=separator
    )
    previous_end = 0
    for cells in reader:
        yield previous_end + 1, reader.line_num, cells
        previous_end = reader.line_num


def _separator(line: str) -> str:
    """`;` when the header line has more unquoted semicolons than commas, else `,`."""
    counts = {";": 0, ",": 0}
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return ";" if counts[";"] > counts[","] else ","


def _csv_header(data: bytes, display: str) -> tuple[str, int, int, list[str]]:
    """(separator, lines before the header, the header's last line, its cells)."""
    start = len(_BOM) if data.startswith(_BOM) else 0
    first = next((line for line in _byte_lines(data, start) if line.strip()), None)
    if first is None:
        raise InputError([empty_file_problem(display)])
    separator = _separator(first)
    try:
        for begin, end, cells in _records(data, separator):
            if any(cell.strip() for cell in cells):
                return separator, begin - 1, end, cells
    except csv.Error:
        pass
    raise InputError([empty_file_problem(display)])


def _ragged_error(data: bytes, display: str, separator: str, width: int) -> InputError | None:
    lines = [
        begin
        for begin, _, cells in _records(data, separator)
        if len(cells) > width and any(cell.strip() for cell in cells[width:])
    ]
    if not lines:
        return None
    return InputError(
        Problem(
            display,
            msg(
                "dòng có nhiều ô hơn số cột của tiêu đề (thiếu dấu ngoặc kép quanh một ô?)",
                "the row has more cells than the header has columns (an unquoted cell?)",
            ),
            line,
        )
        for line in lines
    )


def _polars_csv(
    data: bytes, display: str, separator: str, skipped: int, header: list[str], positions: Any
) -> pl.DataFrame:
    """The columns at `positions` (None: all) as text; InputError for a malformed file."""

    def read(truncate: bool) -> pl.DataFrame:
        return pl.read_csv(
            data,
            has_header=True,
            separator=separator,
            columns=positions,
            infer_schema=False,
            skip_lines=skipped,
            truncate_ragged_lines=truncate,
        )

    try:
        try:
            return read(truncate=False)
        except pl.exceptions.ComputeError as exc:
            if "more fields" not in str(exc):
                raise
            ragged = _ragged_error(data, display, separator, len(header))
            if ragged is not None:
                raise ragged from exc
            return read(truncate=True)  # only empty cells beyond the header
    except pl.exceptions.PolarsError as exc:
        raise malformed_csv(data, display, exc) from exc


def _csv_lines(
    data: bytes,
    display: str,
    separator: str,
    skipped: int,
    first: int,
    header: list[str],
    frame: pl.DataFrame,
    read: list[int],
) -> pl.Series:
    """The line each data record starts on. When no quoted cell spans lines, record i is on
    line first + i; otherwise the line breaks inside every row's cells are added up."""
    height = frame.height
    physical = data.count(b"\n") + (not data.endswith(b"\n")) - first + 1
    plain = pl.int_range(first, first + height, dtype=pl.Int64, eager=True)
    if physical == height:
        return plain
    others = [i for i in range(len(header)) if i not in read]
    cells = frame.drop(_ROW, strict=False)
    if others:
        rest = _polars_csv(data, display, separator, skipped, header, others)
        if rest.height != height:  # pragma: no cover - one parser, the same rows
            return plain
        cells = pl.concat([cells, rest.rename(lambda name: f"__other_{name}")], how="horizontal")
    breaks = pl.sum_horizontal(
        pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in cells.columns
    ).cast(pl.Int64)
    return cells.select(
        pl.int_range(first, first + height, dtype=pl.Int64) + breaks.cum_sum() - breaks
    ).to_series()


def _csv_frame(
    data: bytes, display: str, columns: ColumnMap, questions: Collection[str]
) -> tuple[pl.DataFrame, list[str]]:
    separator, skipped, header_end, header = _csv_header(data, display)
    if "\ufffd" in "".join(header):
        decode_utf8(data, display)  # raises, naming the line of the first byte that is not UTF-8
    layout = _layout(display, header, skipped + 1, columns, questions)
    positions = [position for position, _ in layout.wanted]
    frame = _polars_csv(data, display, separator, skipped, header, positions)
    frame = frame.rename(dict(zip(frame.columns, [n for _, n in layout.wanted], strict=True)))
    lines = _csv_lines(data, display, separator, skipped, header_end + 1, header, frame, positions)
    return frame.with_row_index(_ROW).with_columns(lines.alias(_LINE)), layout.questions


def _read_frame(
    data: bytes, display: str, columns: ColumnMap, questions: Collection[str]
) -> tuple[pl.DataFrame, list[str]]:
    if not data.strip():
        raise InputError([empty_file_problem(display)])
    if looks_like_workbook(data) or is_workbook(Path(display)):
        return _workbook_frame(data, display, columns, questions)
    return _csv_frame(data, display, columns, questions)
