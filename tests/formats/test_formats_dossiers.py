"""One-stop dossiers (FORMATS "Dossiers — CSV"): every classification edge on tiny files."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from parindex.formats import dossiers
from parindex.formats.dossiers import (
    DossierInputError,
    dossier_stats,
    rate,
    read_holidays,
    row_reasons,
    stats_csv,
    stats_document,
)
from parindex.formats.problems import InputError

HEADER = (
    "dossier_id,unit,procedure,official,received_at,due_at,finished_at,status,online,"
    "apology_at,new_due_at,reschedules"
)


def moment(*parts: int) -> dt.datetime:
    """A naive Vietnam time, as the files hold them."""
    return dt.datetime(*parts)  # noqa: DTZ001


AS_OF = moment(2024, 6, 1)

# March 2024: Friday the 1st; Mondays 4, 11, 18, 25.


def dossier(
    dossier_id: str = "HS1",
    unit: str = "A",
    procedure: str = "P1",
    official: str = "CB1",
    received: str = "2024-03-04T08:00",
    due: str = "2024-03-15",
    finished: str = "",
    status: str = "finished",
    online: str = "0",
    apology: str = "",
    new_due: str = "",
    reschedules: str = "",
) -> str:
    cells = (dossier_id, unit, procedure, official, received, due, finished, status, online)
    return ",".join((*cells, apology, new_due, reschedules))


def write(tmp_path: Path, *rows: str, header: str = HEADER, name: str = "hs.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def table(
    path: Path,
    by: str = "unit",
    as_of: dt.datetime = AS_OF,
    holidays: tuple[dt.date, ...] = (),
) -> dict[str, dict[str, Any]]:
    """The rows of the stats keyed by their key (joined with `/` for unit-month)."""
    stats = dossier_stats(path, by=by, as_of=as_of, holidays=holidays)
    keys = len(dossiers.BY[by])
    found: dict[str, dict[str, Any]] = {}
    for row in stats.rows:
        found["/".join(str(cell) for cell in row[:keys])] = dict(
            zip(stats.columns, row, strict=True)
        )
    return found


def one(path: Path, **options: Any) -> dict[str, Any]:
    (row,) = table(path, **options).values()
    return row


def problems(path: Path, lang: str = "en", **options: Any) -> list[str]:
    with pytest.raises(InputError) as caught:
        table(path, **options)
    return caught.value.render(lang)


# ---------------------------------------------------------------- finished dossiers


def test_dossiers_a_due_date_without_time_is_the_end_of_that_day(tmp_path: Path) -> None:
    path = write(tmp_path, dossier(due="2024-03-15", finished="2024-03-15T23:59:59"))
    row = one(path)
    assert (row["early"], row["on_time"], row["late"]) == (0, 1, 0)


def test_dossiers_finished_on_the_due_day_is_on_time_and_a_day_before_is_early(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        dossier("HS1", due="2024-03-15T17:00", finished="2024-03-15T08:00"),
        dossier("HS2", due="2024-03-15T17:00", finished="2024-03-15T17:00"),
        dossier("HS3", due="2024-03-15T17:00", finished="2024-03-14T23:59"),
    )
    row = one(path)
    assert (row["finished"], row["early"], row["on_time"], row["late"]) == (3, 1, 2, 0)
    assert row["ontime_rate"] == Decimal("1.0000")


def test_dossiers_a_second_after_the_due_time_is_late(tmp_path: Path) -> None:
    path = write(tmp_path, dossier(due="2024-03-15T17:00:00", finished="2024-03-15T17:00:01"))
    row = one(path)
    assert (row["early"], row["on_time"], row["late"]) == (0, 0, 1)
    assert row["late_rate"] == Decimal("1.0000")
    assert row["late_noncompliant"] == 1


def test_dossiers_finished_the_day_after_a_date_alone_is_late(tmp_path: Path) -> None:
    path = write(tmp_path, dossier(due="2024-03-15", finished="2024-03-16"))
    assert one(path)["late"] == 1


# ---------------------------------------------------------------- pending and withdrawn


def test_dossiers_a_pending_dossier_is_overdue_once_its_due_time_has_passed(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path,
        dossier("HS1", due="2024-03-15", status="pending"),
        dossier("HS2", due="2024-03-15T10:00", status="pending"),
    )
    before = one(path, as_of=moment(2024, 3, 15, 9, 59))
    assert (before["pending"], before["overdue"]) == (2, 0)
    assert one(path, as_of=moment(2024, 3, 15, 10, 0, 1))["overdue"] == 1
    assert one(path, as_of=moment(2024, 3, 15, 23, 59, 59))["overdue"] == 1
    assert one(path, as_of=moment(2024, 3, 16))["overdue"] == 2


def test_dossiers_withdrawn_ones_count_as_received_only(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        dossier("HS1", status="withdrawn", online="1", due="", finished=""),
        dossier("HS2", status="withdrawn", due="2024-03-01", finished="2024-03-20"),
    )
    row = one(path)
    assert row["received"] == row["withdrawn"] == 2
    assert row["finished"] == row["pending"] == row["overdue"] == row["online"] == 0
    assert row["late_rate"] is row["ontime_rate"] is row["online_rate"] is None


def test_dossiers_online_counts_finished_and_pending_only(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        dossier("HS1", online="1", finished="2024-03-05"),
        dossier("HS2", online="1", status="pending"),
        dossier("HS3", online="1", status="withdrawn"),
        dossier("HS4", online="0", finished="2024-03-05"),
        dossier("HS5", online="", status="pending"),
    )
    row = one(path)
    assert (row["received"], row["online"]) == (5, 2)
    assert row["online_rate"] == Decimal("0.5000")  # 2 of the 4 finished or pending


# ---------------------------------------------------------------- the apology rule

# Received Monday 4 March, due Friday 15 March: 9 working days of processing (5–8, 11–15), so
# an extension of 3 working days (to Wednesday 20) is the most the rule allows.
LATE = {"received": "2024-03-04T08:00", "due": "2024-03-15", "finished": "2024-03-19T10:00"}
APOLOGY = {"apology": "2024-03-14T09:00", "new_due": "2024-03-20", "reschedules": "1"}


def late_row(tmp_path: Path, holidays: tuple[dt.date, ...] = (), **changes: str) -> int:
    """late_noncompliant of one late dossier with the compliant apology, changed by `changes`."""
    fields = {**LATE, **APOLOGY, **changes}
    row = one(write(tmp_path, dossier(**fields)), holidays=holidays)
    assert row["late"] == 1
    return int(row["late_noncompliant"])


def test_dossiers_a_late_dossier_with_a_timely_apology_and_a_short_extension_complies(
    tmp_path: Path,
) -> None:
    assert late_row(tmp_path) == 0


def test_dossiers_an_extension_of_exactly_a_third_complies_and_one_day_more_does_not(
    tmp_path: Path,
) -> None:
    assert late_row(tmp_path, new_due="2024-03-20") == 0
    assert late_row(tmp_path, new_due="2024-03-21") == 1


def test_dossiers_an_apology_on_the_due_day_does_not_comply(tmp_path: Path) -> None:
    assert late_row(tmp_path, apology="2024-03-14T23:59") == 0
    assert late_row(tmp_path, apology="2024-03-15T07:00") == 1
    assert late_row(tmp_path, apology="") == 1


def test_dossiers_no_new_due_date_does_not_comply(tmp_path: Path) -> None:
    assert late_row(tmp_path, new_due="") == 1


def test_dossiers_a_second_reschedule_does_not_comply_and_empty_counts_as_one(
    tmp_path: Path,
) -> None:
    assert late_row(tmp_path, reschedules="2") == 1
    assert late_row(tmp_path, reschedules="") == 0
    assert late_row(tmp_path, reschedules="0") == 0


def test_dossiers_a_holiday_in_the_processing_time_shortens_the_allowed_extension(
    tmp_path: Path,
) -> None:
    holiday = (dt.date(2024, 3, 12),)  # 8 working days of processing: at most 2 more
    assert late_row(tmp_path, holidays=holiday) == 1
    assert late_row(tmp_path, holidays=holiday, new_due="2024-03-19") == 0


def test_dossiers_a_holiday_in_the_extension_is_not_counted(tmp_path: Path) -> None:
    holiday = (dt.date(2024, 3, 19),)  # 18, 20, 21: three working days again
    assert late_row(tmp_path, new_due="2024-03-21") == 1
    assert late_row(tmp_path, holidays=holiday, new_due="2024-03-21") == 0


def test_dossiers_weekends_are_not_working_days(tmp_path: Path) -> None:
    # Received Tuesday 12, due Friday 15: 3 working days (13, 14, 15), one more allowed;
    # Monday 18 is that one working day after the weekend.
    changes = {
        "received": "2024-03-12T08:00",
        "apology": "2024-03-14",
        "finished": "2024-03-18T10:00",
    }
    assert late_row(tmp_path, **changes, new_due="2024-03-18") == 0
    assert late_row(tmp_path, **changes, new_due="2024-03-19") == 1


def test_dossiers_an_on_time_dossier_is_never_noncompliant(tmp_path: Path) -> None:
    path = write(tmp_path, dossier(finished="2024-03-15T10:00"))
    assert one(path)["late_noncompliant"] == 0


# ---------------------------------------------------------------- rates


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (1, 8, "0.1250"),
        (2, 3, "0.6667"),
        (1, 3, "0.3333"),
        (1, 16, "0.0625"),
        (1, 32, "0.0313"),  # 0.03125: half-up, not half-even
        (3, 32, "0.0938"),  # 0.09375
        (0, 5, "0.0000"),
        (5, 5, "1.0000"),
    ],
)
def test_dossiers_rates_have_four_decimals_rounded_half_up(
    numerator: int, denominator: int, expected: str
) -> None:
    assert str(rate(numerator, denominator)) == expected


def test_dossiers_a_rate_over_nothing_is_empty() -> None:
    assert rate(0, 0) is None


def test_dossiers_rates_in_the_table_are_exact(tmp_path: Path) -> None:
    rows = [dossier(f"L{i}", finished="2024-03-18") for i in range(1)]
    rows += [dossier(f"E{i}", finished="2024-03-05", online="1") for i in range(31)]
    rows += [dossier("P1", unit="B", status="pending"), dossier("W1", unit="C", status="withdrawn")]
    found = table(write(tmp_path, *rows))
    assert found["A"]["late_rate"] == Decimal("0.0313")
    assert found["A"]["ontime_rate"] == Decimal("0.9688")  # 31/32 = 0.96875
    assert found["A"]["online_rate"] == Decimal("0.9688")
    assert found["B"]["late_rate"] is None and found["B"]["online_rate"] == Decimal("0.0000")
    assert found["C"]["online_rate"] is None


# ---------------------------------------------------------------- keys and the table


def test_dossiers_each_by_key_groups_and_sorts(tmp_path: Path) -> None:
    done = {"finished": "2024-03-05"}
    path = write(
        tmp_path,
        dossier("HS1", "B", "P2", "CB2", received="2024-02-01T08:00", **done),
        dossier("HS2", "A", "P2", "CB1", received="2024-01-31T23:59", **done),
        dossier("HS3", "A", "P1", "CB2", received="2024-03-04", **done),
        dossier("HS4", "A", "P1", "CB1", received="2024-01-02T08:00", **done),
    )
    received = {by: {k: v["received"] for k, v in table(path, by).items()} for by in dossiers.BY}
    assert received["unit"] == {"A": 3, "B": 1}
    assert received["official"] == {"CB1": 2, "CB2": 2}
    assert received["procedure"] == {"P1": 2, "P2": 2}
    assert list(received["unit-month"].items()) == [
        ("A/2024-01", 2),
        ("A/2024-03", 1),
        ("B/2024-02", 1),
    ]


def test_dossiers_the_csv_has_the_columns_of_formats(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        dossier("HS1", finished="2024-03-18", online="1"),
        dossier("HS2", finished="2024-03-15T09:00"),
        dossier("HS3", finished="2024-03-05"),
        dossier("HS4", status="pending"),
        dossier("HS5", status="withdrawn", unit="B"),
    )
    stats = dossier_stats(path, by="unit-month", as_of=AS_OF)
    assert stats_csv(stats) == (
        "unit,month,received,finished,pending,withdrawn,early,on_time,late,overdue,online,"
        "late_rate,ontime_rate,online_rate,late_noncompliant\n"
        "A,2024-03,4,3,1,0,1,1,1,1,1,0.3333,0.6667,0.2500,1\n"
        "B,2024-03,1,0,0,1,0,0,0,0,0,,,,0\n"
    )
    document = stats_document(stats)
    assert document["by"] == "unit-month" and document["as_of"] == "2024-06-01T00:00:00"
    assert document["rows"][1]["late_rate"] is None
    assert document["rows"][0]["ontime_rate"] == 0.6667


def test_dossiers_a_file_with_only_a_header_gives_an_empty_table(tmp_path: Path) -> None:
    stats = dossier_stats(write(tmp_path), by="unit", as_of=AS_OF)
    assert stats.rows == ()
    assert stats_csv(stats).count("\n") == 1


def test_dossiers_header_case_order_bom_extra_columns_and_spaces_are_accepted(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hs.csv"
    path.write_text(
        "\ufeffNote,Reschedules,New_Due_At,Apology_At,Online,STATUS,Finished_At,Due_At,"
        "Received_At,Official,Procedure,Unit,Dossier_ID\n"
        "x,, , , 1 , Finished ,2024-03-05 10:00, 15/03/2024 ,4/3/2024 8:00,CB1,P1, A , HS1\n"
        "\n"
        "y,1,2024-03-20,14/03/2024,0,finished,2024-03-19T10:00:00.5,2024-03-15,"
        "2024-03-04,CB1,P1,A,HS2\n",
        encoding="utf-8",
    )
    row = one(path)
    assert (row["received"], row["early"], row["late"], row["online"]) == (2, 1, 1, 1)
    assert row["late_noncompliant"] == 0


def test_dossiers_vietnamese_dates_throughout_give_the_same_table(tmp_path: Path) -> None:
    iso = write(
        tmp_path,
        dossier("HS1", finished="2024-03-15T17:00", due="2024-03-15"),
        dossier("HS2", finished="2024-03-19T10:00", **APOLOGY),
        name="iso.csv",
    )
    vietnamese = write(
        tmp_path,
        dossier(
            "HS1",
            received="04/03/2024 08:00",
            finished="15/03/2024 17:00",
            due="15/03/2024",
        ),
        dossier(
            "HS2",
            received="04/03/2024 08:00",
            due="15/03/2024",
            finished="19/03/2024 10:00",
            apology="14/03/2024 09:00",
            new_due="20/03/2024",
            reschedules="1",
        ),
        name="vi.csv",
    )
    assert table(iso) == table(vietnamese)


def test_dossiers_an_xlsx_file_gives_the_same_table(tmp_path: Path) -> None:
    rows = [
        dossier("HS1", finished="2024-03-15T17:00"),
        dossier("HS2", finished="2024-03-19T10:00", **APOLOGY),
        dossier("HS3", status="pending", online="1"),
    ]
    csv_path = write(tmp_path, *rows)
    workbook = tmp_path / "hs.xlsx"
    book = xlsxwriter.Workbook(str(workbook))
    sheet = book.add_worksheet()
    for r, line in enumerate([HEADER, *rows]):
        for c, cell in enumerate(line.split(",")):
            if r and c == 8:
                sheet.write_number(r, c, int(cell))
            elif cell:
                sheet.write_string(r, c, cell)
    book.close()
    assert table(workbook) == table(csv_path)


def test_dossiers_small_blocks_keep_counts_and_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dossiers, "_BLOCK", 150)
    rows = [dossier(f"HS{i}", finished="2024-03-05") for i in range(40)]
    rows[17] = dossier("HS17", official='"Nguyễn\nVăn A"', finished="2024-03-05")
    rows[31] = dossier("HS31", status="done")
    path = write(tmp_path, *rows)
    assert problems(path) == [
        f"{path}:34: unknown status 'done' (finished, pending or withdrawn)",
    ]  # the header, 31 rows before it, and one more line in the quoted cell
    rows[31] = dossier("HS31", finished="2024-03-05")
    assert one(write(tmp_path, *rows))["early"] == 40


# ---------------------------------------------------------------- bad input


def test_dossiers_every_bad_row_is_listed_with_its_line_and_reasons(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        dossier("HS1", finished="2024-03-05"),
        dossier("HS2", received="2024-13-01"),
        "",
        dossier("HS3", finished=""),
        dossier("HS4", status="done"),
        dossier("HS1", finished="2024-03-06"),
        dossier("", unit="", online="yes", reschedules="-1", status="pending", due=""),
        dossier("HS7", finished="31/02/2024 10:00", apology="soon", new_due="x"),
    )
    assert problems(path) == [
        f"{path}:3: received_at: cannot read the date and time '2024-13-01' "
        "(write 31/03/2024 14:05 or 2024-03-31T14:05); a finished dossier without finished_at",
        f"{path}:5: a finished dossier without finished_at",
        f"{path}:6: unknown status 'done' (finished, pending or withdrawn)",
        f"{path}:7: dossier_id HS1 already seen on line 2",
        f"{path}:8: the dossier_id is empty; the unit is empty; due_at is empty; "
        "online must be 1 or 0, not 'yes'; reschedules must be a whole number ≥ 0, not '-1'",
        f"{path}:9: finished_at: cannot read the date and time '31/02/2024 10:00' "
        "(write 31/03/2024 14:05 or 2024-03-31T14:05); apology_at: cannot read the date and "
        "time 'soon' (write 31/03/2024 14:05 or 2024-03-31T14:05); new_due_at: cannot read "
        "the date and time 'x' (write 31/03/2024 14:05 or 2024-03-31T14:05)",
    ]


def test_dossiers_problems_are_in_vietnamese_too(tmp_path: Path) -> None:
    path = write(tmp_path, dossier("HS1", finished=""), dossier("HS1", status="xong"))
    assert problems(path, lang="vi") == [
        f"{path}:2: hồ sơ đã giải quyết (finished) nhưng thiếu finished_at",
        f"{path}:3: mã hồ sơ HS1 đã có ở dòng 2; trạng thái 'xong' không hợp lệ "
        "(finished, pending hoặc withdrawn)",
    ]


def test_dossiers_a_repeated_id_is_an_error_even_in_another_unit(tmp_path: Path) -> None:
    rows = [dossier(f"HS{i}", finished="2024-03-05") for i in range(5)]
    rows.append(dossier("HS2", unit="B", finished="2024-03-05"))
    rows.append(dossier(" HS3 ", unit="C", finished="2024-03-05"))
    path = write(tmp_path, *rows)
    assert problems(path) == [
        f"{path}:7: dossier_id HS2 already seen on line 4",
        f"{path}:8: dossier_id HS3 already seen on line 5",
    ]


def test_dossiers_missing_columns_are_named_on_the_header_line(tmp_path: Path) -> None:
    path = write(tmp_path, "HS1,A", header="dossier_id,unit,procedure,official,status,Status")
    assert problems(path) == [
        f"{path}:1: duplicate column(s): status",
        f"{path}:1: missing required column(s): received_at, due_at, finished_at, online, "
        "apology_at, new_due_at, reschedules",
    ]


def test_dossiers_at_most_one_hundred_problems_are_kept_and_the_rest_counted(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, *(dossier(f"HS{i}", status="?") for i in range(150)))
    with pytest.raises(DossierInputError) as caught:
        table(path)
    assert len(caught.value.problems) == 100
    assert caught.value.more == 50
    assert caught.value.problems[-1].line == 101


def test_dossiers_a_row_with_more_cells_than_the_header_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, dossier("HS1", finished="2024-03-05") + ",Nguyễn, Văn A")
    assert problems(path) == [
        f"{path}:2: the row has 14 cells but the header has 12 columns (a comma in an unquoted "
        "cell?)"
    ]
    empty_extras = write(tmp_path, dossier("HS1", finished="2024-03-05") + ",,")
    assert one(empty_extras)["early"] == 1


def test_dossiers_a_file_that_is_not_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "hs.csv"
    path.write_bytes(
        (HEADER + "\n" + dossier("HS1", finished="2024-03-05") + "\n").encode()
        + dossier("HS2", official="Nguy\xe9n").encode("latin-1")  # a Windows-1252 export
        + b"\n"
    )
    assert problems(path) == [
        f"{path}:3: the file is not UTF-8 encoded; save it again as CSV UTF-8"
    ]


def test_dossiers_a_missing_or_empty_file_is_reported(tmp_path: Path) -> None:
    assert problems(tmp_path / "none.csv") == [f"{tmp_path / 'none.csv'}: file not found"]
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    assert problems(empty) == [f"{empty}: the file is empty: there is no header row"]


def test_dossiers_row_reasons_accept_a_good_row() -> None:
    cells = dict(zip(HEADER.split(","), dossier(finished="2024-03-05").split(","), strict=True))
    assert row_reasons(cells) == []


# ---------------------------------------------------------------- holidays


def test_dossiers_holidays_are_read_with_their_problems(tmp_path: Path) -> None:
    good = tmp_path / "holidays.csv"
    good.write_text("date,name\n2024-04-30,Giải phóng\n01/05/2024,Lao động\n", encoding="utf-8")
    assert read_holidays(good) == {dt.date(2024, 4, 30), dt.date(2024, 5, 1)}
    bad = tmp_path / "bad.csv"
    bad.write_text("date,name\n2024-04-31,?\n,empty\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_holidays(bad)
    assert caught.value.render("en") == [
        f"{bad}:2: cannot read the date '2024-04-31' (write 31/03/2024 or 2024-03-31)",
        f"{bad}:3: the date is empty",
    ]


def test_dossiers_cells_strptime_would_stretch_are_read_by_the_common_date_rules(
    tmp_path: Path,
) -> None:
    rows = [dossier(f"HS{i}", finished="2024-03-05T10:00:00") for i in range(5)]
    lenient = write(tmp_path, *rows, dossier("HS9", received="2024-3-4", finished="2024-03-05"))
    assert one(lenient)["received"] == 6
    signed = write(tmp_path, *rows, dossier("HS9", received="+2024-03-04T08:00:00"))
    assert problems(signed) == [
        f"{signed}:7: received_at: cannot read the date and time '+2024-03-04T08:00:00' "
        "(write 31/03/2024 14:05 or 2024-03-31T14:05); a finished dossier without finished_at"
    ]


def test_dossiers_ids_whose_hashes_meet_are_not_called_repeated(tmp_path: Path) -> None:
    import polars as pl

    path = write(tmp_path, dossier("HS1", finished="2024-03-05"))
    source = dossiers._open(path)
    twice = pl.Series([pl.Series(["HS1"]).hash().item()], dtype=pl.UInt64)
    assert dossiers._raise_problems(source, [], twice, 1) is None


def test_dossiers_a_windows_export_with_crlf_and_blank_rows_keeps_its_lines(
    tmp_path: Path,
) -> None:
    path = tmp_path / "hs.csv"
    rows = [HEADER, dossier("HS1", finished="2024-03-05"), " , ,,", "", dossier("HS2", status="?")]
    path.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    assert problems(path) == [f"{path}:5: unknown status '?' (finished, pending or withdrawn)"]
    rows[-1] = dossier("HS2", status="pending")
    path.write_bytes(("\ufeff" + "\r\n".join(rows)).encode("utf-8"))
    row = one(path)
    assert (row["received"], row["early"], row["pending"]) == (2, 1, 1)


def test_dossiers_two_empty_ids_are_each_an_error_not_a_repetition(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        dossier("", finished="2024-03-05"),
        dossier("  ", finished="2024-03-05"),
        dossier("HS3", finished="2024-03-05"),
    )
    assert problems(path) == [
        f"{path}:2: the dossier_id is empty",
        f"{path}:3: the dossier_id is empty",
    ]
