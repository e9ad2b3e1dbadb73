"""Reading a plan task's deadline as Vietnamese directives write it (FORMATS "Plan tasks — CSV").

A deadline (*thời hạn*) is either a due date — the last day of the period written — or an
ongoing task (*nhiệm vụ thường xuyên*) with no due date, starting on the first day of the
period after `từ` (no start at all for `thường xuyên`):

| written                                          | due date / start                      |
|--------------------------------------------------|---------------------------------------|
| `30/09/2017`, `2017-09-30`, `ngày 30/9/2017`     | that day                              |
| `tháng 6/2017`, `tháng 01 năm 2014`              | last day of the month                 |
| `tháng 7-8/2017`, `tháng 6, 7 năm 2017`          | last day of the last month            |
| `quý III/2017`, `quý I năm 2014`, `quý 3/2017`   | last day of the quarter               |
| `quý I+II năm 2014`, `quý II, III/2017`          | last day of the last quarter          |
| `6 tháng đầu năm 2018` / `6 tháng cuối năm 2018` | 30/06 / 31/12                         |
| `năm 2018`                                       | 31/12                                 |
| `từ tháng 8/2017`, `thực hiện từ quý II/2017`    | none; starts 01/08/2017, 01/04/2017   |
| `thường xuyên`                                   | none; no start                        |

The text is read case-insensitively after Unicode NFC normalisation, with runs of spaces
taken as one and a final full stop ignored. A due date may be preceded by `thời hạn:` or
`hạn`, then `ngay`, then `trong` or `trước` (`Thời hạn trình: trong quý III/2017` is not read:
the label is for the title); an ongoing task by `thời hạn:` or `hạn`, then `bắt đầu` and/or
`thực hiện`, then `ngay`, before `từ`, and may end with `trở đi` (seed 004: `bắt đầu thực hiện
từ năm 2018`, `ngay từ quý II/2017`, `từ năm 2018 trở đi`). `trước` does not move the date:
`trước quý III/2017` is due on 30/09/2017, as FORMATS reads it.

Months and quarters are listed with `-`, `+`, `,`, `&` or `và`, in increasing order; after
`từ` only a single period is accepted. A day is also read as `ngày 30 tháng 9 năm 2017`, and an
ISO day with a midnight time (a spreadsheet's date cell) as that day.

Anything else is refused with a message saying why (an impossible day, month, quarter or
year, months or quarters out of order, an unknown wording): a deadline is never guessed.
Years are four digits from 1900 to 2100. Roman quarters are I to IV, arabic 1 to 4.
"""

from __future__ import annotations

import calendar
import datetime as dt
import itertools
import re
import unicodedata
from typing import NamedTuple

from parindex.scoring.messages import Message, ScoringError, msg

FIRST_YEAR, LAST_YEAR = 1900, 2100

_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-", "\u00a0": " "})

# The period itself, after the words in front have been taken off. `[0-9]` and not `\d`: a
# full-width or Arabic-Indic digit is not a date digit.
_NUMBER = r"[0-9]+"
_DM = r"[0-9]{1,2}"  # a day or a month
_YEAR_TAIL = rf"\s*(?:/|\s+năm\s+)\s*({_NUMBER})"  # `/2017` or ` năm 2017`
_SEPARATOR = r"\s*(?:[-+,&]|\bvà\b)\s*"
_DAY_MONTH_YEAR = re.compile(rf"(?:ngày\s+)?({_DM})\s*/\s*({_DM})\s*/\s*({_NUMBER})")
_ISO = re.compile(rf"([0-9]{{4}})-({_DM})-({_DM})(?:[t ]00:00(?::00)?)?")
_FORMAL = re.compile(rf"ngày\s+({_DM})\s+tháng\s+({_DM})\s+năm\s+({_NUMBER})")
_MONTHS = re.compile(rf"tháng\s+({_NUMBER}(?:{_SEPARATOR}{_NUMBER})*){_YEAR_TAIL}")
_QUARTERS = re.compile(rf"quý\s+([0-9a-z]+(?:{_SEPARATOR}[0-9a-z]+)*){_YEAR_TAIL}")
_HALF = re.compile(rf"(?:6|sáu)\s+tháng\s+(đầu|cuối)\s+năm\s+({_NUMBER})")
_YEAR = re.compile(rf"năm\s+({_NUMBER})")

