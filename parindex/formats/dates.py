"""Reading dates and times as people and systems write them (FORMATS "General rules").

ISO `2024-03-31`, `2024-03-31T14:05`, `2024-03-31 14:05:30`; Vietnamese `31/03/2024`,
`31/03/2024 14:05`, `31-03-2024`; day and month may drop their leading zero (`1/3/2024`).
A time may carry seconds and a fraction of a second (`14:05:30.250`). Times are naive local
times: a zone suffix (`Z`, `+07:00`) is refused rather than silently converted.

The common fixed-width shapes are checked by slicing and read by the C `fromisoformat`,
without a regular expression, because the dossier reader calls these functions on millions of
rows (0.5–1 µs a call, against 3–4 µs for the general path).
"""

from __future__ import annotations

import datetime as dt
import re

from parindex.scoring.messages import ScoringError, msg

_END_OF_DAY = dt.time(23, 59, 59, 999999)

# The slow path: any of the accepted shapes, with unpadded day, month and hour.
_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})([/-])(\d{1,2})\5(\d{4})", re.ASCII)
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?", re.ASCII)


def _bad_date(text: str) -> ScoringError:
    return ScoringError(
        msg(
            "không đọc được ngày '{t}' (viết 31/03/2024 hoặc 2024-03-31)",
            "cannot read the date '{t}' (write 31/03/2024 or 2024-03-31)",
            t=text,
        )
    )


def _bad_datetime(text: str) -> ScoringError:
    return ScoringError(
        msg(
            "không đọc được thời điểm '{t}' (viết 31/03/2024 14:05 hoặc 2024-03-31T14:05)",
            "cannot read the date and time '{t}' (write 31/03/2024 14:05 or 2024-03-31T14:05)",
            t=text,
        )
    )


def _digits(part: str) -> bool:
    return part.isdecimal() and part.isascii()


def _split_date(text: str) -> tuple[dt.date, str] | None:
    """The date at the start of `text` and what follows it, or None when there is none."""
    found = _DATE.match(text)
    if found is None:
        return None
    if found.group(1):
        year, month, day = found.group(1), found.group(2), found.group(3)
    else:
        day, month, year = found.group(4), found.group(6), found.group(7)
    try:
        return dt.date(int(year), int(month), int(day)), text[found.end() :]
    except ValueError:
        return None


def _parse_time(text: str) -> dt.time | None:
    """`14:05`, `14:05:30`, `14:05:30.25`, `9:05` → a time, or None."""
    if len(text) == 5 and text[2] == ":":
        hour, minute, second, fraction = text[0:2], text[3:5], "0", ""
    elif len(text) == 8 and text[2] == ":" and text[5] == ":":
        hour, minute, second, fraction = text[0:2], text[3:5], text[6:8], ""
    else:
        found = _TIME.fullmatch(text)
        if found is None:
            return None
        hour, minute = found.group(1), found.group(2)
        second, fraction = found.group(3) or "0", found.group(4) or ""
    if not (_digits(hour) and _digits(minute) and _digits(second)):
        return None
    micro = int(fraction.ljust(6, "0")) if fraction else 0
    try:
        return dt.time(int(hour), int(minute), int(second), micro)
    except ValueError:
        return None


def _iso_form(text: str) -> str | None:
    """`text` in ISO form when it has one of the common fixed-width shapes, else None.

    `2024-03-31`, `2024-03-31T14:05`, `2024-03-31 14:05:09` are returned as they are;
    `31/03/2024`, `31-03-2024` and those with `14:05[:09]` have their date turned round.
    Only the punctuation is checked here: `fromisoformat` checks the digits and the ranges.
    """
    size = len(text)
    if size != 10 and size != 16 and size != 19:
        return None
    if text[4] == "-" and text[7] == "-":
        iso = text
    elif text[2] == text[5] and text[2] in "/-":
        iso = f"{text[6:10]}-{text[3:5]}-{text[0:2]}{text[10:]}"
    else:
        return None
    if size == 10:
        return iso
    if iso[10] in "T " and iso[13] == ":" and (size == 16 or iso[16] == ":"):
        return iso
    return None


def parse_date(text: str) -> dt.date:
    """`2024-03-31`, `31/03/2024`, `31-03-2024` → the date; ScoringError when unreadable.

    A time of exactly midnight after the date is accepted (spreadsheets export dates that
    way); any other time is refused, since a date was asked for.
    """
    cleaned = text.strip()
    iso = _iso_form(cleaned)
    if iso is not None and len(iso) == 10:
        try:
            return dt.date.fromisoformat(iso)
        except ValueError:
            raise _bad_date(cleaned) from None
    split = _split_date(cleaned)
    if split is None:
        raise _bad_date(cleaned)
    day, rest = split
    if rest:
        if rest[0] not in "T ":
            raise _bad_date(cleaned)
        time = _parse_time(rest[1:].strip())
        if time is None or time != dt.time(0):
            raise _bad_date(cleaned)
    return day


def parse_datetime(text: str, *, end_of_day: bool = False) -> dt.datetime:
    """A naive date and time; a date alone is the start of that day (end with `end_of_day`)."""
    cleaned = text.strip()
    iso = _iso_form(cleaned)
    if iso is not None:
        try:
            moment = dt.datetime.fromisoformat(iso)
        except ValueError:
            raise _bad_datetime(cleaned) from None
        if end_of_day and len(iso) == 10:
            return dt.datetime.combine(moment.date(), _END_OF_DAY)
        return moment
    split = _split_date(cleaned)
    if split is None:
        raise _bad_datetime(cleaned)
    day, rest = split
    if not rest:
        return dt.datetime.combine(day, _END_OF_DAY if end_of_day else dt.time(0))
    if rest[0] not in "T ":
        raise _bad_datetime(cleaned)
    time = _parse_time(rest[1:].strip())
    if time is None:
        raise _bad_datetime(cleaned)
    return dt.datetime.combine(day, time)
