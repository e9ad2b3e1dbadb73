"""Reading a one-stop export for an import: the column mapping and what the summary tables do
not hold (the late dossiers breaking the apology rule, each official's unit, the lines of
unknown units).

No classification is written here: the rows are classified by `parindex.formats.dossiers`
itself (its block reader and column-wise classification), this module only keeps per dossier
what that reader counts per key. Django-free.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from parindex.formats import dossiers as reader
from parindex.formats.dates import parse_datetime
from parindex.formats.problems import MAX_LISTED, InputError
from parindex.formats.tables import is_workbook, looks_like_workbook, read_workbook_rows

# The headers Vietnamese one-stop systems (Cổng dịch vụ công, phần mềm một cửa) write.
DEFAULT_MAPPING: dict[str, str] = {
    "Mã hồ sơ": "dossier_id",
    "Đơn vị": "unit",
    "Thủ tục": "procedure",
    "Cán bộ xử lý": "official",
    "Ngày tiếp nhận": "received_at",
    "Ngày hẹn trả": "due_at",
    "Ngày có kết quả": "finished_at",
    "Trạng thái": "status",
    "Trực tuyến": "online",
    "Ngày xin lỗi": "apology_at",
    "Ngày hẹn mới": "new_due_at",
    "Số lần hẹn lại": "reschedules",
}


# The values such systems write in `status` and `online`, as FORMATS writes them (matched NFC,
# stripped and casefolded, like the headers).
DEFAULT_VALUES: dict[str, dict[str, str]] = {
    "status": {
        "Đã trả kết quả": "finished",
        "Đã có kết quả": "finished",
        "Hoàn thành": "finished",
        "Đã hoàn thành": "finished",
        "Đã giải quyết": "finished",
        "Đang xử lý": "pending",
        "Đang giải quyết": "pending",
        "Chưa có kết quả": "pending",
        "Chưa giải quyết": "pending",
        "Rút hồ sơ": "withdrawn",
        "Đã rút": "withdrawn",
        "Đã rút hồ sơ": "withdrawn",
        "Công dân rút hồ sơ": "withdrawn",
    },
    "online": {
        "Có": "1",
        "x": "1",
        "Trực tuyến": "1",
        "Không": "0",
        "Trực tiếp": "0",
    },
}
# What a value line may map to, per column.
VALUE_TARGETS: dict[str, tuple[str, ...]] = {
    "status": reader.STATUSES,
    "online": ("1", "0"),
}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip().casefold()


def mapped_header(cells: list[str], mapping: Mapping[str, str]) -> list[str]:
    """The header with each mapped cell renamed to its FORMATS column (case and Unicode form
    do not matter); other cells are kept, so that a file in FORMATS columns reads as is."""
    folded = {_fold(header): column for header, column in mapping.items()}
    return [folded.get(_fold(cell), cell) for cell in cells]


def is_workbook_file(path: Path) -> bool:
    with path.open("rb") as stream:
        head = stream.read(8)
    return is_workbook(path) or looks_like_workbook(head)


def write_normalised(source: Path, target: Path, mapping: Mapping[str, str]) -> None:
    """`source` (CSV or XLSX) as a CSV whose header is in FORMATS columns.

    A CSV file is copied as it is but for its header line (streamed: the rows are never
    parsed here), with blank lines kept so that every line number stays the same. A workbook's
    rows are written out as CSV (calamine holds a sheet in memory anyway).
    """
    display = source.name
    if is_workbook_file(source):
        rows = read_workbook_rows(source, display)
        with target.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out, lineterminator="\n")
            start = next((i for i, row in enumerate(rows) if any(row)), None)
            if start is None:
                return
            for _ in range(start):
                out.write("\n")
            writer.writerow(mapped_header(list(rows[start]), mapping))
            writer.writerows(rows[start + 1 :])
        return
    line, cells, body = reader._header(source, display)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(mapped_header(cells, mapping))
    with source.open("rb") as stream, target.open("wb") as out:
        out.write(b"\n" * (line - 1))
        out.write(buffer.getvalue().encode("utf-8"))
        stream.seek(body)
        shutil.copyfileobj(stream, out, 1 << 20)


@dataclass(frozen=True, slots=True)
class LateRow:
    dossier_id: str
    unit: str
    official: str
    procedure: str
    due_at: dt.datetime
    finished_at: dt.datetime


@dataclass(slots=True)
class Details:
    """What an import keeps beside the summary tables."""

    late: list[LateRow] = field(default_factory=list)
    official_units: dict[str, str] = field(default_factory=dict)  # official → its main unit
    unknown_lines: list[tuple[int, str]] = field(default_factory=list)  # (line, unit code)
    unknown_more: int = 0


def details(
    path: Path,
    *,
    as_of: dt.datetime,
    holidays: Collection[dt.date],
    known_units: Collection[str],
    value_map: Mapping[str, Mapping[str, str]] | None = None,
) -> Details:
    """Read a file `dossier_stats` has accepted once more, keeping per dossier what it counts.

    The late dossiers breaking the apology rule: the reader's classification and its apology
    check run with the dossier's own id as the key (so its `late_noncompliant` is that
    dossier's verdict). `value_map` as for `dossier_stats`.
    """
    source = reader._open(path, value_map)
    days = sorted(holidays)
    known = pl.Series(sorted(known_units), dtype=pl.String).implode()
    found = Details()
    owners: list[pl.DataFrame] = []
    unknown_rows: list[int] = []
    rows_read = 0
    reading: reader._Reading | None = None
    for block in source.blocks():
        stripped = reader._stripped(block)
        if reading is None:
            reading = reader._Reading.learn(block.head(reader._SAMPLE))
        keyed = stripped.with_columns(pl.col("dossier_id").alias("official"))
        reading.read_unread(keyed)
        classified = reader._classified(
            keyed.lazy(), reading, slow=True, as_of=as_of, holidays=days, by="official"
        ).filter(pl.col("late").fill_null(False))
        verdicts = reader._aggregated(classified, "official", days).collect()
        broken = verdicts.filter(pl.col("late_noncompliant") > 0)["official"]
        if len(broken):
            rows = stripped.filter(pl.col("dossier_id").is_in(broken.implode()))
            for record in rows.iter_rows(named=True):
                found.late.append(
                    LateRow(
                        dossier_id=record["dossier_id"],
                        unit=record["unit"] or "",
                        official=record["official"] or "",
                        procedure=record["procedure"] or "",
                        due_at=parse_datetime(record["due_at"], end_of_day=True),
                        finished_at=parse_datetime(record["finished_at"]),
                    )
                )
        owners.append(
            stripped.filter(pl.col("official").is_not_null() & pl.col("unit").is_not_null())
            .group_by("official", "unit")
            .len()
        )
        unknown_rows.extend(
            stripped.filter(pl.col("unit").is_not_null() & ~pl.col("unit").is_in(known))[
                reader._ROW
            ].to_list()
        )
        rows_read += block.height
    if owners:
        merged = (
            pl.concat(owners)
            .group_by("official", "unit")
            .agg(pl.col("len").sum())
            .sort(["official", "len", "unit"], descending=[False, True, False])
            .unique("official", keep="first", maintain_order=True)
        )
        found.official_units = dict(zip(merged["official"], merged["unit"], strict=True))
    if unknown_rows:
        listed = unknown_rows[:MAX_LISTED]
        lines = source.lines(set(listed), rows_read)
        units: dict[int, str] = {}
        for frame in reader._rows_of(source, set(listed)):
            for row, unit in frame.select(
                reader._ROW, pl.col("unit").str.strip_chars()
            ).iter_rows():
                units[row] = unit
        found.unknown_lines = [(lines[row], units.get(row, "")) for row in listed]
        found.unknown_more = len(unknown_rows) - len(listed)
    found.late.sort(key=lambda row: (row.unit, row.due_at, row.dossier_id))
    return found


def header_cells(path: Path) -> list[str]:
    """The header of a CSV or XLSX file (its first non-blank row); [] when it has none."""
    try:
        if is_workbook_file(path):
            rows = read_workbook_rows(path, path.name)
            return next(([str(cell) for cell in row] for row in rows if any(row)), [])
        _, cells, _ = reader._header(path, path.name)
    except InputError:
        return []
    return cells


def learned_columns(cells: Collection[str]) -> dict[str, str]:
    """{FORMATS column: the header cell} for the cells that are a header of `DEFAULT_MAPPING`
    or a FORMATS column's own name (case and Unicode form do not matter); the first wins."""
    known = {_fold(header): column for header, column in DEFAULT_MAPPING.items()}
    known |= {column: column for column in reader.COLUMNS}
    found: dict[str, str] = {}
    for cell in cells:
        column = known.get(_fold(cell))
        if column is not None and cell.strip():
            found.setdefault(column, cell.strip())
    return found
