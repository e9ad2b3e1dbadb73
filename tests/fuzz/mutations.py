"""Hypothesis strategies for malformed input files: valid examples mutated byte by byte and
cell by cell, re-encoded, and workbooks built with hostile cells or broken on purpose."""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable, Sequence

import xlsxwriter
from hypothesis import strategies as st

# Examples per importer: ~3 minutes of CI for the whole suite; raise it for a long run.
EXAMPLES = int(os.environ.get("PARINDEX_FUZZ_EXAMPLES", "300"))

HOSTILE_CELLS = (
    "",
    " ",
    "-1",
    "0",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "Infinity",
    "-Infinity",
    "inf",
    "99999999999999999999999999999999999999",
    "1" * 400,
    "0x1F",
    "1_000",
    "١٢٣",  # Arabic-Indic digits: str.isdigit() says yes, int() too, Decimal too
    "²",  # a digit for str.isdigit(), not for int()
    "12,5",
    "12.5.3",
    "50%",
    "%",
    "150%",
    "3/0",
    "0/0",
    "-5/7",
    "1/",
    "=cmd|' /C calc'!A0",
    "@SUM(A1)",
    "+1+1",
    "31/02/2024",
    "2024-13-45",
    "0000-00-00",
    "9999-12-31T23:59:59.9999999",
    "29/02/2023 25:61",
    "01/01/0001",
    "tháng 13/2017",
    "quý V/2017",
    "quý I+II+III+IV năm 99999",
    "năm 0",
    "từ",
    "true",
    "None",
    "null",
    "\x00",
    "a\x00b",
    "\u202e\u200b",
    "Ｓở",
    "e\u0301",
    '"',
    '""',
    "a,b",
    "a;b",
    ";;;",
    "\n",
    "\r",
    "🙂" * 3,
    "x" * 5000,
)

BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00")
ENCODINGS = ("utf-16", "utf-16-be", "utf-32", "cp1258", "latin-1", "cp1252", "utf-7")


def _lines(data: bytes) -> list[bytes]:
    return data.split(b"\n")


def _flip(data: bytes, at: int, bit: int) -> bytes:
    if not data:
        return data
    i = at % len(data)
    return data[:i] + bytes([data[i] ^ (1 << bit)]) + data[i + 1 :]


def _insert(data: bytes, at: int, chunk: bytes) -> bytes:
    i = at % (len(data) + 1)
    return data[:i] + chunk + data[i:]


def _truncate(data: bytes, at: int) -> bytes:
    return data[: at % (len(data) + 1)]


def _delete(data: bytes, at: int, size: int) -> bytes:
    i = at % (len(data) + 1)
    return data[:i] + data[i + size :]


def _reencode(data: bytes, encoding: str) -> bytes:
    return data.decode("utf-8", "replace").encode(encoding, "replace")


def _swap_lines(data: bytes, a: int, b: int) -> bytes:
    lines = _lines(data)
    a, b = a % len(lines), b % len(lines)
    lines[a], lines[b] = lines[b], lines[a]
    return b"\n".join(lines)


def _repeat_line(data: bytes, at: int, times: int) -> bytes:
    lines = _lines(data)
    i = at % len(lines)
    return b"\n".join(lines[:i] + [lines[i]] * times + lines[i:])


def _replace_cell(data: bytes, line: int, column: int, cell: str) -> bytes:
    lines = _lines(data)
    i = line % len(lines)
    cells = lines[i].split(b",")
    cells[column % len(cells)] = cell.encode("utf-8", "surrogatepass")
    lines[i] = b",".join(cells)
    return b"\n".join(lines)


def _replace_all(data: bytes, old: bytes, new: bytes) -> bytes:
    return data.replace(old, new)


def _one_mutation() -> st.SearchStrategy[Callable[[bytes], bytes]]:
    index = st.integers(min_value=0, max_value=1 << 20)
    return st.one_of(
        st.builds(lambda at, bit: lambda d: _flip(d, at, bit), index, st.integers(0, 7)),
        st.builds(lambda at: lambda d: _truncate(d, at), index),
        st.builds(lambda at, n: lambda d: _delete(d, at, n), index, st.integers(1, 64)),
        st.builds(
            lambda at, chunk: lambda d: _insert(d, at, chunk),
            index,
            st.one_of(
                st.sampled_from(
                    [b"\x00", b"\r", b'"', b"\n\n", b",", b";", b"\t", b"\xff", b"\xc3", *BOMS]
                ),
                st.binary(min_size=1, max_size=16),
            ),
        ),
        st.builds(
            lambda line, column, cell: lambda d: _replace_cell(d, line, column, cell),
            index,
            st.integers(0, 20),
            st.one_of(st.sampled_from(HOSTILE_CELLS), st.text(max_size=12)),
        ),
        st.builds(lambda a, b: lambda d: _swap_lines(d, a, b), index, index),
        st.builds(lambda at, n: lambda d: _repeat_line(d, at, n), index, st.integers(2, 5)),
        st.sampled_from(
            [
                lambda d: _replace_all(d, b",", b";"),
                lambda d: _replace_all(d, b",", b"\t"),
                lambda d: _replace_all(d, b"\n", b"\r"),
                lambda d: _replace_all(d, b"\n", b"\r\n"),
                lambda d: d.upper(),
                lambda d: b"",
                lambda d: d.split(b"\n", 1)[0],  # the header alone
            ]
        ),
        st.builds(lambda bom: lambda d: bom + d, st.sampled_from(BOMS)),
        st.builds(lambda enc: lambda d: _reencode(d, enc), st.sampled_from(ENCODINGS)),
    )


