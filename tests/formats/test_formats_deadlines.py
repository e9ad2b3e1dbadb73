"""Deadlines of plan tasks as Vietnamese directives write them (FORMATS "Plan tasks — CSV")."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from parindex.formats.deadlines import EXAMPLES, Deadline, parse_deadline
from parindex.scoring.messages import ScoringError

D = dt.date
ROMAN = ("I", "II", "III", "IV")


def due(text: str) -> dt.date | None:
    return parse_deadline(text).due_date


def refusal(text: str) -> tuple[str, str]:
    with pytest.raises(ScoringError) as caught:
        parse_deadline(text)
    return caught.value.message.vi, caught.value.message.en


# ---------------------------------------------------------------- the FORMATS table, row by row


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a day
        ("30/09/2017", D(2017, 9, 30)),
        ("2017-09-30", D(2017, 9, 30)),
        # a month
        ("tháng 6/2017", D(2017, 6, 30)),
        ("tháng 01 năm 2014", D(2014, 1, 31)),
        # months: the last one
        ("tháng 7-8/2017", D(2017, 8, 31)),
        ("tháng 6-7/2017", D(2017, 7, 31)),
        # a quarter
        ("quý III/2017", D(2017, 9, 30)),
        ("quý I năm 2014", D(2014, 3, 31)),
        ("quý 3/2017", D(2017, 9, 30)),
        # quarters: the last one
        ("quý I+II năm 2014", D(2014, 6, 30)),
        ("quý II, III/2017", D(2017, 9, 30)),
        # half years
        ("6 tháng đầu năm 2018", D(2018, 6, 30)),
        ("6 tháng cuối năm 2018", D(2018, 12, 31)),
        # a year
        ("năm 2018", D(2018, 12, 31)),
        ("trong năm 2018", D(2018, 12, 31)),
    ],
)
def test_deadline_formats_table_due_dates(text: str, expected: dt.date) -> None:
    assert parse_deadline(text) == Deadline(expected, None)


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("từ tháng 8/2017", D(2017, 8, 1)),
        ("từ năm 2018", D(2018, 1, 1)),
        ("thực hiện từ quý II/2017", D(2017, 4, 1)),
        ("thường xuyên", None),
    ],
)
def test_deadline_formats_table_ongoing_tasks_have_no_due_date(
    text: str, starts: dt.date | None
) -> None:
    assert parse_deadline(text) == Deadline(None, starts)


@pytest.mark.parametrize("lead", ["", "trong ", "trước ", "hạn ", "Trong ", "TRƯỚC ", "Hạn "])
@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("30/09/2017", D(2017, 9, 30)),
        ("tháng 6/2017", D(2017, 6, 30)),
        ("quý III/2017", D(2017, 9, 30)),
        ("quý I+II năm 2014", D(2014, 6, 30)),
        ("6 tháng đầu năm 2018", D(2018, 6, 30)),
        ("năm 2018", D(2018, 12, 31)),
    ],
)
def test_deadline_leading_trong_truoc_han_do_not_move_the_date(
    lead: str, body: str, expected: dt.date
) -> None:
    assert due(lead + body) == expected


# ---------------------------------------------------------------- the seeds' own wording


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # seed 002, Sơn La 152/QĐ-UBND, "Thời gian hoàn thành / thực hiện: ..."
        ("Tháng 01 năm 2014.", Deadline(D(2014, 1, 31), None)),
        ("Quý I năm 2014.", Deadline(D(2014, 3, 31), None)),
        ("Trong quý I+II năm 2014.", Deadline(D(2014, 6, 30), None)),
        ("Trong quý I năm 2015.", Deadline(D(2015, 3, 31), None)),
        ("Quý III năm 2016.", Deadline(D(2016, 9, 30), None)),
        ("từ năm 2014", Deadline(None, D(2014, 1, 1))),
        # seed 004, Khánh Hòa directive on Program 12-CTr/TU
        ("trong quý III/2017", Deadline(D(2017, 9, 30), None)),
        ("trong quý IV/2017", Deadline(D(2017, 12, 31), None)),
        ("trong quý II/2018", Deadline(D(2018, 6, 30), None)),
        ("trong tháng 7-8/2017", Deadline(D(2017, 8, 31), None)),
        ("trong tháng 6-7/2017", Deadline(D(2017, 7, 31), None)),
        ("trong tháng 6/2017", Deadline(D(2017, 6, 30), None)),
        ("trong tháng 8/2017", Deadline(D(2017, 8, 31), None)),
        ("trong tháng 9/2017", Deadline(D(2017, 9, 30), None)),
        ("ngay trong quý III/2017", Deadline(D(2017, 9, 30), None)),
        ("ngay trong năm 2018", Deadline(D(2018, 12, 31), None)),
        ("ngay trong năm 2017", Deadline(D(2017, 12, 31), None)),
        ("Thực hiện từ tháng 8/2017.", Deadline(None, D(2017, 8, 1))),
        ("từ tháng 5/2017", Deadline(None, D(2017, 5, 1))),
        ("Thời hạn: bắt đầu thực hiện từ năm 2018.", Deadline(None, D(2018, 1, 1))),
        ("bắt đầu thực hiện từ năm 2018", Deadline(None, D(2018, 1, 1))),
        ("thực hiện từ năm 2017 trở đi", Deadline(None, D(2017, 1, 1))),
        ("từ năm 2018 trở đi", Deadline(None, D(2018, 1, 1))),
        ("ngay từ quý II/2017", Deadline(None, D(2017, 4, 1))),
        ("từ quý III/2017", Deadline(None, D(2017, 7, 1))),
        # seed 001 and 000: "Thường xuyên rà soát ..."
        ("Thường xuyên", Deadline(None, None)),
        ("thực hiện thường xuyên", Deadline(None, None)),
    ],
)
def test_deadline_wordings_found_in_the_seed_directives(text: str, expected: Deadline) -> None:
    assert parse_deadline(text) == expected


# ---------------------------------------------------------------- tolerance


@pytest.mark.parametrize(
    "text",
    [
        "quý III/2017",
        "QUÝ III/2017",
        "Quý iii/2017",
        "quý III năm 2017",
        "quý III / 2017",
        "  quý   III   năm   2017  ",
        "quý\tIII/2017",
        "quý 3/2017",
        "quý 03/2017",
        "hạn: quý III/2017",
        "Thời hạn: quý III/2017",
        unicodedata.normalize("NFD", "Quý III năm 2017"),
        unicodedata.normalize("NFD", "trước quý III/2017"),
    ],
)
def test_deadline_case_spaces_year_separator_and_unicode_form_do_not_matter(text: str) -> None:
    assert parse_deadline(text) == Deadline(D(2017, 9, 30), None)


@pytest.mark.parametrize(
    "text",
    [
        "30/9/2017",
        "30 / 09 / 2017",
        "2017-9-30",
        "2017-09-30T00:00:00",
        "2017-09-30 00:00",
        "trước ngày 30/09/2017",
        "ngày 30 tháng 9 năm 2017",
        "hạn 30/09/2017",
    ],
)
def test_deadline_day_forms(text: str) -> None:
    assert due(text) == D(2017, 9, 30)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tháng 7 - 8/2017", D(2017, 8, 31)),
        ("tháng 7–8/2017", D(2017, 8, 31)),  # an en dash, as word processors write it
        ("tháng 7, 8 năm 2017", D(2017, 8, 31)),
        ("tháng 7 và 8 năm 2017", D(2017, 8, 31)),
        ("tháng 10-12/2017", D(2017, 12, 31)),
        ("quý I + II/2014", D(2014, 6, 30)),
        ("quý I, II, III năm 2014", D(2014, 9, 30)),
        ("quý II-III/2017", D(2017, 9, 30)),
        ("quý III và IV/2017", D(2017, 12, 31)),
    ],
)
def test_deadline_ranges_and_lists_end_with_their_last_period(text: str, expected: dt.date) -> None:
    assert due(text) == expected


# ---------------------------------------------------------------- calendar edges


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tháng 2/2016", D(2016, 2, 29)),
        ("tháng 2/2017", D(2017, 2, 28)),
        ("tháng 2/2000", D(2000, 2, 29)),
        ("tháng 2/2100", D(2100, 2, 28)),
        ("29/02/2016", D(2016, 2, 29)),
        ("tháng 1-2/2024", D(2024, 2, 29)),
        ("tháng 4/2017", D(2017, 4, 30)),
        ("tháng 12/2017", D(2017, 12, 31)),
    ],
)
def test_deadline_month_ends_follow_the_calendar_and_leap_years(
    text: str, expected: dt.date
) -> None:
    assert due(text) == expected


@pytest.mark.parametrize(
    ("quarter", "last", "first"),
    [
        ("I", D(2017, 3, 31), D(2017, 1, 1)),
        ("II", D(2017, 6, 30), D(2017, 4, 1)),
        ("III", D(2017, 9, 30), D(2017, 7, 1)),
        ("IV", D(2017, 12, 31), D(2017, 10, 1)),
    ],
)
def test_deadline_quarters_end_and_start_on_their_calendar_days(
    quarter: str, last: dt.date, first: dt.date
) -> None:
    arabic = str(ROMAN.index(quarter) + 1)
    assert due(f"quý {quarter}/2017") == last
    assert due(f"quý {arabic}/2017") == last
    assert parse_deadline(f"từ quý {quarter}/2017") == Deadline(None, first)


def test_deadline_ongoing_start_is_the_first_day_of_any_single_period() -> None:
    assert parse_deadline("từ 15/08/2017") == Deadline(None, D(2017, 8, 15))
    assert parse_deadline("từ 6 tháng cuối năm 2018") == Deadline(None, D(2018, 7, 1))
    assert parse_deadline("từ 6 tháng đầu năm 2018") == Deadline(None, D(2018, 1, 1))


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("text", "en", "vi"),
    [
        (
            "tháng 13/2017",
            "deadline 'tháng 13/2017': there is no month 13 (months are 1 to 12)",
            "thời hạn 'tháng 13/2017': không có tháng 13 (tháng từ 1 đến 12)",
        ),
        (
            "tháng 0/2017",
            "deadline 'tháng 0/2017': there is no month 0 (months are 1 to 12)",
            "thời hạn 'tháng 0/2017': không có tháng 0 (tháng từ 1 đến 12)",
        ),
        (
            "15/13/2017",
            "deadline '15/13/2017': there is no month 13 (months are 1 to 12)",
            "thời hạn '15/13/2017': không có tháng 13 (tháng từ 1 đến 12)",
        ),
        (
            "31/02/2017",
            "deadline '31/02/2017': there is no day 31 in month 2 of 2017",
            "thời hạn '31/02/2017': không có ngày 31 tháng 2 năm 2017",
        ),
        (
            "29/02/2017",
            "deadline '29/02/2017': there is no day 29 in month 2 of 2017",
            "thời hạn '29/02/2017': không có ngày 29 tháng 2 năm 2017",
        ),
        (
            "2017-04-31",
            "deadline '2017-04-31': there is no day 31 in month 4 of 2017",
            "thời hạn '2017-04-31': không có ngày 31 tháng 4 năm 2017",
        ),
        (
            "quý V/2017",
            "deadline 'quý V/2017': there is no quarter V (quarters are I, II, III, IV or 1 to 4)",
            "thời hạn 'quý V/2017': không có quý V (quý I, II, III, IV hoặc 1 đến 4)",
        ),
        (
            "quý IIII/2017",
            "deadline 'quý IIII/2017': there is no quarter IIII "
            "(quarters are I, II, III, IV or 1 to 4)",
            "thời hạn 'quý IIII/2017': không có quý IIII (quý I, II, III, IV hoặc 1 đến 4)",
        ),
        (
            "quý 5/2017",
            "deadline 'quý 5/2017': there is no quarter 5 (quarters are I, II, III, IV or 1 to 4)",
            "thời hạn 'quý 5/2017': không có quý 5 (quý I, II, III, IV hoặc 1 đến 4)",
        ),
        (
            "quý III, II/2017",
            "deadline 'quý III, II/2017': the quarters must be in increasing order, each once",
            "thời hạn 'quý III, II/2017': các quý phải ghi theo thứ tự tăng dần, không lặp lại",
        ),
        (
            "tháng 8-7/2017",
            "deadline 'tháng 8-7/2017': the months must be in increasing order, each once",
            "thời hạn 'tháng 8-7/2017': các tháng phải ghi theo thứ tự tăng dần, không lặp lại",
        ),
        (
            "năm 17",
            "deadline 'năm 17': the year 17 is not valid (write all four digits, 1900 to 2100)",
            "thời hạn 'năm 17': năm 17 không hợp lệ (ghi đủ bốn chữ số, từ 1900 đến 2100)",
        ),
        (
            "30/09/17",
            "deadline '30/09/17': the year 17 is not valid (write all four digits, 1900 to 2100)",
            "thời hạn '30/09/17': năm 17 không hợp lệ (ghi đủ bốn chữ số, từ 1900 đến 2100)",
        ),
        (
            "từ quý I+II/2017",
            "deadline 'từ quý I+II/2017': after 'từ' write a single day, month, quarter, "
            "half year or year",
            "thời hạn 'từ quý I+II/2017': sau 'từ' chỉ ghi một mốc (một ngày, tháng, quý, "
            "nửa năm hoặc năm)",
        ),
    ],
)
def test_deadline_impossible_periods_are_refused_saying_why(text: str, en: str, vi: str) -> None:
    assert refusal(text) == (vi, en)


@pytest.mark.parametrize(
    "text",
    [
        "sớm",
        ".",
        "2018",  # a bare year: write `năm 2018`
        "30-09-2017",
        "2017/09/30",
        "30.09.2017",
        "tháng 6-2017",
        "quý V",
        "quý III",
        "tháng 6",
        "cuối năm 2018",
        "trước từ tháng 8/2017",
        "năm 2018 trở đi",
        "hàng năm",
        "định kỳ hàng quý",
        "đến năm 2020",
        "Thời hạn trình UBND tỉnh: trong quý III/2017",
        "quy III/2017",  # diacritics are not guessed
        "thang 6/2017",
        "tháng ６/2017",  # a full-width digit
        "hạn30/09/2017",
        "30/09/2017 14:05",
    ],
)
def test_deadline_unknown_wording_is_refused_with_examples(text: str) -> None:
    vi, en = refusal(text)
    assert en == f"cannot read the deadline '{text}' (write e.g. {EXAMPLES})"
    assert vi == f"không đọc được thời hạn '{text}' (ghi như: {EXAMPLES})"


@pytest.mark.parametrize("text", ["", "   ", "\t"])
def test_deadline_empty_is_refused(text: str) -> None:
    assert refusal(text) == (
        "thời hạn bị bỏ trống (nhiệm vụ không có hạn thì ghi 'thường xuyên')",
        "the deadline is empty (write 'thường xuyên' for a task with no end)",
    )


def test_deadline_refusal_quotes_the_text_in_nfc_with_spaces_collapsed() -> None:
    _, en = refusal(unicodedata.normalize("NFD", "  tháng   13/2017 "))
    assert en.startswith("deadline 'tháng 13/2017': ")


# ---------------------------------------------------------------- properties

years = st.integers(min_value=1900, max_value=2100)
leads = st.sampled_from(["", "trong ", "trước ", "hạn ", "Trong ", "ngay trong "])
tails = st.sampled_from(["/{y}", " năm {y}", " / {y}"])


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


@given(day=st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)), lead=leads)
def test_deadline_property_any_written_day_reads_back_as_that_day(day: dt.date, lead: str) -> None:
    assert due(f"{lead}{day.day:02d}/{day.month:02d}/{day.year}") == day
    assert due(f"{lead}{day.day}/{day.month}/{day.year}") == day
    assert due(f"{lead}{day.isoformat()}") == day


@given(
    year=years,
    month=st.integers(min_value=1, max_value=12),
    padded=st.booleans(),
    lead=leads,
    tail=tails,
)
def test_deadline_property_any_month_reads_back_as_its_last_day(
    year: int, month: int, padded: bool, lead: str, tail: str
) -> None:
    written = f"{month:02d}" if padded else str(month)
    text = f"{lead}tháng {written}{tail.format(y=year)}"
    assert parse_deadline(text) == Deadline(last_day(year, month), None)
    assert parse_deadline(f"từ tháng {written}{tail.format(y=year)}") == Deadline(
        None, D(year, month, 1)
    )


@given(
    year=years,
    quarter=st.integers(min_value=1, max_value=4),
    roman=st.booleans(),
    lead=leads,
    tail=tails,
)
def test_deadline_property_any_quarter_reads_back_as_its_last_day(
    year: int, quarter: int, roman: bool, lead: str, tail: str
) -> None:
    written = ROMAN[quarter - 1] if roman else str(quarter)
    text = f"{lead}quý {written}{tail.format(y=year)}"
    assert parse_deadline(text) == Deadline(last_day(year, 3 * quarter), None)


@given(
    year=years,
    months=st.lists(st.integers(1, 12), min_size=2, max_size=4, unique=True).map(sorted),
    separator=st.sampled_from(["-", "+", ", ", " và "]),
)
def test_deadline_property_a_list_of_months_reads_back_as_the_last_ones_end(
    year: int, months: list[int], separator: str
) -> None:
    text = f"tháng {separator.join(map(str, months))}/{year}"
    assert due(text) == last_day(year, months[-1])


@given(
    year=years,
    quarters=st.lists(st.integers(1, 4), min_size=2, max_size=4, unique=True).map(sorted),
    separator=st.sampled_from(["+", ", ", "-"]),
)
def test_deadline_property_a_list_of_quarters_reads_back_as_the_last_ones_end(
    year: int, quarters: list[int], separator: str
) -> None:
    text = f"quý {separator.join(ROMAN[q - 1] for q in quarters)} năm {year}"
    assert due(text) == last_day(year, 3 * quarters[-1])


@given(text=st.text(max_size=40))
def test_deadline_property_any_text_is_read_or_refused_never_crashes(text: str) -> None:
    try:
        deadline: Deadline | ScoringError = parse_deadline(text)
    except ScoringError as exc:
        deadline = exc
    if isinstance(deadline, ScoringError):
        assert deadline.message.vi and deadline.message.en
    else:
        assert deadline.due_date is None or deadline.starts is None
