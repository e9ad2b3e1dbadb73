"""One-stop dossiers (FORMATS "Dossiers — CSV"): the table of `parindex dossiers stats`.

The file is never held in memory whole: it is read in blocks of whole records (`_BLOCK` bytes,
every column as text), each block is read, checked and classified column-wise by polars, and
only its counts per key are kept, merged as the blocks go. Memory is bounded by the block,
the number of keys, and one 8-byte hash per dossier for the repeated-id check. Rates are
computed exactly from the integer counts at the end.

Dates are read by strptime with the forms the file's first rows use. A block with a cell read
no other way (another form, spaces around it) or with a bad row is read again the slow way:
cells stripped, the unread dates read one by one by `parindex.formats.dates` (the rules of
every other file, cached by text), every check exact.

A bad file raises `DossierInputError`: the first `MAX_LISTED` problems in file order (one per
row, giving every reason) and how many more there are; nothing is computed from it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Final

import polars as pl

from parindex.formats.dates import parse_date, parse_datetime
from parindex.formats.problems import MAX_LISTED, InputError, Problem
from parindex.formats.results import neutralise
from parindex.formats.tables import (
    empty_file_problem,
    header_problems,
    is_workbook,
    looks_like_workbook,
    read_table,
    read_workbook_rows,
)
from parindex.scoring.messages import Message, ScoringError, msg

COLUMNS = (
    "dossier_id",
    "unit",
    "procedure",
    "official",
    "received_at",
    "due_at",
    "finished_at",
    "status",
    "online",
    "apology_at",
    "new_due_at",
    "reschedules",
)
BY: dict[str, tuple[str, ...]] = {
    "unit": ("unit",),
    "official": ("official",),
    "procedure": ("procedure",),
    "unit-month": ("unit", "month"),
}
COUNTS = (
    "received",
    "finished",
    "pending",
    "withdrawn",
    "early",
    "on_time",
    "late",
    "overdue",
    "online",
)
RATES = ("late_rate", "ontime_rate", "online_rate")
STATUSES = ("finished", "pending", "withdrawn")
MOMENTS = ("received_at", "due_at", "finished_at", "apology_at", "new_due_at")
END_OF_DAY = frozenset({"due_at", "new_due_at"})  # a date alone is the end of that day

_ROW = "__row"  # 0-based index of the data record after the header
_RATE_PLACES = 4
_SAMPLE = 5000  # rows read to learn the date forms a file uses
_FAST_FORMATS = 3  # at most this many forms per column are read the fast way
_DAY_END = pl.duration(days=1) - pl.duration(microseconds=1)
_ONE_DAY = pl.duration(days=1)
_WIDEST = dt.datetime(2024, 12, 31, 23, 59, 59, tzinfo=dt.UTC)  # for the width of a form


def columns_for(by: str) -> tuple[str, ...]:
    """The columns of the table for `--by`, in FORMATS order."""
    return (*BY[by], *COUNTS, *RATES, "late_noncompliant")


@dataclass(frozen=True, slots=True)
class DossierStats:
    """The table of `dossiers stats`: one row per key, sorted by key.

    A row holds the key values (text), the counts (int) and the rates (Decimal with 4 places,
    or None when the denominator is 0), in the order of `columns`.
    """

    by: str
    as_of: dt.datetime
    columns: tuple[str, ...]
    rows: tuple[tuple[str | int | Decimal | None, ...], ...]


class DossierInputError(InputError):
    """A bad dossiers file: its first problems in file order, and how many more it has."""

    def __init__(self, problems: Iterable[Problem], more: int = 0) -> None:
        super().__init__(problems)
        self.more = more


# ---------------------------------------------------------------- rates


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a fraction with 4 decimals, half-up; None when 0 / 0.

    Exact: integer arithmetic on the counts, never a float or a rounded quotient.
    """
    if denominator == 0:
        return None
    scale = 10**_RATE_PLACES
    rounded = (2 * numerator * scale + denominator) // (2 * denominator)
    return Decimal(rounded).scaleb(-_RATE_PLACES)


# ---------------------------------------------------------------- holidays


def read_holidays(path: str | Path) -> frozenset[dt.date]:
    """`--holidays` (CSV or XLSX `date,name`): the dates; InputError naming each bad line."""
    table = read_table(path, required=("date",))
    days: set[dt.date] = set()
    problems: list[Problem] = []
    for line, cells in table.rows:
        text = cells["date"]
        if not text:
            problems.append(Problem(table.file, msg("thiếu ngày", "the date is empty"), line))
            continue
        try:
            days.add(parse_date(text))
        except ScoringError as error:
            problems.append(Problem(table.file, error.message, line))
    if problems:
        raise InputError(problems)
    return frozenset(days)


