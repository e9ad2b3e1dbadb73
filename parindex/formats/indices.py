"""Reading external index values (*các chỉ số bên ngoài*: SIPAS, PAPI, PCI, ICT Index, DTI).

`year,index,value,rank,ranked_of,source,note`: `index` one of `sipas`, `papi`, `pci`,
`ict_index`, `pdti` (case and `-` or space for `_` do not matter; `ict` and `dti` are accepted
too); `value` a number in the index's scale (SIPAS in percent, PAPI out of 80, PCI out of 100,
ICT Index and DTI from 0 to 1; a trailing `%` is only a unit and divides nothing); `rank` and
`ranked_of` the optional national rank, e.g. 9 of 63. Like every reader of the file layer, this
one reads the whole file and reports every problem with its line; a row with a problem gives
no value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from parindex.formats.problems import InputError, Problem
from parindex.formats.tables import read_table
from parindex.scoring.messages import Message, ScoringError, msg
from parindex.scoring.numbers import parse_number, plain

REQUIRED = ("year", "index", "value")
FIRST_YEAR, LAST_YEAR = 1990, 2100
MAX_DECIMALS = 4  # what is stored


@dataclass(frozen=True, slots=True)
class Scale:
    """How an index is measured: from 0 to `top`, shown with `decimals` places and `unit`."""

    top: Decimal
    decimals: int
    unit: str  # "%" or "" (points, or an index from 0 to 1)


SCALES: dict[str, Scale] = {
    "sipas": Scale(Decimal(100), 2, "%"),
    "papi": Scale(Decimal(80), 2, ""),
    "pci": Scale(Decimal(100), 2, ""),
    "ict_index": Scale(Decimal(1), 4, ""),
    "pdti": Scale(Decimal(1), 4, ""),
}
ALIASES = {"ict": "ict_index", "ictindex": "ict_index", "dti": "pdti"}


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One row of the file, read: the value of `index` for `year`."""

    line: int
    year: int
    index: str
    value: Decimal
    rank: int | None
    ranked_of: int | None
    source: str
    note: str


@dataclass(frozen=True, slots=True)
class IndexValuesFile:
    """The rows read, in file order, and every problem found (the file is good when none)."""

    file: str
    rows: tuple[IndexRow, ...]
    problems: tuple[Problem, ...]
    columns: tuple[str, ...] = REQUIRED  # the optional columns absent leave stored fields alone


def index_code(text: str) -> str | None:
    """The index's code for what a file or a person wrote (`PAPI`, `ICT-Index`, `dti`)."""
    folded = "_".join(text.strip().casefold().replace("-", " ").replace("_", " ").split())
    folded = ALIASES.get(folded.replace("_", ""), folded)
    return folded if folded in SCALES else None


def value_problem(code: str, value: Decimal) -> Message | None:
    """Why `value` is outside the index's scale, or None."""
    scale = SCALES[code]
    if value < 0 or value > scale.top:
        return msg(
            "giá trị {v} của {i} phải từ 0 đến {t}",
            "the {i} value {v} must be from 0 to {t}",
            v=plain(value),
            i=code,
            t=plain(scale.top),
        )
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        return msg(
            "giá trị {v} có quá {n} chữ số thập phân",
            "the value {v} has more than {n} decimal places",
            v=plain(value),
            n=MAX_DECIMALS,
        )
    return None


def rank_problem(rank: int | None, ranked_of: int | None) -> Message | None:
    """Why a rank and the number ranked do not fit together, or None."""
    if rank is not None and rank < 1:
        return msg("thứ hạng phải từ 1 trở lên", "the rank must be 1 or more")
    if ranked_of is not None and ranked_of < 1:
        return msg("số đơn vị được xếp hạng phải từ 1", "the number ranked must be 1 or more")
    if ranked_of is not None and rank is None:
        return msg(
            "có số đơn vị được xếp hạng nhưng thiếu thứ hạng",
            "the number ranked is given without a rank",
        )
    if rank is not None and ranked_of is not None and rank > ranked_of:
        return msg(
            "thứ hạng {r} lớn hơn số đơn vị được xếp hạng {n}",
            "the rank {r} is above the number ranked {n}",
            r=rank,
            n=ranked_of,
        )
    return None


def read_index_values(path: str | Path, *, display: str | None = None) -> IndexValuesFile:
    """Every value of the file and every problem, each problem located by its line."""
    name = str(path) if display is None else display
    try:
        table = read_table(path, required=REQUIRED, display=name)
    except InputError as error:
        return IndexValuesFile(name, (), tuple(error.problems))
    problems: list[Problem] = []
    rows: list[IndexRow] = []
    first_line: dict[tuple[int, str], int] = {}
    for line, cells in table.rows:
        found: list[Message] = []
        year = _whole(cells["year"], "year", found, required=True)
        if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
            found.append(
                msg(
                    "năm {y} phải từ {a} đến {b}",
                    "the year {y} must be from {a} to {b}",
                    y=year,
                    a=FIRST_YEAR,
                    b=LAST_YEAR,
                )
            )
        code = _index(cells["index"], found)
        value = _value(cells["value"], code, found)
        rank = _whole(cells.get("rank", ""), "rank", found)
        ranked_of = _whole(cells.get("ranked_of", ""), "ranked_of", found)
        wrong_rank = rank_problem(rank, ranked_of)
        if wrong_rank is not None:
            found.append(wrong_rank)
        if year is not None and code is not None:
            earlier = first_line.setdefault((year, code), line)
            if earlier != line:
                found.append(
                    msg(
                        "{i} năm {y} bị lặp lại (đã có ở dòng {l})",
                        "{i} for {y} appears twice (already on line {l})",
                        i=code,
                        y=year,
                        l=earlier,
                    )
                )
        if found or year is None or code is None or value is None:
            problems.extend(Problem(name, message, line) for message in found)
            continue
        rows.append(
            IndexRow(
                line=line,
                year=year,
                index=code,
                value=value,
                rank=rank,
                ranked_of=ranked_of,
                source=cells.get("source", ""),
                note=cells.get("note", ""),
            )
        )
    return IndexValuesFile(name, tuple(rows), tuple(problems), tuple(table.columns))


def _whole(text: str, column: str, found: list[Message], *, required: bool = False) -> int | None:
    if not text:
        if required:
            found.append(msg("thiếu {c}", "the {c} is empty", c=column))
        return None
    cleaned = text.replace(" ", "")
    if not cleaned.isdecimal():
        found.append(
            msg(
                "{c}: '{t}' không phải là số nguyên",
                "{c}: '{t}' is not a whole number",
                c=column,
                t=text,
            )
        )
        return None
    return int(cleaned)


def _index(text: str, found: list[Message]) -> str | None:
    code = index_code(text)
    if code is None:
        choices = ", ".join(SCALES)
        if not text:
            found.append(
                msg("thiếu chỉ số (một trong: {s})", "the index is empty (one of: {s})", s=choices)
            )
        else:
            found.append(
                msg(
                    "chỉ số '{t}' không hợp lệ (một trong: {s})",
                    "unknown index '{t}' (one of: {s})",
                    t=text,
                    s=choices,
                )
            )
    return code


def _value(text: str, code: str | None, found: list[Message]) -> Decimal | None:
    if not text:
        found.append(msg("thiếu giá trị", "the value is empty"))
        return None
    try:
        value = parse_number(text.strip().removesuffix("%"))
    except ScoringError as exc:
        found.append(exc.message)
        return None
    if code is None:
        return value
    wrong = value_problem(code, value)
    if wrong is not None:
        found.append(wrong)
        return None
    return value
