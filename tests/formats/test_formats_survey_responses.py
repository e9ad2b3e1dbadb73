"""Survey exports (Kobo CSV/XLSX, FORMATS answers CSV) read into responses and rejections."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import polars as pl
import pytest

from parindex.formats.answers import read_answers
from parindex.formats.problems import InputError
from parindex.formats.survey_responses import (
    KOBO_COLUMNS,
    ColumnMap,
    ResponseBatch,
    read_responses,
)
from parindex.scoring.model import (
    CriteriaSet,
    Node,
    RespondentGroup,
    Scale,
    Source,
    SurveyRule,
    SurveySpec,
)

D = Decimal
GROUPS = (
    RespondentGroup("cbccvc", "Cán bộ, công chức, viên chức"),
    RespondentGroup("nguoi_dan", "Người dân, tổ chức"),
)
LIKERT = SurveySpec(groups=GROUPS, scale=Scale(1, 5))
NAMED = SurveySpec(groups=GROUPS, answers={"A": D(1), "B": D("0.6"), "C": D(0)})
QUESTIONS = ("q1", "q2", "q3")
UNITS = ("stp", "sct", "syt")
LABELS = {
    "Rất hài lòng": "5",
    "Hài lòng": "4",
    "Bình thường": "3",
    "Không hài lòng": "2",
    "Rất không hài lòng": "1",
}
KOBO = ColumnMap(
    response_id="_uuid",
    unit="don_vi",
    group="nhom",
    submitted_at="_submission_time",
    unit_values={"Sở Tư pháp": "stp", "Sở Công Thương": "sct"},
)
HEADER = [
    "_id", "start", "grp_info/don_vi", "grp_info/nhom", "grp_a/q1", "grp_a/q2", "grp_b/q3",
    "grp_b/ghi_chu", "_uuid", "_submission_time", "_validation_status", "_index", "_status",
]  # fmt: skip
# One record per list; the ghi_chu note of the third spans two lines in a CSV file.
ROWS = [
    ["1", "2024-03-15T08:00:00.000+07:00", "Sở Tư pháp", "nguoi_dan", "Rất hài lòng",
     "Hài lòng", "5", "", "a1", "2024-03-15T08:12:33+07:00", "", "1", "submitted_via_web"],
    ["2", "", " stp ", "CBCCVC", "4", "rất  HÀI LÒNG ", "", "", "a2", "2024-03-15T08:12:33",
     "", "2", ""],
    ["3", "", "Sở Công Thương", "nguoi_dan", "3", "3", "3", "Dòng 1\nDòng 2", "a3",
     "15/03/2024 09:00", "", "3", ""],
    ["4", "", "Sở Ngoại vụ", "nguoi_dan", "Tuyệt vời", "7", "4.5", "", "a4",
     "2024-03-16T10:00:00", "", "4", ""],
    ["5", "", "stp", "", "5", "5", "5", "", "a1", "2024-03-16T10:00:00", "", "5", ""],
    ["", "", "", "", "", "", "", "", "", "", "", "", ""],
    ["7", "", "sct", "khach", "5", "", "", "", "", "hôm qua", "", "7", ""],
    ["8", "", "SYT", "Người dân, tổ chức", "4,0", "Bình thường", "1", "", "a5",
     "2024-03-17T01:02:03Z", "", "8", ""],
    ["9", "", "stp", "nguoi_dan", "5", "5", "5", "", "a6", "", "", "9", ""],
]  # fmt: skip
SEEN = ("a6", "old")
PLAIN = ColumnMap(response_id="_uuid", unit="don_vi", group="nhom", submitted_at="")


def naive(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> dt.datetime:
    """A naive UTC time, as the frame holds them."""
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC).replace(tzinfo=None)


def kobo_csv(rows: list[list[str]] = ROWS, header: list[str] = HEADER, sep: str = ";") -> bytes:
    """A Kobo-style export: every cell quoted, `;`-separated, UTF-8 with a BOM."""

    def record(cells: list[str]) -> str:
        return sep.join('"' + cell.replace('"', '""') + '"' for cell in cells)

    text = "\n".join(record(cells) for cells in [header, *rows]) + "\n"
    return b"\xef\xbb\xbf" + text.encode("utf-8")


def workbook(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read(data: bytes, display: str = "kobo.csv", **options: object) -> ResponseBatch:
    arguments: dict[str, object] = {
        "columns": KOBO,
        "questions": QUESTIONS,
        "spec": LIKERT,
        "labels": LABELS,
        "units": UNITS,
        "seen": SEEN,
    }
    arguments.update(options)
    return read_responses(data, display, **arguments)  # type: ignore[arg-type]


def problems(data: bytes, display: str = "kobo.csv", **options: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        read(data, display, **options)
    return caught.value.render("en")


def reasons(batch: ResponseBatch) -> dict[int, list[str]]:
    return {r.line: [m.render("en") for m in r.reasons] for r in batch.rejections}


# ---------------------------------------------------------------- a Kobo CSV


def test_survey_responses_kobo_csv_accepts_the_good_rows_with_their_codes() -> None:
    batch = read(kobo_csv())
    assert batch.total == 8  # the blank row is not counted
    assert batch.questions == ("q1", "q2", "q3")
    assert batch.frame.columns == [
        "response_id", "unit", "group", "submitted_at", "line", "q1", "q2", "q3",
    ]  # fmt: skip
    assert batch.frame.schema["submitted_at"] == pl.Datetime("us")
    assert batch.frame.rows() == [
        ("a1", "stp", "nguoi_dan", naive(2024, 3, 15, 1, 12, 33), 2, "5", "4", "5"),
        ("a2", "stp", "cbccvc", naive(2024, 3, 15, 8, 12, 33), 3, "4", "5", None),
        ("a3", "sct", "nguoi_dan", naive(2024, 3, 15, 9, 0), 4, "3", "3", "3"),
        ("a5", "syt", "nguoi_dan", naive(2024, 3, 17, 1, 2, 3), 10, "4", "3", "1"),
    ]


def test_survey_responses_kobo_csv_lists_every_reason_of_each_rejected_row() -> None:
    batch = read(kobo_csv())
    # the note of a3 spans lines 4-5, so the fourth record starts on line 6
    assert reasons(batch) == {
        6: [
            "unknown unit 'Sở Ngoại vụ'",
            "q1: 'Tuyệt vời' is not a whole number from 1 to 5 nor an answer label",
            "q2: '7' is not a whole number from 1 to 5 nor an answer label",
            "q3: '4.5' is not a whole number from 1 to 5 nor an answer label",
        ],
        7: ["response id a1 already on line 2", "the group is empty"],
        9: [
            "the response id is empty",
            "unknown group 'khach'",
            "cannot read the submission time 'hôm qua'",
        ],
        11: ["response id a6 already imported"],
    }
    assert [r.response_id for r in batch.rejections] == ["a4", "a1", "", "a6"]
    assert batch.rejections[0].reasons[0].vi == "đơn vị 'Sở Ngoại vụ' không có"


def test_survey_responses_tally_counts_the_accepted_rows() -> None:
    tally = read(kobo_csv()).tally(LIKERT)
    assert (tally.accepted, tally.rejected) == (4, 4)
    assert tally.responses == {
        ("stp", "nguoi_dan"): 1,
        ("stp", "cbccvc"): 1,
        ("sct", "nguoi_dan"): 1,
        ("syt", "nguoi_dan"): 1,
    }
    assert tally.answers == {
        ("stp", "nguoi_dan", "q1"): {5: 1},
        ("stp", "nguoi_dan", "q2"): {4: 1},
        ("stp", "nguoi_dan", "q3"): {5: 1},
        ("stp", "cbccvc", "q1"): {4: 1},
        ("stp", "cbccvc", "q2"): {5: 1},
        ("sct", "nguoi_dan", "q1"): {3: 1},
        ("sct", "nguoi_dan", "q2"): {3: 1},
        ("sct", "nguoi_dan", "q3"): {3: 1},
        ("syt", "nguoi_dan", "q1"): {4: 1},
        ("syt", "nguoi_dan", "q2"): {3: 1},
        ("syt", "nguoi_dan", "q3"): {1: 1},
    }


def test_survey_responses_rejection_rows_make_a_report_in_either_language() -> None:
    rows = read(kobo_csv()).rejection_rows("vi")
    assert rows[0] == ["line", "response_id", "reasons"]
    assert rows[2] == ["7", "a1", "mã phiếu a1 đã có ở dòng 2; thiếu nhóm người trả lời"]
    assert read(kobo_csv()).rejection_rows("en")[4] == [
        "11",
        "a6",
        "response id a6 already imported",
    ]


def test_survey_responses_comma_separated_kobo_csv_reads_the_same() -> None:
    semicolon, comma = read(kobo_csv()), read(kobo_csv(sep=","))
    assert comma.frame.equals(semicolon.frame)
    assert comma.rejections == semicolon.rejections


def test_survey_responses_crlf_and_multiline_cells_keep_their_line_numbers() -> None:
    data = kobo_csv().replace(b"\n", b"\r\n")
    batch = read(data)
    assert batch.frame["line"].to_list() == [2, 3, 4, 10]
    assert sorted(reasons(batch)) == [6, 7, 9, 11]


def test_survey_responses_without_multiline_cells_lines_follow_the_records() -> None:
    rows = [[cell.replace("\n", " ") for cell in row] for row in ROWS]
    batch = read(kobo_csv(rows))
    assert batch.frame["line"].to_list() == [2, 3, 4, 9]
    assert sorted(reasons(batch)) == [5, 6, 8, 10]


def test_survey_responses_blank_lines_before_the_header_keep_line_numbers() -> None:
    data = b"\n\n" + kobo_csv()[3:]
    batch = read(data)
    assert batch.frame["line"].to_list() == [4, 5, 6, 12]


# ---------------------------------------------------------------- the same as XLSX


def test_survey_responses_kobo_xlsx_reads_as_its_csv_with_sheet_rows_as_lines() -> None:
    rows: list[list[object]] = [list(HEADER)]
    for row in ROWS:
        cells: list[object] = [cell or None for cell in row]
        if row[8] == "a3":
            cells[6] = 3  # numbers as numbers, a time as a time
            cells[9] = naive(2024, 3, 15, 9, 0)
        rows.append(cells)
    batch = read(workbook(rows), "kobo.xlsx")
    csv_batch = read(kobo_csv())
    assert batch.total == 8
    assert batch.frame.drop("line").equals(csv_batch.frame.drop("line"))
    assert batch.frame["line"].to_list() == [2, 3, 4, 9]  # sheet rows
    assert reasons(batch) == {
        5: reasons(csv_batch)[6],
        6: reasons(csv_batch)[7],
        8: reasons(csv_batch)[9],
        10: reasons(csv_batch)[11],
    }
    assert batch.tally(LIKERT) == csv_batch.tally(LIKERT)


def test_survey_responses_a_workbook_under_a_csv_name_is_read_as_a_workbook() -> None:
    data = workbook([["_uuid", "don_vi", "nhom", "q1"], ["x1", "stp", "cbccvc", 4]])
    batch = read(data, "export.csv", columns=ColumnMap(response_id="_uuid", unit="don_vi",
                                                        group="nhom", submitted_at=""))  # fmt: skip
    assert batch.frame.select("response_id", "q1").rows() == [("x1", "4")]
    assert batch.frame["submitted_at"].to_list() == [None]


# ---------------------------------------------------------------- mapping options


def test_survey_responses_fixed_group_puts_every_row_in_that_group() -> None:
    rows = [["1", "stp", "4", "u1"], ["2", "sct", "9", "u2"]]
    data = kobo_csv(rows, ["_id", "don_vi", "q1", "_uuid"])
    columns = ColumnMap(response_id="_uuid", unit="don_vi", group="", fixed_group="cbccvc",
                        submitted_at="")  # fmt: skip
    batch = read(data, columns=columns)
    assert batch.frame.select("response_id", "group", "q1").rows() == [("u1", "cbccvc", "4")]
    assert reasons(batch) == {3: ["q1: '9' is not a whole number from 1 to 5 nor an answer label"]}


def test_survey_responses_unit_values_map_names_to_codes_and_unknown_codes_are_refused() -> None:
    header = ["_uuid", "don_vi", "nhom", "q1"]
    rows = [
        ["u1", "SỞ TƯ PHÁP", "cbccvc", "1"],  # listed, case and spacing ignored
        ["u2", "Sở  Công Thương", "cbccvc", "2"],
        ["u3", "Sở Y tế", "cbccvc", "3"],  # neither listed nor a code
        ["u4", "", "cbccvc", "3"],
    ]
    columns = ColumnMap(response_id="_uuid", unit="don_vi", group="nhom", submitted_at="",
                        unit_values={"Sở Tư pháp": "stp", "Sở Công Thương": "sct",
                                     "Sở Cũ": "khong_con"})  # fmt: skip
    batch = read(kobo_csv(rows, header), columns=columns)
    assert batch.frame["unit"].to_list() == ["stp", "sct"]
    assert reasons(batch) == {4: ["unknown unit 'Sở Y tế'"], 5: ["the unit is empty"]}


def test_survey_responses_explicit_question_map_reads_only_the_mapped_headers() -> None:
    header = ["_uuid", "don_vi", "nhom", "Câu 1. Mức độ hài lòng", "q2"]
    rows = [["u1", "stp", "cbccvc", "Hài lòng", "5"]]
    columns = ColumnMap(response_id="_uuid", unit="don_vi", group="nhom", submitted_at="",
                        questions={"câu 1. mức độ hài lòng": "q1"})  # fmt: skip
    batch = read(kobo_csv(rows, header), columns=columns)
    assert batch.questions == ("q1",)
    assert batch.frame.select("response_id", "q1").rows() == [("u1", "4")]


def test_survey_responses_duplicates_within_the_file_and_against_seen() -> None:
    header = ["_uuid", "don_vi", "nhom", "q1"]
    rows = [
        ["d1", "stp", "cbccvc", "9"],  # rejected, but the first d1 still stays the first
        ["d1", "stp", "cbccvc", "1"],
        ["old", "stp", "cbccvc", "1"],
        ["old", "stp", "cbccvc", "1"],
        ["new", "stp", "cbccvc", "1"],
    ]
    batch = read(kobo_csv(rows, header), columns=KOBO_COLUMNS.__class__(
        response_id="_uuid", unit="don_vi", group="nhom", submitted_at=""))  # fmt: skip
    assert batch.frame["response_id"].to_list() == ["new"]
    assert reasons(batch) == {
        2: ["q1: '9' is not a whole number from 1 to 5 nor an answer label"],
        3: ["response id d1 already on line 2"],
        4: ["response id old already imported"],
        5: ["response id old already on line 4", "response id old already imported"],
    }


def test_survey_responses_named_answers_match_codes_case_insensitively_and_labels() -> None:
    header = ["response_id", "unit", "group", "submitted_at", "q1", "q2"]
    rows = [
        ["r1", "stp", "cbccvc", "", "a", "Tốt"],
        ["r2", "stp", "cbccvc", "", " B ", "D"],
    ]
    batch = read(kobo_csv(rows, header, sep=","), "answers.csv", columns=ColumnMap(),
                 spec=NAMED, labels={"tốt": "A"}, groups=None)  # fmt: skip
    assert batch.frame.select("q1", "q2").rows() == [("A", "A")]
    assert reasons(batch) == {3: ["q2: 'D' is not an answer (A, B, C) nor an answer label"]}
    assert batch.tally(NAMED).answers == {
        ("stp", "cbccvc", "q1"): {"A": 1},
        ("stp", "cbccvc", "q2"): {"A": 1},
    }


def test_survey_responses_formats_answers_csv_tallies_as_read_answers(tmp_path: Path) -> None:
    text = (
        "response_id,unit,group,submitted_at,q1,q2,q3\n"
        "r1,stp,cbccvc,2024-03-01,5,4,\n"
        "r2,stp,cbccvc,31/03/2024 14:05,3,,2\n"
        "r3,sct,nguoi_dan,,1,2,3\n"
        "r4,sct,nguoi_dan,,6,2,3\n"
        "r1,stp,cbccvc,,5,5,5\n"
        "r5,syt,khach,,5,5,5\n"
    )
    path = tmp_path / "answers.csv"
    path.write_text(text, encoding="utf-8")
    leaf = Node(code="1", title="Khảo sát", max=D(10), source=Source.SURVEY,
                rule=SurveyRule(questions=QUESTIONS))  # fmt: skip
    criteria = CriteriaSet(code="S", title="S", year=2024, unit_group="so", max_points=D(10),
                           decimals=2, nodes=(leaf,), survey=LIKERT)  # fmt: skip
    expected, rejected = read_answers(path, criteria, UNITS)
    batch = read(text.encode(), "answers.csv", columns=ColumnMap(), labels=None, seen=())
    assert batch.tally(LIKERT) == expected
    assert sorted(reasons(batch)) == [p.line for p in rejected] == [5, 6, 7]
    assert batch.frame["submitted_at"].to_list() == [
        naive(2024, 3, 1),
        naive(2024, 3, 31, 14, 5),
        None,
    ]


# ---------------------------------------------------------------- ColumnMap JSON


def test_survey_responses_column_map_round_trips_through_json() -> None:
    import json

    fixed = ColumnMap(group="", fixed_group="x", questions={"a/b": "q1"})
    for columns in (KOBO, KOBO_COLUMNS, ColumnMap(), fixed):
        stored = json.loads(json.dumps(columns.to_json(), ensure_ascii=False))
        assert ColumnMap.from_json(stored) == columns
    assert ColumnMap.from_json({"unit": "don_vi"}) == ColumnMap(unit="don_vi")


@pytest.mark.parametrize(
    "data",
    [[], {"colour": "x"}, {"unit": 3}, {"questions": ["q1"]}, {"unit_values": {"a": 1}}],
)
def test_survey_responses_column_map_refuses_bad_json(data: object) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each case has its own message
        ColumnMap.from_json(data)


# ---------------------------------------------------------------- file-level errors


def test_survey_responses_empty_files_are_refused() -> None:
    assert problems(b"") == ["kobo.csv: the file is empty: there is no header row"]
    assert problems(b"\xef\xbb\xbf\n \n") == ["kobo.csv: the file is empty: there is no header row"]
    assert problems(kobo_csv([])) == ["kobo.csv: the file holds no responses"]
    assert problems(kobo_csv([[""] * len(HEADER)])) == ["kobo.csv: the file holds no responses"]


def test_survey_responses_a_file_that_is_not_utf8_is_refused_with_the_line() -> None:
    body = kobo_csv().replace("Sở Công Thương".encode(), "S\xf4 C\xf4ng".encode("latin-1"))
    found = problems(body)
    assert len(found) == 1
    assert found[0].startswith("kobo.csv:4: the file is not UTF-8 encoded (byte 0xf4)")
    header = "_uuid;don_vi;nhóm;q1\nu1;stp;cbccvc;1\n".encode("cp1258")
    assert problems(header)[0].startswith("kobo.csv:1: the file is not UTF-8 encoded")


def test_survey_responses_a_broken_workbook_is_refused() -> None:
    found = problems(b"PK\x03\x04 not really a zip", "kobo.xlsx")
    assert len(found) == 1
    assert found[0].startswith("kobo.xlsx: not a readable XLSX workbook")
    assert problems(b"a;b\n1;2\n", "kobo.xlsx")[0].startswith("kobo.xlsx: not a readable XLSX")


def test_survey_responses_missing_mapped_columns_are_named() -> None:
    assert problems(kobo_csv(), columns=ColumnMap()) == [
        "kobo.csv:1: missing column response_id",
        "kobo.csv:1: missing column unit",
        "kobo.csv:1: missing column group",
        "kobo.csv:1: missing column submitted_at",
    ]
    columns = ColumnMap(response_id="_uuid", unit="don_vi", group="nhom", submitted_at="",
                        questions={"grp_a/q1": "q1", "grp_c/q9": "q3"})  # fmt: skip
    assert problems(kobo_csv(), columns=columns) == ["kobo.csv:1: missing column grp_c/q9"]


def test_survey_responses_a_mapped_question_that_is_not_in_the_questionnaire_is_refused() -> None:
    columns = ColumnMap(response_id="_uuid", unit="don_vi", group="nhom", submitted_at="",
                        questions={"grp_a/q1": "q1", "grp_b/ghi_chu": "ghi_chu"})  # fmt: skip
    assert problems(kobo_csv(), columns=columns) == [
        "kobo.csv:1: column grp_b/ghi_chu is mapped to question ghi_chu, which the "
        "questionnaire lacks"
    ]


def test_survey_responses_a_file_without_question_columns_is_refused() -> None:
    assert problems(kobo_csv(), questions=("c1", "c2")) == [
        "kobo.csv:1: no question column (the questions: c1, c2)"
    ]


def test_survey_responses_two_headers_for_one_question_are_refused() -> None:
    header = ["_uuid", "don_vi", "nhom", "grp_a/q1", "grp_b/Q1", "q2", "q2"]
    row = ["u1", "stp", "cbccvc", "1", "1", "1", "1"]
    found = problems(kobo_csv([row], header), columns=PLAIN)
    assert found == [
        "kobo.csv:1: several columns hold question q1: grp_a/q1, grp_b/Q1",
        "kobo.csv:1: several columns hold question q2: q2, q2",
    ]
    columns = ColumnMap(response_id="_uuid", unit="don_vi", group="nhom", submitted_at="",
                        questions={"grp_a/q1": "q1", "q2": "q1"})  # fmt: skip
    found = problems(kobo_csv([row], header), columns=columns)
    assert found[-1] == "kobo.csv:1: column q2 appears more than once"


def test_survey_responses_a_row_longer_than_the_header_is_refused() -> None:
    data = b"_uuid;don_vi;nhom;q1\nu1;stp;cbccvc;1\nu2;stp;cbccvc;1;extra\n"
    found = problems(data, columns=PLAIN)
    assert len(found) == 1
    assert found[0].startswith("kobo.csv:3: the row has more cells than the header")


def test_survey_responses_an_unknown_fixed_group_is_refused() -> None:
    columns = ColumnMap(response_id="_uuid", unit="don_vi", group="", fixed_group="khach")
    assert problems(kobo_csv(), columns=columns) == ["kobo.csv: unknown fixed group khach"]
