"""Dates and times as FORMATS "General rules" writes them."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex.formats.dates import parse_date, parse_datetime
from parindex.scoring.messages import ScoringError


def at(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> dt.datetime:
    """A naive local time, as the file contract has them."""
    return dt.datetime(year, month, day, hour, minute, second, us)  # noqa: DTZ001


@pytest.mark.parametrize(
    "text",
    ["2024-03-31", "31/03/2024", "31-03-2024", " 31/03/2024 ", "2024-3-31", "31/3/2024"],
)
def test_every_written_form_of_a_date_is_the_same_day(text: str) -> None:
    assert parse_date(text) == dt.date(2024, 3, 31)


def test_day_and_month_may_drop_their_leading_zero() -> None:
    assert parse_date("1/3/2024") == dt.date(2024, 3, 1)
    assert parse_date("2024-1-5") == dt.date(2024, 1, 5)


def test_a_spreadsheet_date_with_a_midnight_time_is_still_a_date() -> None:
    assert parse_date("2024-03-31T00:00:00") == dt.date(2024, 3, 31)
    assert parse_date("31/03/2024 00:00") == dt.date(2024, 3, 31)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2024",
        "31.03.2024",
        "2024/03/31",
        "31/02/2024",
        "2024-13-01",
        "32/01/2024",
        "31/03/2024 14:05",
        "2024-03-31x",
        "hôm qua",
        "３１/03/2024",
    ],
)
def test_an_unreadable_date_says_what_to_write_in_both_languages(text: str) -> None:
    with pytest.raises(ScoringError) as caught:
        parse_date(text)
    message = caught.value.message
    assert message.en == f"cannot read the date '{text.strip()}' (write 31/03/2024 or 2024-03-31)"
    assert message.vi.startswith(f"không đọc được ngày '{text.strip()}'")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-31T14:05", at(2024, 3, 31, 14, 5)),
        ("2024-03-31 14:05", at(2024, 3, 31, 14, 5)),
        ("2024-03-31 14:05:09", at(2024, 3, 31, 14, 5, 9)),
        ("2024-03-31T14:05:09.25", at(2024, 3, 31, 14, 5, 9, 250000)),
        ("31/03/2024 14:05", at(2024, 3, 31, 14, 5)),
        ("31/03/2024 14:05:09", at(2024, 3, 31, 14, 5, 9)),
        ("31-03-2024 08:30", at(2024, 3, 31, 8, 30)),
        ("31/3/2024 8:30", at(2024, 3, 31, 8, 30)),
        ("2024-03-31", at(2024, 3, 31, 0, 0)),
        ("31/03/2024", at(2024, 3, 31, 0, 0)),
    ],
)
def test_date_and_time_forms(text: str, expected: dt.datetime) -> None:
    assert parse_datetime(text) == expected
    assert parse_datetime(text).tzinfo is None


def test_a_date_alone_is_the_end_of_that_day_when_asked() -> None:
    assert parse_datetime("31/03/2024", end_of_day=True) == at(2024, 3, 31, 23, 59, 59, 999999)
    assert parse_datetime("2024-03-31", end_of_day=True) > parse_datetime("2024-03-31 23:59:59")


def test_a_written_time_wins_over_end_of_day() -> None:
    assert parse_datetime("31/03/2024 09:00", end_of_day=True) == at(2024, 3, 31, 9)


@pytest.mark.parametrize(
    "text",
    [
        "2024-03-31T25:00",
        "2024-03-31T14:60",
        "2024-03-31T14",
        "2024-03-31T14:05Z",
        "2024-03-31T14:05+07:00",
        "2024-03-31 2pm",
        "31/03/2024-14:05",
        "31/02/2024 10:00",
    ],
)
def test_an_unreadable_time_is_refused_with_both_languages(text: str) -> None:
    with pytest.raises(ScoringError) as caught:
        parse_datetime(text)
    assert caught.value.message.en.startswith(f"cannot read the date and time '{text}'")
    assert caught.value.message.vi.startswith(f"không đọc được thời điểm '{text}'")
