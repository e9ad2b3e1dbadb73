"""Reading a CSV or XLSX table into rows of text, with every problem located by line.

FORMATS "General rules": UTF-8 (a BOM is accepted), comma-separated, a header row, column
names case-insensitive, extra columns ignored by the callers; every CSV input is also accepted
as XLSX (first sheet, header in row 1). Line 1 is the header row; in a CSV file a line is a
physical line, so a quoted cell spanning lines moves the next rows' numbers on, as an editor
shows them; in a workbook a line is the sheet's row number.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from python_calamine import CalamineWorkbook

from parindex.formats.problems import InputError, Problem
from parindex.scoring.messages import msg

# Read with calamine; `.xlsx`/`.xlsm` are the contract, the others come free with calamine.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
_ZIP_MAGIC = b"PK\x03\x04"  # an .xlsx saved under a .csv name
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # an old .xls saved under a .csv name
_BOM = b"\xef\xbb\xbf"


@dataclass
class Table:
    """The rows of one input file: `rows` holds (line, {column: text}) for non-blank rows."""

    file: str
    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)


def is_workbook(path: Path) -> bool:
    return path.suffix.lower() in WORKBOOK_SUFFIXES


def cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would hold.

    Whole floats lose their `.0` (`4.0` → `4`), other floats take their shortest form without
    an exponent (`0.95`, `0.00001`), dates and times are ISO, booleans `1`/`0`, empty `""`.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return repr(value)
        if value.is_integer():
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def _problem(display: str, vi: str, en: str, line: int | None = None, **params: object) -> Problem:
    return Problem(display, msg(vi, en, **params), line=line)


def read_bytes(path: Path, display: str) -> bytes:
    """The file's bytes, or InputError saying why it cannot be opened."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        problem = _problem(display, "không tìm thấy tệp", "file not found")
    except IsADirectoryError:
        problem = _problem(display, "đây là một thư mục, không phải tệp", "is a directory")
    except OSError as exc:
        problem = _problem(
            display,
            "không mở được tệp: {e}",
            "cannot open the file: {e}",
            e=exc.strerror or exc,
        )
    raise InputError([problem])


def looks_like_workbook(data: bytes) -> bool:
    return data.startswith(_ZIP_MAGIC) or data.startswith(_OLE_MAGIC)


def decode_utf8(data: bytes, display: str) -> str:
    """The text of a UTF-8 file without its BOM, or InputError naming the first bad line."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(
            [
                _problem(
                    display,
                    "tệp không được mã hoá UTF-8 (byte 0x{b:02x}); hãy lưu lại dưới dạng CSV UTF-8",
                    "the file is not UTF-8 encoded (byte 0x{b:02x}); save it again as CSV UTF-8",
                    line=line,
                    b=data[exc.start],
                )
            ]
        ) from exc


def read_workbook_rows(path: Path, display: str, data: bytes | None = None) -> list[list[str]]:
    """The first sheet of a workbook as rows of text; row i of the list is line i + 1."""
    if data is None:
        data = read_bytes(path, display)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        if not workbook.sheet_names:
            return []
        sheet = workbook.get_sheet_by_index(0)
        cells = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for every broken file
        raise InputError(
            [
                _problem(
                    display,
                    "không đọc được tệp bảng tính XLSX: {e}",
                    "not a readable XLSX workbook: {e}",
                    e=exc,
                )
            ]
        ) from exc
    return [[cell_text(value) for value in row] for row in cells]


def _csv_records(text: str, display: str) -> list[tuple[int, list[str]]]:
    """(line where the record starts, its cells), blank lines included as empty records."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[tuple[int, list[str]]] = []
    previous_end = 0
    try:
        for cells in reader:
            records.append((previous_end + 1, cells))
            previous_end = reader.line_num
    except csv.Error as exc:
        raise InputError(
            [
                _problem(
                    display,
                    "tệp CSV bị lỗi: {e}",
                    "malformed CSV: {e}",
                    line=previous_end + 1,
                    e=exc,
                )
            ]
        ) from exc
    return records