# The words in front of the period.
_LABEL = r"(?:(?:thời\s+)?hạn(?:\s*:\s*|\s+))?"
_ONGOING = re.compile(
    rf"{_LABEL}(?:bắt\s+đầu\s+)?(?:thực\s+hiện\s+)?(?:ngay\s+)?từ\s+(.+?)(?:\s+trở\s+đi)?"
)
_REGULAR = re.compile(rf"{_LABEL}(?:thực\s+hiện\s+)?thường\s+xuyên")
_DUE = re.compile(rf"{_LABEL}(?:ngay\s+)?(?:(?:trong|trước)\s+)?(.+)")


class Deadline(NamedTuple):
    """A task's due date (None for an ongoing task) and, for an ongoing task, its start."""

    due_date: dt.date | None
    starts: dt.date | None


class _Period(NamedTuple):
    first: dt.date
    last: dt.date
    several: bool  # a list or range of months or quarters


EXAMPLES = (
    "30/09/2017, tháng 6/2017, tháng 7-8/2017, quý III/2017, quý I+II năm 2014, "
    "6 tháng đầu năm 2018, năm 2018, từ tháng 8/2017, thường xuyên"
)


def normalise(text: str) -> str:
    """NFC, lower case, one space between words, no final full stop."""
    folded = unicodedata.normalize("NFC", text).translate(_DASHES).lower()
    folded = " ".join(folded.split())
    return folded.removesuffix(".").rstrip()


def parse_deadline(text: str) -> Deadline:
    """The due date and start of a written deadline; ScoringError saying why when unreadable."""
    written = " ".join(unicodedata.normalize("NFC", text).split())  # as quoted in messages
    if not written:
        raise ScoringError(
            msg(
                "thời hạn bị bỏ trống (nhiệm vụ không có hạn thì ghi 'thường xuyên')",
                "the deadline is empty (write 'thường xuyên' for a task with no end)",
            )
        )
    cleaned = normalise(text)
    if _REGULAR.fullmatch(cleaned):
        return Deadline(None, None)
    ongoing = _ONGOING.fullmatch(cleaned)
    if ongoing is not None:
        period = _period(ongoing.group(1), written)
        if period.several:
            raise _error(
                written,
                "sau 'từ' chỉ ghi một mốc (một ngày, tháng, quý, nửa năm hoặc năm)",
                "after 'từ' write a single day, month, quarter, half year or year",
            )
        return Deadline(None, period.first)
    due = _DUE.fullmatch(cleaned)
    if due is None:  # nothing left once the final full stop is off: the text was "."
        raise _unreadable(written)
    return Deadline(_period(due.group(1), written).last, None)


# ---------------------------------------------------------------- periods