def mutated(seeds: Sequence[bytes]) -> st.SearchStrategy[bytes]:
    """A seed file with one to four mutations applied in turn."""

    def apply(seed: bytes, steps: list[Callable[[bytes], bytes]]) -> bytes:
        for step in steps:
            seed = step(seed)
        return seed

    return st.builds(
        apply, st.sampled_from(list(seeds)), st.lists(_one_mutation(), min_size=1, max_size=4)
    )


# ---------------------------------------------------------------- workbooks

_CELL_VALUES = st.one_of(
    st.sampled_from(HOSTILE_CELLS),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.none(),
    st.text(max_size=20).filter(lambda t: not any(0 < ord(c) < 32 for c in t)),
)


def _sheet_cell(value: object) -> object:
    # openpyxl refuses control characters; a NaN/inf float is written as the number it is.
    if isinstance(value, str):
        return "".join(c for c in value if ord(c) >= 32 or c in "\t\n")
    return value


def workbook_bytes(sheets: dict[str, list[list[object]]]) -> bytes:
    out = io.BytesIO()
    # NaN and infinities become the #NUM! error cells a spreadsheet shows for them
    book = xlsxwriter.Workbook(out, {"in_memory": True, "nan_inf_to_errors": True})
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title[:31] or None)
        for number, row in enumerate(rows):
            sheet.write_row(number, 0, [_sheet_cell(v) for v in row])
    book.close()
    return out.getvalue()


def csv_rows(data: bytes) -> list[list[object]]:
    import csv

    return [list(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))]


SHEET_TITLES = st.text(alphabet="abcdefghijklmnopqrstuvwxyzĐđáàảãạ0123 ", min_size=1, max_size=12)


def hostile_sheets(
    seeds: Sequence[dict[str, list[list[object]]]],
) -> st.SearchStrategy[dict[str, list[list[object]]]]:
    """A valid workbook's sheets with some cells replaced by hostile values (text or typed),
    rows dropped or repeated, or a sheet renamed."""

    @st.composite
    def build(draw: st.DrawFn) -> dict[str, list[list[object]]]:
        sheets = {
            name: [list(row) for row in rows]
            for name, rows in draw(st.sampled_from(list(seeds))).items()
        }
        for _ in range(draw(st.integers(1, 6))):
            name = draw(st.sampled_from(sorted(sheets)))
            rows = sheets[name]
            action = draw(st.integers(0, 5))
            if not rows or action == 0:
                rows.append([draw(_CELL_VALUES) for _ in range(draw(st.integers(0, 12)))])
            elif action == 1:
                del rows[draw(st.integers(0, len(rows) - 1))]
            elif action == 2:
                sheets[draw(SHEET_TITLES)] = sheets.pop(name)
            else:
                row = rows[draw(st.integers(0, len(rows) - 1))]
                column = draw(st.integers(0, max(len(row), 1) + 2))
                row.extend([None] * (column + 1 - len(row)))
                row[column] = draw(_CELL_VALUES)
        return sheets

    return build()


def hostile_workbooks(seeds: Sequence[dict[str, list[list[object]]]]) -> st.SearchStrategy[bytes]:
    return hostile_sheets(seeds).map(workbook_bytes)


def broken_zip(seed: bytes) -> st.SearchStrategy[bytes]:
    """A workbook with flipped or cut bytes, a part missing or replaced, or a highly
    compressible member (a small zip bomb)."""

    def without(name_index: int) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(seed)) as src, zipfile.ZipFile(out, "w") as dst:
            names = src.namelist()
            drop = names[name_index % len(names)]
            for name in names:
                if name != drop:
                    dst.writestr(name, src.read(name))
        return out.getvalue()

    def replaced(name_index: int, content: bytes) -> bytes:
        out = io.BytesIO()
        with (
            zipfile.ZipFile(io.BytesIO(seed)) as src,
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
        ):
            names = src.namelist()
            target = names[name_index % len(names)]
            for name in names:
                dst.writestr(name, content if name == target else src.read(name))
        return out.getvalue()

    index = st.integers(0, 1 << 16)
    return st.one_of(
        mutated([seed]),
        st.builds(without, index),
        st.builds(
            replaced,
            index,
            st.one_of(
                st.sampled_from(
                    [b"", b"<", b"<?xml version='1.0'?><x>", b"\x00" * 64, b" " * (8 << 20)]
                ),
                st.binary(max_size=64),
            ),
        ),
        st.binary(max_size=512).map(lambda b: b"PK\x03\x04" + b),
    )
