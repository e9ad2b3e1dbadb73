"""Reading CSV and XLSX tables: header, line numbers, cell text, and every shape problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter

from parindex.formats.problems import InputError
from parindex.formats.tables import Table, cell_text, read_table


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


# "Sở Tư pháp" as Excel saves "CSV" on a Vietnamese Windows: Windows-1258, not UTF-8.
WINDOWS_1258 = b"unit,name\nSO_TP,S\xf5\xd2 T\xfd ph\xe1p\n"


def rendered(caught: pytest.ExceptionInfo[InputError], lang: str = "en") -> list[str]:
    return caught.value.render(lang)


def test_bom_and_upper_case_headers_are_read_as_lower_case_names(tmp_path: Path) -> None:
    path = tmp_path / "values.csv"
    path.write_bytes(b"\xef\xbb\xbf Unit ,CODE,Value\r\nSO_TP,1.1.1,dung_han\r\n")
    table = read_table(path, required=["unit", "code", "value"])
    assert table == Table(
        file=str(path),
        columns=["unit", "code", "value"],
        rows=[(2, {"unit": "SO_TP", "code": "1.1.1", "value": "dung_han"})],
    )


def test_required_columns_are_case_insensitive_too(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "unit,code\nA,1\n")
    assert read_table(path, required=["UNIT"]).rows == [(2, {"unit": "A", "code": "1"})]


def test_cells_are_stripped_missing_cells_are_empty_and_extra_columns_kept(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "t.csv", "unit,code,value,ghi chú\n  A , 1.1 \nB,1.2,3,xem\n")
    table = read_table(path, required=["unit"])
    assert table.columns == ["unit", "code", "value", "ghi chú"]
    assert table.rows == [
        (2, {"unit": "A", "code": "1.1", "value": "", "ghi chú": ""}),
        (3, {"unit": "B", "code": "1.2", "value": "3", "ghi chú": "xem"}),
    ]


def test_blank_rows_are_skipped_and_lines_keep_their_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "unit,value\nA,1\n\n , \n,,\nB,2\n")
    table = read_table(path, required=["unit"])
    assert [line for line, _ in table.rows] == [2, 6]


def test_a_quoted_cell_spanning_lines_moves_the_next_line_numbers_on(tmp_path: Path) -> None:
    path = write(
        tmp_path / "t.csv",
        'unit,note,value\nA,"dòng một\ndòng hai\ndòng ba",1\nB,,2\n"C","x, y",3\n',
    )
    table = read_table(path, required=["unit"])
    assert [(line, row["unit"]) for line, row in table.rows] == [(2, "A"), (5, "B"), (6, "C")]
    assert table.rows[0][1]["note"] == "dòng một\ndòng hai\ndòng ba"
    assert table.rows[2][1]["note"] == "x, y"


def test_columns_with_an_empty_header_are_left_out(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "unit,,value,\nA,x,1,y\n")
    table = read_table(path, required=["unit"])
    assert table.columns == ["unit", "value"]
    assert table.rows == [(2, {"unit": "A", "value": "1"})]


def test_missing_required_columns_are_all_named_on_line_1(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "unit,note\nA,x\n")
    with pytest.raises(InputError) as caught:
        read_table(path, required=["unit", "code", "value"])
    assert rendered(caught) == [f"{path}:1: missing required column(s): code, value"]
    assert rendered(caught, "vi") == [f"{path}:1: thiếu cột bắt buộc: code, value"]


def test_duplicate_columns_and_missing_ones_are_reported_together(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "unit,Value,VALUE,note,note\nA,1,2,x,y\n")
    with pytest.raises(InputError) as caught:
        read_table(path, required=["unit", "code"])
    assert rendered(caught) == [
        f"{path}:1: duplicate column(s): value, note",
        f"{path}:1: missing required column(s): code",
    ]


def test_a_missing_file_is_reported_by_the_name_given(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "nowhere.csv", required=["unit"], display="nowhere.csv")
    assert rendered(caught) == ["nowhere.csv: file not found"]
    assert rendered(caught, "vi") == ["nowhere.csv: không tìm thấy tệp"]


def test_a_missing_workbook_is_reported_as_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_table(tmp_path / "nowhere.xlsx", required=["unit"])
    assert rendered(caught) == [f"{tmp_path / 'nowhere.xlsx'}: file not found"]


def test_a_file_that_is_not_utf8_says_so_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(WINDOWS_1258)
    with pytest.raises(InputError) as caught:
        read_table(path, required=["unit"])
    assert rendered(caught) == [
        f"{path}:2: the file is not UTF-8 encoded (byte 0xf5); save it again as CSV UTF-8"
    ]


@pytest.mark.parametrize("content", ["", "\n\n", " , \n"])
def test_an_empty_file_has_no_header(tmp_path: Path, content: str) -> None:
    path = write(tmp_path / "t.csv", content)
    with pytest.raises(InputError) as caught:
        read_table(path, required=["unit"])
    assert rendered(caught) == [f"{path}: the file is empty: there is no header row"]


def test_a_header_alone_gives_no_rows(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "unit,value\n")
    assert read_table(path, required=["unit"]) == Table(str(path), ["unit", "value"], [])


def test_rows_with_more_filled_cells_than_columns_are_each_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "unit,value\nA,1,,\nSở Tư pháp, Hà Nội,2\nB,3\nC,4,5\n")
    with pytest.raises(InputError) as caught:
        read_table(path, required=["unit"])
    assert [line.split(": ", 1)[0] for line in rendered(caught)] == [f"{path}:3", f"{path}:5"]
    assert rendered(caught)[0].endswith(
        "the row has 3 cells but the header has 2 columns (a comma in an unquoted cell?)"
    )


def test_blank_lines_before_the_header_keep_the_line_numbers(tmp_path: Path) -> None:
    path = write(tmp_path / "t.csv", "\n\nunit,value\nA,1\n")
    assert read_table(path, required=["unit"]).rows == [(4, {"unit": "A", "value": "1"})]


# ---------------------------------------------------------------- workbooks


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("  x ", "x"),
        (4.0, "4"),
        (4, "4"),
        (-3.0, "-3"),
        (0.95, "0.95"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-05, "0.00001"),
        (12345678901234.0, "12345678901234"),
        (True, "1"),
        (False, "0"),
        (dt.date(2024, 3, 31), "2024-03-31"),
        (dt.datetime(2024, 3, 31, 14, 5), "2024-03-31T14:05:00"),  # noqa: DTZ001
        (dt.time(14, 5), "14:05:00"),
    ],
)
def test_a_workbook_cell_becomes_the_text_a_csv_would_hold(value: object, text: str) -> None:
    assert cell_text(value) == text


def write_workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Dữ liệu")
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write(r, c, value)
    workbook.add_worksheet("Khác").write(0, 0, "ignored")
    workbook.close()
    return path


def test_a_workbook_and_its_csv_export_give_the_same_table(tmp_path: Path) -> None:
    csv_path = write(
        tmp_path / "units.csv",
        "Code,Name,Valid_From,Value,Online\n"
        "SO_TP,Sở Tư pháp,2024-01-01,0.95,1\n"
        "\n"
        "SO_TC,Sở Tài chính,,4,0\n",
    )
    xlsx_path = write_workbook(
        tmp_path / "units.xlsx",
        [
            ["Code", "Name", "Valid_From", "Value", "Online"],
            ["SO_TP", "Sở Tư pháp", dt.date(2024, 1, 1), 0.95, True],
            [],
            ["SO_TC", "Sở Tài chính", None, 4, False],
        ],
    )
    from_csv = read_table(csv_path, required=["code"], display="x")
    from_xlsx = read_table(xlsx_path, required=["code"], display="x")
    assert from_xlsx == from_csv
    assert from_xlsx.rows[1] == (
        4,
        {"code": "SO_TC", "name": "Sở Tài chính", "valid_from": "", "value": "4", "online": "0"},
    )


def test_a_workbook_reports_missing_columns_on_line_1(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "t.xlsx", [["Unit", "Note"], ["A", "x"]])
    with pytest.raises(InputError) as caught:
        read_table(path, required=["unit", "value"])
    assert rendered(caught) == [f"{path}:1: missing required column(s): value"]


def test_an_empty_workbook_has_no_header(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "t.xlsx", [])
    with pytest.raises(InputError) as caught:
        read_table(path, required=["unit"])
    assert rendered(caught) == [f"{path}: the file is empty: there is no header row"]


def test_a_file_named_xlsx_that_is_not_a_workbook_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path / "t.xlsx", "unit,value\nA,1\n")
    with pytest.raises(InputError) as caught:
        read_table(path, required=["unit"])
    [message] = rendered(caught)
    assert message.startswith(f"{path}: not a readable XLSX workbook: ")
    assert rendered(caught, "vi")[0].startswith(f"{path}: không đọc được tệp bảng tính XLSX: ")


def test_a_workbook_saved_under_a_csv_name_is_read_as_a_workbook(tmp_path: Path) -> None:
    xlsx_path = write_workbook(tmp_path / "t.xlsx", [["Unit", "Value"], ["A", 0.5]])
    csv_path = tmp_path / "t.csv"
    csv_path.write_bytes(xlsx_path.read_bytes())
    assert read_table(csv_path, required=["unit"]).rows == [(2, {"unit": "A", "value": "0.5"})]