def _period(body: str, written: str) -> _Period:
    """The first and last day of the period `body` names (already normalised)."""
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_FORMAL, "dmy"), (_ISO, "ymd")):
        found = pattern.fullmatch(body)
        if found is not None:
            parts = dict(zip(order, found.groups(), strict=True))
            day = _date(written, parts["y"], parts["m"], parts["d"])
            return _Period(day, day, several=False)
    found = _MONTHS.fullmatch(body)
    if found is not None:
        year = _year(written, found.group(2))
        months = _ordered(written, [_month(written, m) for m in _items(found.group(1))], "months")
        return _Period(
            dt.date(year, months[0], 1), _last_day(year, months[-1]), several=len(months) > 1
        )
    found = _QUARTERS.fullmatch(body)
    if found is not None:
        year = _year(written, found.group(2))
        quarters = [_quarter(written, q) for q in _items(found.group(1))]
        quarters = _ordered(written, quarters, "quarters")
        return _Period(
            dt.date(year, 3 * quarters[0] - 2, 1),
            _last_day(year, 3 * quarters[-1]),
            several=len(quarters) > 1,
        )
    found = _HALF.fullmatch(body)
    if found is not None:
        year = _year(written, found.group(2))
        if found.group(1) == "đầu":
            return _Period(dt.date(year, 1, 1), dt.date(year, 6, 30), several=False)
        return _Period(dt.date(year, 7, 1), dt.date(year, 12, 31), several=False)
    found = _YEAR.fullmatch(body)
    if found is not None:
        year = _year(written, found.group(1))
        return _Period(dt.date(year, 1, 1), dt.date(year, 12, 31), several=False)
    raise _unreadable(written)


def _items(listed: str) -> list[str]:
    return [item for item in re.split(_SEPARATOR, listed) if item]


def _last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _year(written: str, digits: str) -> int:
    year = int(digits)
    if len(digits) != 4 or not FIRST_YEAR <= year <= LAST_YEAR:
        raise _error(
            written,
            "năm {y} không hợp lệ (ghi đủ bốn chữ số, từ {a} đến {b})",
            "the year {y} is not valid (write all four digits, {a} to {b})",
            y=digits,
            a=FIRST_YEAR,
            b=LAST_YEAR,
        )
    return year


def _month(written: str, digits: str) -> int:
    month = int(digits) if digits.isdecimal() else 0
    if len(digits) > 2 or not 1 <= month <= 12:
        raise _error(
            written,
            "không có tháng {m} (tháng từ 1 đến 12)",
            "there is no month {m} (months are 1 to 12)",
            m=digits,
        )
    return month


def _quarter(written: str, item: str) -> int:
    quarter = _ROMAN.get(item)
    if quarter is None and item.isdecimal() and len(item) <= 2 and 1 <= int(item) <= 4:
        quarter = int(item)
    if quarter is None:
        raise _error(
            written,
            "không có quý {q} (quý I, II, III, IV hoặc 1 đến 4)",
            "there is no quarter {q} (quarters are I, II, III, IV or 1 to 4)",
            q=item.upper(),
        )
    return quarter


def _ordered(written: str, numbers: list[int], what: str) -> list[int]:
    if any(later <= earlier for earlier, later in itertools.pairwise(numbers)):
        vi = "các tháng" if what == "months" else "các quý"
        raise _error(
            written,
            vi + " phải ghi theo thứ tự tăng dần, không lặp lại",
            "the " + what + " must be in increasing order, each once",
        )
    return numbers


def _date(written: str, year_digits: str, month_digits: str, day_digits: str) -> dt.date:
    year = _year(written, year_digits)
    month = _month(written, month_digits)
    day = int(day_digits)
    if len(day_digits) > 2 or not 1 <= day <= calendar.monthrange(year, month)[1]:
        raise _error(
            written,
            "không có ngày {d} tháng {m} năm {y}",
            "there is no day {d} in month {m} of {y}",
            d=day_digits,
            m=month,
            y=year,
        )
    return dt.date(year, month, day)


# ---------------------------------------------------------------- messages


def _error(written: str, vi: str, en: str, **params: object) -> ScoringError:
    reason = msg(vi, en, **params)
    return ScoringError(
        Message(
            f"thời hạn '{written}': {reason.vi}",
            f"deadline '{written}': {reason.en}",
        )
    )


def _unreadable(written: str) -> ScoringError:
    return ScoringError(
        msg(
            "không đọc được thời hạn '{t}' (ghi như: {x})",
            "cannot read the deadline '{t}' (write e.g. {x})",
            t=written,
            x=EXAMPLES,
        )
    )