# ---------------------------------------------------------------- the source

_BLOCK = 16 << 20  # bytes of a CSV file read and counted at a time
_ENGINE: Final = "in-memory"  # a block is in memory already: ~10% faster than streaming it


@dataclass(frozen=True, slots=True)
class _Source:
    """Where the dossiers are: a CSV file read in blocks, or the rows of a workbook."""

    display: str
    header_line: int
    positions: Mapping[str, int]  # each of the twelve columns → its place in the header
    width: int  # the header's number of cells
    path: Path | None = None  # a CSV file
    body: int = 0  # the byte offset of the line after the header
    workbook: pl.DataFrame | None = None  # a workbook's rows (`_ROW` and the twelve columns)
    truncate: bool = False  # leave out (empty) cells beyond the header's columns
    values: Mapping[str, Mapping[str, str]] | None = None  # column → folded value → FORMATS

    def _mapped(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The block with the cells `values` knows rewritten as FORMATS writes them: the
        distinct cells of a column are folded in Python (few: statuses, online flags), then
        replaced column-wise."""
        if not self.values:
            return frame
        rewrites: list[pl.Expr] = []
        for column, known in self.values.items():
            found = {
                cell: known[_fold(cell)]
                for cell in frame[column].unique().drop_nulls().to_list()
                if _fold(cell) in known and known[_fold(cell)] != cell
            }
            if found:
                rewrites.append(pl.col(column).replace(found))
        return frame.with_columns(rewrites) if rewrites else frame

    def blocks(self) -> Iterator[pl.DataFrame]:
        """The rows, in blocks: `_ROW` and the twelve columns as text, null when empty.

        Every line after the header is a row (a blank line is a row of nulls), so that a row's
        line is `header_line + 1 + _ROW` unless a quoted cell spans lines.
        """
        if self.workbook is not None:
            yield self._mapped(self.workbook)
            return
        assert self.path is not None
        names = [f"c{i}" for i in range(self.width)]
        header = (",".join(names) + "\n").encode()
        chosen = {column: names[self.positions[column]] for column in COLUMNS}
        offset = 0
        for data in _csv_blocks(self.path, self.body):
            try:
                frame = pl.read_csv(
                    header + data,
                    infer_schema=False,
                    columns=list(chosen.values()),
                    truncate_ragged_lines=self.truncate,
                )
            except pl.exceptions.PolarsError as exc:
                if "more fields" in str(exc):
                    raise _RaggedRowsError from exc
                raise _broken(self, exc) from exc
            yield self._mapped(
                frame.select(
                    pl.int_range(offset, offset + frame.height, dtype=pl.UInt32).alias(_ROW),
                    *(pl.col(name).alias(column) for column, name in chosen.items()),
                )
            )
            offset += frame.height

    def lines(self, rows: Collection[int], total: int) -> dict[int, int]:
        """The file line of each data row, `total` being the number of rows read (a quoted
        cell spanning lines moves the later rows on: then the records are counted)."""
        first = self.header_line + 1
        if self.path is None or not rows or _physical_lines(self.path) == self.header_line + total:
            return {row: first + row for row in rows}
        wanted = set(rows)
        found: dict[int, int] = {}
        for index, line in enumerate(_record_lines(self.path, self.header_line)):
            if index in wanted:
                found[index] = line
                if len(found) == len(wanted):
                    break
        return {row: found.get(row, first + row) for row in rows}


def _csv_blocks(path: Path, start: int) -> Iterator[bytes]:
    """The file from byte `start`, in pieces of about `_BLOCK` bytes made of whole records."""
    with path.open("rb") as stream:
        stream.seek(start)
        rest = b""
        while chunk := stream.read(_BLOCK):
            data = rest + chunk if rest else chunk
            end = _records_end(data)
            rest = data[end:]
            if end:
                yield data[:end]
        if rest:
            yield rest if rest.endswith(b"\n") else rest + b"\n"


def _records_end(data: bytes) -> int:
    """The length of the longest start of `data` made of whole lines that does not end
    inside a quoted cell (0 when there is none)."""
    end = data.rfind(b"\n")
    if data.find(b'"') < 0:
        return end + 1
    while end >= 0:
        if data.count(b'"', 0, end) % 2 == 0:  # an escaped quote ("") keeps the count even
            return end + 1
        end = data.rfind(b"\n", 0, end)
    return 0


def _physical_lines(path: Path) -> int:
    """The number of lines of a file, as an editor counts them."""
    count, last = 0, b"\n"
    with path.open("rb") as stream:
        while chunk := stream.read(_BLOCK):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _text_lines(path: Path, ends: list[int] | None = None) -> Iterator[str]:
    """The lines of a file, decoded one at a time; `ends` collects each line's end offset."""
    with path.open("rb") as stream:
        offset = 0
        for raw in stream:
            text = raw.decode("utf-8", errors="replace")
            if offset == 0 and text.startswith("\ufeff"):
                text = text[1:]
            offset += len(raw)
            if ends is not None:
                ends.append(offset)
            yield text


def _record_lines(path: Path, header_line: int) -> Iterator[int]:
    """The line where each data record after the header (on `header_line`) starts."""
    reader = csv.reader(_text_lines(path))
    previous_end = 0
    for _ in reader:
        start = previous_end + 1
        previous_end = reader.line_num
        if start > header_line:
            yield start


def _header(path: Path, display: str) -> tuple[int, list[str], int]:
    """(the header's line, its cells, the byte offset after it); InputError for an empty file
    or a header that is not UTF-8."""
    ends: list[int] = []
    reader = csv.reader(_text_lines(path, ends))
    previous_end = 0
    try:
        for cells in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if any(cell.strip() for cell in cells):
                if "\ufffd" in "".join(cells):
                    raise InputError([_not_utf8(display, start)])
                return start, cells, ends[previous_end - 1]
    except csv.Error:
        pass
    raise InputError([empty_file_problem(display)])


def _not_utf8(display: str, line: int) -> Problem:
    return Problem(
        display,
        msg(
            "tệp không được mã hoá UTF-8; hãy lưu lại dưới dạng CSV UTF-8",
            "the file is not UTF-8 encoded; save it again as CSV UTF-8",
        ),
        line,
    )


def _wanted(display: str, header: Sequence[str], line: int) -> dict[str, int]:
    """The position of each of the twelve columns; InputError for missing or repeated ones."""
    names = [cell.strip().lower() for cell in header]
    problems = header_problems(display, [n for n in names if n in COLUMNS], COLUMNS, line)
    if problems:
        raise InputError(problems)
    return {name: position for position, name in enumerate(names) if name in COLUMNS}


def _fold(text: str) -> str:
    """A cell as `value_map` matches it: NFC, stripped, casefolded."""
    return unicodedata.normalize("NFC", text).strip().casefold()


def folded_values(
    value_map: Mapping[str, Mapping[str, str]] | None,
) -> dict[str, dict[str, str]] | None:
    """`value_map` ({column: {value as the system writes it: FORMATS value}}) with its values
    folded as cells are; None when it maps nothing. Only FORMATS columns are kept."""
    if not value_map:
        return None
    folded = {
        column: {_fold(written): value for written, value in values.items()}
        for column, values in value_map.items()
        if column in COLUMNS and values
    }
    return folded or None


def _open(path: str | Path, value_map: Mapping[str, Mapping[str, str]] | None = None) -> _Source:
    source = _open_source(path)
    values = folded_values(value_map)
    return replace(source, values=values) if values else source


def _open_source(path: str | Path) -> _Source:
    display = str(path)
    file = Path(path)
    try:
        with file.open("rb") as stream:
            head = stream.read(8)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            message = msg("không tìm thấy tệp", "file not found")
        elif isinstance(exc, IsADirectoryError):
            message = msg("đây là một thư mục, không phải tệp", "is a directory")
        else:
            message = msg(
                "không mở được tệp: {e}", "cannot open the file: {e}", e=exc.strerror or exc
            )
        raise InputError([Problem(display, message)]) from None
    if is_workbook(file) or looks_like_workbook(head):
        return _open_workbook(file, display)
    header_line, header, body = _header(file, display)
    positions = _wanted(display, header, header_line)
    return _Source(display, header_line, positions, len(header), path=file, body=body)


def _open_workbook(file: Path, display: str) -> _Source:
    rows = read_workbook_rows(file, display)
    start = 0
    while start < len(rows) and not any(rows[start]):
        start += 1
    if start == len(rows):
        raise InputError([empty_file_problem(display)])
    positions = _wanted(display, rows[start], start + 1)
    body = rows[start + 1 :]
    data = {
        column: [
            (row[positions[column]] or None) if positions[column] < len(row) else None
            for row in body
        ]
        for column in COLUMNS
    }
    frame = pl.DataFrame(data, schema=dict.fromkeys(COLUMNS, pl.String))
    frame = frame.with_row_index(_ROW).with_columns(pl.col(_ROW).cast(pl.UInt32))
    return _Source(display, start + 1, positions, len(rows[start]), workbook=frame)


class _RaggedRowsError(Exception):
    """A row has more cells than the header has columns."""


def _ragged_problems(source: _Source) -> list[Problem]:
    """A problem for each row with non-empty cells beyond the header's columns."""
    assert source.path is not None  # a workbook has no ragged rows
    reader = csv.reader(_text_lines(source.path))
    problems: list[Problem] = []
    previous_end = 0
    for cells in _records_until_broken(reader, source.display, problems):
        start = previous_end + 1
        previous_end = reader.line_num
        extra = cells[source.width :]
        if start > source.header_line and any(cell.strip() for cell in extra):
            problems.append(
                Problem(
                    source.display,
                    msg(
                        "dòng có {n} ô nhưng tiêu đề chỉ có {w} cột (thiếu dấu ngoặc kép quanh "
                        "một ô có dấu phẩy?)",
                        "the row has {n} cells but the header has {w} columns (a comma in an "
                        "unquoted cell?)",
                        n=len(cells),
                        w=source.width,
                    ),
                    start,
                )
            )
    return problems


def _records_until_broken(
    reader: Any, display: str, problems: list[Problem]
) -> Iterator[list[str]]:
    """The records of `reader`; at a record the csv module cannot read (found by fuzzing: a
    bare carriage return in an unquoted cell), a problem of its line, and no more records."""
    try:
        yield from reader
    except csv.Error as exc:
        problems.append(
            Problem(
                display, msg("tệp CSV bị lỗi: {e}", "malformed CSV: {e}", e=exc), reader.line_num
            )
        )


def _broken(source: _Source, exc: Exception) -> InputError:
    """InputError for a file polars cannot read: not UTF-8, or malformed CSV."""
    text = str(exc)
    if source.path is not None and ("utf-8" in text.lower() or "utf8" in text.lower()):
        line = _first_bad_line(source.path)
        if line is not None:
            return InputError([_not_utf8(source.display, line)])
    detail = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return InputError(
        [Problem(source.display, msg("tệp CSV bị lỗi: {e}", "malformed CSV: {e}", e=detail))]
    )


def _first_bad_line(path: Path) -> int | None:
    with path.open("rb") as stream:
        for number, raw in enumerate(stream, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


# ---------------------------------------------------------------- reading the cells


_SHAPES = {  # (length, characters at fixed places) → the strptime format and whether a date
    (10, "-", "-", ""): ("%Y-%m-%d", True),
    (16, "-", "-", "T"): ("%Y-%m-%dT%H:%M", False),
    (16, "-", "-", " "): ("%Y-%m-%d %H:%M", False),
    (19, "-", "-", "T"): ("%Y-%m-%dT%H:%M:%S", False),
    (19, "-", "-", " "): ("%Y-%m-%d %H:%M:%S", False),
}
_VN_SHAPES = {
    (10, "/", ""): ("%d/%m/%Y", True),
    (10, "-", ""): ("%d-%m-%Y", True),
    (16, "/", " "): ("%d/%m/%Y %H:%M", False),
    (19, "/", " "): ("%d/%m/%Y %H:%M:%S", False),
}
_DEFAULT_FORMATS = (("%Y-%m-%dT%H:%M:%S", False), ("%Y-%m-%d", True))


def _shape(text: str) -> tuple[str, bool] | None:
    """The strptime format of a cell in one of the common fixed-width forms, or None."""
    size = len(text)
    if size not in (10, 16, 19):
        return None
    gap = text[10] if size > 10 else ""
    if text[4] == "-" and text[7] == "-":
        return _SHAPES.get((size, "-", "-", gap))
    if text[2] == text[5]:
        return _VN_SHAPES.get((size, text[2], gap))
    return None


@dataclass(slots=True)
class _Reading:
    """How the date columns are read: the forms read the fast way (learnt from the first
    rows), and the cells read one by one (by `parindex.formats.dates`) so far."""

    formats: dict[str, tuple[tuple[str, bool], ...]]
    cells: dict[str, dict[str, dt.datetime | None]]

    @classmethod
    def learn(cls, sample: pl.DataFrame) -> _Reading:
        formats: dict[str, tuple[tuple[str, bool], ...]] = {}
        for column in MOMENTS:
            seen = Counter(_shape(text) for text in sample[column].drop_nulls().to_list())
            seen.pop(None, None)
            shapes = [shape for shape, _ in seen.most_common(_FAST_FORMATS) if shape is not None]
            formats[column] = tuple(shapes) or _DEFAULT_FORMATS
        return cls(formats, {column: {} for column in MOMENTS})

    def widths(self, column: str) -> list[int]:
        return [len(_WIDEST.strftime(form)) for form, _ in self.formats[column]]

    def fast(self, column: str, *, guarded: bool = False) -> pl.Expr:
        """The column read with its usual forms; null where a cell is in none of them.

        strptime is lenient about widths (`2024-3-1`, `+2024-03-31`): `guarded` leaves unread
        a cell whose width is not that of a form, so that `parindex.formats.dates` reads it.
        Unguarded (cheaper), `unread` tells where that matters.
        """
        text = pl.col(column)
        end_of_day = column in END_OF_DAY
        readings: list[pl.Expr] = []
        for form, date_alone in self.formats[column]:
            if date_alone:  # few distinct days: the cache of distinct cells pays
                day = text.str.strptime(pl.Date, form, strict=False).cast(pl.Datetime("us"))
                readings.append(day + _DAY_END if end_of_day else day)
            else:  # nearly every moment distinct: caching would only cost
                moment = text.str.strptime(pl.Datetime("us"), form, strict=False, cache=False)
                readings.append(moment)
        reading = pl.coalesce(readings) if len(readings) > 1 else readings[0]
        if guarded:
            return pl.when(text.str.len_bytes().is_in(self.widths(column))).then(reading)
        return reading

    def unread(self, column: str) -> pl.Expr:
        """True where the unguarded reading (in column `__<column>`) is null or not to be
        trusted: the cell must be read the slow way."""
        text = pl.col(column)
        wrong_width = ~text.str.len_bytes().is_in(self.widths(column))
        return text.is_not_null() & (pl.col(f"__{column}").is_null() | wrong_width)

    def slow(self, column: str) -> pl.Expr:
        """The guarded reading, and the cells read one by one where it left them unread."""
        cells = self.cells[column]
        if not cells:
            return self.fast(column, guarded=True)
        looked_up = pl.col(column).replace_strict(
            list(cells), list(cells.values()), default=None, return_dtype=pl.Datetime("us")
        )
        return pl.coalesce(self.fast(column, guarded=True), looked_up)

    def read_unread(self, stripped: pl.DataFrame) -> None:
        """Read one by one the cells of `stripped` the fast way leaves unread."""
        found = stripped.select(
            pl.col(c)
            .filter(pl.col(c).is_not_null() & self.fast(c, guarded=True).is_null())
            .unique()
            .implode()
            for c in MOMENTS
        ).row(0)
        for column, texts in zip(MOMENTS, found, strict=True):
            cells = self.cells[column]
            for text in texts:
                if text not in cells:
                    try:
                        cells[text] = parse_datetime(text, end_of_day=column in END_OF_DAY)
                    except ScoringError:
                        cells[text] = None


def _stripped(block: pl.DataFrame) -> pl.DataFrame:
    """The block with every cell stripped of spaces, and empty cells null."""
    return block.with_columns(
        pl.when(pl.col(c).str.strip_chars().str.len_bytes() > 0)
        .then(pl.col(c).str.strip_chars())
        .alias(c)
        for c in COLUMNS
    )


def _classified(
    block: pl.LazyFrame,
    reading: _Reading,
    *,
    slow: bool,
    as_of: dt.datetime,
    holidays: Sequence[dt.date],
    by: str,
) -> pl.LazyFrame:
    """One row per row of the block: `_ROW`, the key, the counted flags, the moments the
    apology rule needs, `__blank`, `__h` (the hash of the dossier_id) and a flag.

    The fast way (`slow=False`) reads the cells as one-stop systems write them and flags
    `__slow` the rows that are bad or have a cell it leaves unread; a block with such a row is
    read again the slow way, from `_stripped` cells, with the dates `reading` read one by one
    and every check exact: its flag, `__bad`, marks the bad rows.
    """
    identifier = pl.col("dossier_id").str.strip_chars()
    unit = pl.col("unit").str.strip_chars()
    status_text = pl.col("status").str.to_lowercase() if slow else pl.col("status")
    status = status_text.replace_strict(
        {s: i for i, s in enumerate(STATUSES)}, default=None, return_dtype=pl.UInt8
    )
    online = pl.col("online")
    reschedules_ok = pl.col("reschedules").str.contains(r"^[0-9]{1,9}$")
    moments = {c: (reading.slow(c) if slow else reading.fast(c)) for c in MOMENTS}
    received, due, finished = (pl.col(f"__{c}") for c in ("received_at", "due_at", "finished_at"))
    code = pl.col("__status")
    is_finished, is_pending = code == 0, code == 1
    late = is_finished & (finished > due)
    due_day = due.dt.date()
    same_day = finished.dt.date() == due_day
    blank = pl.all_horizontal(pl.col(c).is_null() for c in COLUMNS)
    checks = [
        identifier.str.len_bytes() == 0,
        unit.str.len_bytes() == 0,
        code.is_null(),
        received.is_null(),
        due.is_null() & (code != 2),
        finished.is_null() & is_finished,
        online.is_not_null() & ~online.is_in(["0", "1"]),
        pl.col("reschedules").is_not_null() & ~reschedules_ok,
    ]
    if slow:  # a cell that is there and unreadable
        checks += [pl.col(c).is_not_null() & pl.col(f"__{c}").is_null() for c in MOMENTS]
    else:  # a cell the fast way leaves unread or cannot vouch for: read the block slowly
        checks += [reading.unread(c) for c in MOMENTS]
    flag = "__bad" if slow else "__slow"
    keys = [pl.col(c).str.strip_chars().fill_null("") for c in BY[by] if c != "month"]
    if by == "unit-month":
        keys.append((received.dt.year() * 100 + received.dt.month()).fill_null(0).alias("month"))
    return block.with_columns(
        *(moment.alias(f"__{c}") for c, moment in moments.items()),
        status.alias("__status"),
        blank.alias("__blank"),
    ).select(
        _ROW,
        *keys,
        is_finished.alias("finished"),
        is_pending.alias("pending"),
        (code == 2).alias("withdrawn"),
        (is_finished & ~late & ~same_day).alias("early"),
        (is_finished & ~late & same_day).alias("on_time"),
        late.alias("late"),
        (is_pending & (due < as_of)).alias("overdue"),
        ((online == "1") & (is_finished | is_pending)).alias("online"),
        *(f"__{c}" for c in _APOLOGY_MOMENTS),
        "reschedules",
        "__blank",
        (~pl.col("__blank") & pl.any_horizontal(c.fill_null(True) for c in checks)).alias(flag),
        identifier.hash().alias("__h"),  # an empty id is a bad row: the file is refused
    )


_FLAGS = COUNTS[1:]
_APOLOGY_MOMENTS = ("received_at", "due_at", "apology_at", "new_due_at")


def _aggregated(classified: pl.LazyFrame, by: str, holidays: Sequence[dt.date]) -> pl.LazyFrame:
    """The counts per key; the apology rule is checked on the late rows only (the working-day
    counts are the dearest part of the classification)."""
    keys = list(BY[by])
    counts = classified.group_by(keys).agg(
        (~pl.col("__blank")).sum().alias("received"),
        *(pl.col(flag).fill_null(False).sum().alias(flag) for flag in _FLAGS),
    )
    received, due, apology, new_due = (pl.col(f"__{c}") for c in _APOLOGY_MOMENTS)
    due_day = due.dt.date()
    processing = pl.business_day_count(
        received.dt.date() + _ONE_DAY, due_day + _ONE_DAY, holidays=holidays
    ).clip(lower_bound=0)
    extension = pl.business_day_count(
        due_day + _ONE_DAY, new_due.dt.date() + _ONE_DAY, holidays=holidays
    ).clip(lower_bound=0)
    complies = (
        (apology.dt.date() < due_day)
        & new_due.is_not_null()
        & (pl.col("reschedules").cast(pl.Int64, strict=False).fill_null(1) <= 1)
        & (3 * extension <= processing)
    ).fill_null(False)
    noncompliant = (
        classified.filter(pl.col("late").fill_null(False))
        .select(*keys, (~complies).alias("late_noncompliant"))  # not in the group_by: per group
        .group_by(keys)
        .agg(pl.col("late_noncompliant").sum())
    )
    return counts.join(noncompliant, on=keys, how="left", nulls_equal=True).with_columns(
        pl.col("late_noncompliant").fill_null(0).cast(pl.UInt32)
    )


# ---------------------------------------------------------------- the statistics


def dossier_stats(
    path: str | Path,
    *,
    by: str,
    as_of: dt.datetime,
    holidays: Collection[dt.date] = (),
    value_map: Mapping[str, Mapping[str, str]] | None = None,
) -> DossierStats:
    """FORMATS "Dossiers — CSV": the counts and rates per `by` key, as of `as_of` (naive,
    Vietnam time). Raises `DossierInputError` (or InputError for a broken file) on bad input.

    `value_map` ({column: {value as a one-stop system writes it: FORMATS value}}, e.g.
    {"status": {"Đã có kết quả": "finished"}}) rewrites the cells it knows before they are
    classified, matching them NFC, stripped and casefolded; other cells are read as they are
    (an unknown status is still a problem of its line). None, the default: FORMATS values only.
    """
    if by not in BY:
        raise ValueError(f"by must be one of {', '.join(BY)}")
    source = _open(path, value_map)
    days = sorted(holidays)
    try:
        return _stats(source, by, as_of, days)
    except _RaggedRowsError:
        problems = _ragged_problems(source)
        if problems:
            raise InputError(problems) from None
        # only empty cells beyond the header's columns: read again, leaving them out
        return _stats(replace(source, truncate=True), by, as_of, days)


@dataclass(slots=True)
class _Tally:
    """What the blocks add up to: partial counts per key, the bad rows, the id hashes."""

    partials: list[pl.DataFrame]
    bad: list[pl.Series]
    hashes: list[pl.Series]  # of the stripped dossier_ids (8 bytes a dossier)
    rows: int = 0

    def merge(self, by: str) -> pl.DataFrame:
        merged = pl.concat(self.partials).group_by(BY[by]).agg(pl.all().sum())
        self.partials = [merged]
        return merged


def _stats(
    source: _Source, by: str, as_of: dt.datetime, holidays: Sequence[dt.date]
) -> DossierStats:
    tally = _Tally([], [], [])
    reading: _Reading | None = None

    def classify(block: pl.DataFrame, reading: _Reading, *, slow: bool) -> pl.DataFrame:
        plan = _classified(block.lazy(), reading, slow=slow, as_of=as_of, holidays=holidays, by=by)
        return plan.collect(engine=_ENGINE)

    for block in source.blocks():
        if reading is None:
            reading = _Reading.learn(block.head(_SAMPLE))
        classified = classify(block, reading, slow=False)
        if classified["__slow"].any():
            stripped = _stripped(block)
            reading.read_unread(stripped)
            classified = classify(stripped, reading, slow=True)
            tally.bad.append(classified.filter(pl.col("__bad"))[_ROW])
        tally.partials.append(_aggregated(classified.lazy(), by, holidays).collect(engine=_ENGINE))
        tally.hashes.append(classified["__h"].filter(~classified["__blank"]))
        tally.rows += block.height
        if len(tally.partials) >= 16:
            tally.merge(by)
    # Repeated ids: sorting the hashes needs less memory than a hash table of them.
    ordered = pl.concat(tally.hashes).sort() if tally.hashes else pl.Series([], dtype=pl.UInt64)
    tally.hashes = []
    twice = ordered.filter(ordered == ordered.shift(1)).unique()
    del ordered
    bad = pl.concat(tally.bad).to_list() if tally.bad else []
    if bad or len(twice):
        _raise_problems(source, bad, twice, tally.rows)
    if not tally.partials:
        return DossierStats(by, as_of, columns_for(by), ())
    table = tally.merge(by).filter(pl.col("received") > 0)
    return DossierStats(by, as_of, columns_for(by), _rows(table, by))


def _rows(table: pl.DataFrame, by: str) -> tuple[tuple[str | int | Decimal | None, ...], ...]:
    keys = BY[by]
    rows: list[tuple[str | int | Decimal | None, ...]] = []
    for record in table.iter_rows(named=True):
        key: list[str] = []
        for column in keys:
            value = record[column]
            key.append(f"{value // 100:04d}-{value % 100:02d}" if column == "month" else value)
        counts = [int(record[c]) for c in COUNTS]
        _, finished, pending, _, early, on_time, late, _, online = counts
        rates = (
            rate(late, finished),
            rate(early + on_time, finished),
            rate(online, finished + pending),
        )
        rows.append((*key, *counts, *rates, int(record["late_noncompliant"])))
    rows.sort(key=lambda row: tuple(str(cell) for cell in row[: len(keys)]))
    return tuple(rows)


# ---------------------------------------------------------------- problems


def _raise_problems(source: _Source, bad: list[int], twice: pl.Series, total: int) -> None:
    """Raise DossierInputError with the first bad or repeated rows, in file order.

    `twice` holds the dossier_id hashes seen more than once: the rows with those are read
    again to find the ones that repeat the id of an earlier row.
    """
    repeated: dict[int, int] = {}  # row → the row where its id first appears
    if len(twice):
        first_of: dict[str, int] = {}
        identifier = pl.col("dossier_id").str.strip_chars()
        for block in source.blocks():
            found = block.select(_ROW, identifier).filter(
                identifier.hash().is_in(twice.implode()) & (identifier.str.len_bytes() > 0)
            )
            for row, text in found.iter_rows():
                first = first_of.setdefault(text, row)
                if first != row:
                    repeated[row] = first
    every = sorted(set(bad) | set(repeated))
    if not every:
        return  # the hashes of different ids met: no repeated id after all
    listed = every[:MAX_LISTED]
    cells: dict[int, dict[str, Any]] = {}
    for frame in _rows_of(source, set(listed)):
        cells.update(frame.rows_by_key(_ROW, named=True, unique=True))
    lines = source.lines(set(listed) | {repeated[row] for row in listed if row in repeated}, total)
    problems: list[Problem] = []
    for row in listed:
        original = repeated.get(row)
        reasons = row_reasons(cells[row], None if original is None else lines[original])
        if not reasons:  # pragma: no cover - the column-wise checks and row_reasons agree
            reasons = [msg("không đọc được dòng này", "the row cannot be read")]
        message = Message("; ".join(r.vi for r in reasons), "; ".join(r.en for r in reasons))
        problems.append(Problem(source.display, message, lines[row]))
    raise DossierInputError(problems, more=len(every) - len(listed))


def _rows_of(source: _Source, rows: set[int]) -> Iterator[pl.DataFrame]:
    """The given rows of the file, block by block, in file order."""
    wanted = pl.Series(sorted(rows), dtype=pl.UInt32).implode()
    for block in source.blocks():
        found = block.filter(pl.col(_ROW).is_in(wanted))
        if found.height:
            yield found


def row_reasons(cells: Mapping[str, Any], repeated_from: int | None = None) -> list[Message]:
    """Every reason a row is refused (the rules the column-wise check applies)."""

    def text(column: str) -> str:
        value = cells.get(column)
        return value.strip() if isinstance(value, str) else ""

    reasons: list[Message] = []
    identifier = text("dossier_id")
    if not identifier:
        reasons.append(msg("thiếu mã hồ sơ (dossier_id)", "the dossier_id is empty"))
    elif repeated_from is not None:
        reasons.append(
            msg(
                "mã hồ sơ {d} đã có ở dòng {l}",
                "dossier_id {d} already seen on line {l}",
                d=identifier,
                l=repeated_from,
            )
        )
    if not text("unit"):
        reasons.append(msg("thiếu đơn vị (unit)", "the unit is empty"))
    status = text("status").lower()
    if not status:
        reasons.append(msg("thiếu trạng thái (status)", "the status is empty"))
    elif status not in STATUSES:
        reasons.append(
            msg(
                "trạng thái '{s}' không hợp lệ (finished, pending hoặc withdrawn)",
                "unknown status '{s}' (finished, pending or withdrawn)",
                s=text("status"),
            )
        )
    for column in MOMENTS:
        value = text(column)
        if not value:
            if column == "received_at":
                reasons.append(msg("thiếu received_at", "received_at is empty"))
            elif column == "due_at" and status in ("finished", "pending"):
                reasons.append(msg("thiếu due_at", "due_at is empty"))
            elif column == "finished_at" and status == "finished":
                reasons.append(
                    msg(
                        "hồ sơ đã giải quyết (finished) nhưng thiếu finished_at",
                        "a finished dossier without finished_at",
                    )
                )
            continue
        try:
            parse_datetime(value, end_of_day=column in END_OF_DAY)
        except ScoringError as error:
            reasons.append(
                Message(f"{column}: {error.message.vi}", f"{column}: {error.message.en}")
            )
    online = text("online")
    if online not in ("", "0", "1"):
        reasons.append(
            msg(
                "online phải là 1 hoặc 0, không phải '{t}'",
                "online must be 1 or 0, not '{t}'",
                t=online,
            )
        )
    reschedules = text("reschedules")
    if reschedules and not (
        reschedules.isascii() and reschedules.isdecimal() and len(reschedules) <= 9
    ):
        reasons.append(
            msg(
                "reschedules phải là số nguyên không âm, không phải '{t}'",
                "reschedules must be a whole number ≥ 0, not '{t}'",
                t=reschedules,
            )
        )
    return reasons


# ---------------------------------------------------------------- writing


def stats_csv(stats: DossierStats) -> str:
    """The table as CSV: the FORMATS columns, rates with 4 decimals, empty when undefined."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(stats.columns)
    for row in stats.rows:
        writer.writerow(["" if cell is None else neutralise(cell) for cell in row])
    return buffer.getvalue()


def stats_document(stats: DossierStats) -> dict[str, Any]:
    """The table as a JSON document: `by`, `as_of` and one object per row (rates as numbers,
    null when undefined)."""
    rows = [
        {
            column: float(cell) if isinstance(cell, Decimal) else cell
            for column, cell in zip(stats.columns, row, strict=True)
        }
        for row in stats.rows
    ]
    return {"by": stats.by, "as_of": stats.as_of.isoformat(), "rows": rows}


def stats_json(stats: DossierStats) -> str:
    return json.dumps(stats_document(stats), ensure_ascii=False, indent=2) + "\n"


def stats_xlsx(stats: DossierStats) -> bytes:
    """The table as a workbook of one sheet; rates as numbers shown with 4 decimals."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    bold = book.add_format({"bold": True})
    fraction = book.add_format({"num_format": "0.0000"})
    sheet = book.add_worksheet("Hồ sơ")
    sheet.write_row(0, 0, stats.columns, bold)
    for r, row in enumerate(stats.rows, start=1):
        for c, cell in enumerate(row):
            if isinstance(cell, str):
                sheet.write_string(r, c, cell)
            elif isinstance(cell, Decimal):
                sheet.write_number(r, c, float(cell), fraction)
            elif cell is not None:
                sheet.write_number(r, c, cell)
    sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