def read_records(path: str | Path, display: str) -> list[tuple[int, list[str]]]:
    """Every record of a CSV or workbook file as (line, cells); cells not yet stripped."""
    file = Path(path)
    if is_workbook(file):
        rows = read_workbook_rows(file, display)
        return [(number, row) for number, row in enumerate(rows, start=1)]
    data = read_bytes(file, display)
    if looks_like_workbook(data):
        rows = read_workbook_rows(file, display, data)
        return [(number, row) for number, row in enumerate(rows, start=1)]
    return _csv_records(decode_utf8(data, display), display)


def header_problems(
    display: str, names: Sequence[str], required: Sequence[str], line: int = 1
) -> list[Problem]:
    """Duplicate and missing columns of a header (names already lower-cased and stripped)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    duplicates: list[str] = []
    for name in names:
        if not name:
            continue
        if name in seen and name not in duplicates:
            duplicates.append(name)
        seen.add(name)
    if duplicates:
        problems.append(
            _problem(
                display,
                "cột bị lặp lại: {c}",
                "duplicate column(s): {c}",
                line=line,
                c=", ".join(duplicates),
            )
        )
    missing = [name for name in required if name.lower() not in seen]
    if missing:
        problems.append(
            _problem(
                display,
                "thiếu cột bắt buộc: {c}",
                "missing required column(s): {c}",
                line=line,
                c=", ".join(missing),
            )
        )
    return problems


def empty_file_problem(display: str) -> Problem:
    return _problem(
        display,
        "tệp rỗng: không có dòng tiêu đề",
        "the file is empty: there is no header row",
    )


def read_table(path: str | Path, *, required: Sequence[str], display: str | None = None) -> Table:
    """A CSV or XLSX table, or InputError listing every problem of its shape.

    Blank lines before the header are passed over (lines keep their numbers). Columns with an
    empty header are left out; blank rows are skipped; a row with more
    non-empty cells than the header has columns is an error (usually an unquoted comma).
    """
    name = str(path) if display is None else display
    records = read_records(path, name)
    while records and not any(cell.strip() for cell in records[0][1]):
        records.pop(0)  # leading blank lines before the header
    if not records:
        raise InputError([empty_file_problem(name)])
    header_line, header = records[0]
    columns = [cell.strip().lower() for cell in header]
    problems = header_problems(name, columns, required, header_line)
    if problems:
        raise InputError(problems)
    named = [(index, column) for index, column in enumerate(columns) if column]
    width = len(columns)
    rows: list[tuple[int, dict[str, str]]] = []
    for line, cells in records[1:]:
        stripped = [cell.strip() for cell in cells]
        if not any(stripped):
            continue
        if len(stripped) > width and any(stripped[width:]):
            problems.append(
                _problem(
                    name,
                    "dòng có {n} ô nhưng tiêu đề chỉ có {w} cột (thiếu dấu ngoặc kép quanh "
                    "một ô có dấu phẩy?)",
                    "the row has {n} cells but the header has {w} columns (a comma in an "
                    "unquoted cell?)",
                    line=line,
                    n=len(stripped),
                    w=width,
                )
            )
            continue
        count = len(stripped)
        rows.append((line, {column: stripped[i] if i < count else "" for i, column in named}))
    if problems:
        raise InputError(problems)
    return Table(file=name, columns=[column for _, column in named], rows=rows)


def unreadable_workbook(display: str, exc: Exception) -> InputError:
    """The error for bytes a workbook reader could not open (calamine raises its own types)."""
    return InputError(
        [
            Problem(
                display,
                msg(
                    "không đọc được tệp bảng tính XLSX: {e}",
                    "not a readable XLSX workbook: {e}",
                    e=exc,
                ),
            )
        ]
    )


def malformed_csv(data: bytes, display: str, exc: Exception) -> InputError:
    """The error for a CSV polars could not parse: the first bad byte's line when the text is
    not UTF-8 (raised from here), else polars' first line of explanation."""
    text = str(exc).strip()
    if "utf-8" in text.lower() or "utf8" in text.lower():
        decode_utf8(data, display)  # raises, naming the line of the first bad byte
    detail = text.splitlines()[0] if text else type(exc).__name__
    return InputError(
        [Problem(display, msg("tệp CSV bị lỗi: {e}", "malformed CSV: {e}", e=detail))]
    )
