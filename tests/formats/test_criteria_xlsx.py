"""Criteria sets as workbooks: round trips, the one-line rules, and every problem at its row."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from test_criteria_yaml import EXAMPLES, criteria_sets

from parindex.formats.criteria import parse_criteria, read_criteria
from parindex.formats.criteria_xlsx import (
    SETTINGS_SHEET,
    TREE_SHEET,
    RuleTextError,
    criteria_from_xlsx,
    criteria_to_xlsx,
    parse_rule_text,
    rule_text,
)
from parindex.formats.problems import InputError
from parindex.scoring.model import CriteriaSet, NodeKind, NotApplicable, Source

D = Decimal
ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
HEADER = [
    "STT",
    "Nội dung",
    "Điểm tối đa",
    "Nguồn",
    "Quy tắc",
    "Tài liệu kiểm chứng",
    "Cơ quan thẩm định",
]
SETTINGS = [
    ["Khóa", "Giá trị"],
    ["code", "T-2025"],
    ["title", "Bộ thử"],
    ["year", 2025],
    ["unit_group", "so_nganh"],
    ["max_points", 3],
    ["", "code", "label", "min"],
    ["classes", "tot", "Tốt", 90],
    ["classes", "kha", "Khá", 80],
]
TREE = [
    HEADER,
    ["1", "Lĩnh vực một", 3, "", "", "", ""],
    [
        "1.1",
        "Kế hoạch",
        1,
        "self",
        "choice: dung_han=1 (Đúng hạn); cham=0.5 (Chậm); khong=0",
        "QĐ",
        "noi_vu",
    ],
    ["1.2", "Tỷ lệ", 2, "self", "brackets: >=100%:2; >=80%:1", "", "noi_vu"],
]


def workbook(tree: list[list[Any]] = TREE, setup: list[list[Any]] | None = SETTINGS) -> bytes:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    for name, rows in ((TREE_SHEET, tree), (SETTINGS_SHEET, setup)):
        if rows is None:
            continue
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(r, c, value)
                else:
                    sheet.write_number(r, c, value)
    book.close()
    return buffer.getvalue()


def problems(data: bytes, lang: str = "vi") -> list[str]:
    with pytest.raises(InputError) as caught:
        criteria_from_xlsx(data, "t.xlsx")
    return caught.value.render(lang)


def replaced(rows: list[list[Any]], row: int, col: int, value: Any) -> list[list[Any]]:
    copy = [list(r) for r in rows]
    copy[row][col] = value
    return copy


# ---------------------------------------------------------------- round trips


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_example_set_reads_back_equal_from_its_workbook(path: Path) -> None:
    criteria = read_criteria(path)
    assert criteria_from_xlsx(criteria_to_xlsx(criteria), "x.xlsx") == criteria


@ROUND_TRIP
@given(criteria_sets())
def test_any_valid_set_reads_back_equal_from_its_workbook(criteria: CriteriaSet) -> None:
    assert criteria_from_xlsx(criteria_to_xlsx(criteria), "x.xlsx") == criteria


def test_a_workbook_is_read_from_a_file_path(tmp_path: Path) -> None:
    criteria = read_criteria(EXAMPLES[0])
    path = tmp_path / "bo-tieu-chi.xlsx"
    path.write_bytes(criteria_to_xlsx(criteria))
    assert criteria_from_xlsx(path) == criteria


def test_the_workbook_has_the_familiar_columns_and_the_settings_sheet() -> None:
    book = openpyxl.load_workbook(io.BytesIO(criteria_to_xlsx(read_criteria(EXAMPLES[0]))))
    assert book.sheetnames == [TREE_SHEET, SETTINGS_SHEET]
    header = [c.value for c in book[TREE_SHEET][1]]
    assert header[:7] == HEADER
    assert "Cấp" not in header  # dotted codes: the level is not needed
    first_leaf = [c.value for c in book[TREE_SHEET][4]]
    assert first_leaf[0] == "1.1.1" and first_leaf[3] == "self"
    assert first_leaf[4].startswith("choice: dung_han=1 (")
    keys = [row[0].value for row in book[SETTINGS_SHEET].iter_rows()]
    assert {"code", "year", "classes", "caps", "survey.groups"} <= set(keys)


def test_codes_that_are_not_dotted_get_a_level_column() -> None:
    yaml_text = """
code: T
title: T
year: 2025
unit_group: g
max_points: 1
nodes:
  - code: A
    title: Field
    children:
      - code: A1
        title: Leaf
        max: 1
        source: self
        rule: {type: manual}
"""
    criteria = parse_criteria(yaml_text)
    data = criteria_to_xlsx(criteria)
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(data))[TREE_SHEET][1]]
    assert header[-1] == "Cấp"
    assert criteria_from_xlsx(data) == criteria


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    tree = replaced(TREE, 2, 1, '=HYPERLINK("http://evil","x")')
    tree = replaced(tree, 3, 5, "+1-2")
    tree = replaced(tree, 3, 6, "@SUM(A1)")
    criteria = criteria_from_xlsx(workbook(tree), "t.xlsx")
    data = criteria_to_xlsx(criteria)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml  # no formula anywhere
    sheet = openpyxl.load_workbook(io.BytesIO(data))[TREE_SHEET]
    assert sheet["B3"].value == '=HYPERLINK("http://evil","x")'
    assert sheet["B3"].data_type == "s"
    assert sheet["B3"].quotePrefix
    assert criteria_from_xlsx(data) == criteria


def test_numbers_with_more_digits_than_a_float_holds_stay_exact() -> None:
    tree = [
        HEADER,
        ["1", "F", "", "", "", "", ""],
        ["1.1", "L", "0.1234567890123456789", "self", "manual", "", ""],
    ]
    setup = replaced(SETTINGS, 5, 1, "0.1234567890123456789")
    criteria = criteria_from_xlsx(workbook(tree, setup))
    assert criteria.leaves()[0].max == D("0.1234567890123456789")
    assert criteria_from_xlsx(criteria_to_xlsx(criteria)) == criteria


# ---------------------------------------------------------------- reading conveniences


def test_a_workbook_written_by_hand_is_read() -> None:
    criteria = criteria_from_xlsx(workbook(), "t.xlsx")
    assert criteria.code == "T-2025" and criteria.year == 2025
    leaf = criteria.leaf("1.2")
    assert leaf is not None and leaf.max == 2 and leaf.appraiser == "noi_vu"
    assert [c.code for c in criteria.classes] == ["tot", "kha"]


def test_vietnamese_source_and_kind_words_are_accepted() -> None:
    tree = [
        [*HEADER, "Loại", "Không phát sinh"],
        ["1", "F", 1, "Tự đánh giá", "manual: 0.25", "", "", "", "Đủ điểm"],
        ["B", "Thưởng", 1, "tự đánh giá", "manual", "", "", "Điểm thưởng", ""],
    ]
    tree[1][8] = "full"
    criteria = criteria_from_xlsx(workbook(tree, replaced(SETTINGS, 5, 1, 1)))
    assert criteria.nodes[0].source is Source.SELF
    assert criteria.nodes[0].not_applicable is NotApplicable.FULL
    assert criteria.nodes[1].kind is NodeKind.BONUS


def test_an_appraiser_on_a_group_row_goes_to_the_leaves_that_name_none() -> None:
    tree = replaced(TREE, 1, 6, "tu_phap")
    tree = replaced(tree, 2, 6, "")
    criteria = criteria_from_xlsx(workbook(tree))
    assert criteria.leaf("1.1").appraiser == "tu_phap"  # type: ignore[union-attr]
    assert criteria.leaf("1.2").appraiser == "noi_vu"  # type: ignore[union-attr]


def test_columns_may_come_in_any_order_and_any_case() -> None:
    order = [4, 0, 2, 1, 3, 6, 5]
    tree = [[row[i] for i in order] for row in TREE]
    tree[0] = [name.upper() for name in tree[0]]
    assert criteria_from_xlsx(workbook(tree)) == criteria_from_xlsx(workbook())


# ---------------------------------------------------------------- the one-line rules


@pytest.mark.parametrize(
    ("text", "data"),
    [
        (
            "choice: dung_han=1 (Đúng hạn); cham=0.5 (Chậm); khong=0",
            {
                "type": "choice",
                "options": [
                    {"code": "dung_han", "points": "1", "label": "Đúng hạn"},
                    {"code": "cham", "points": "0.5", "label": "Chậm"},
                    {"code": "khong", "points": "0"},
                ],
            },
        ),
        (
            'choice: a=1 "x; (y"; b=0,5 (p (q); r)',
            {
                "type": "choice",
                "options": [
                    {"code": "a", "points": "1", "label": "x; (y"},
                    {"code": "b", "points": "0,5", "label": "p (q); r"},
                ],
            },
        ),
        ("boolean: có=1; không=0", {"type": "boolean", "yes": "1", "no": "0"}),
        ("Boolean: yes=0.5; no=0", {"type": "boolean", "yes": "0.5", "no": "0"}),
        (
            "brackets: >=100%:2; >=80%:1",
            {
                "type": "brackets",
                "brackets": [{"min": "100%", "points": "2"}, {"min": "80%", "points": "1"}],
            },
        ),
        ("brackets: ≥ 5 : 1", {"type": "brackets", "brackets": [{"min": "5", "points": "1"}]}),
        ("ratio", {"type": "ratio"}),
        ("ratio (mẫu số 0: na)", {"type": "ratio", "zero_denominator": "na"}),
        ("ratio (zero denominator: full)", {"type": "ratio", "zero_denominator": "full"}),
        ("deduction: 0.25", {"type": "deduction", "per": "0.25"}),
        ("manual", {"type": "manual"}),
        ("manual: 0.25", {"type": "manual", "step": "0.25"}),
        ("survey: q1, q2", {"type": "survey", "questions": ["q1", "q2"]}),
        (
            "survey: q1, q2 [cbccvc, nguoi_dan]",
            {"type": "survey", "questions": ["q1", "q2"], "groups": ["cbccvc", "nguoi_dan"]},
        ),
        (
            "data: ontime_rate → brackets: >=95%:1; >=90%:0.5",
            {
                "type": "data",
                "metric": "ontime_rate",
                "then": {
                    "type": "brackets",
                    "brackets": [{"min": "95%", "points": "1"}, {"min": "90%", "points": "0.5"}],
                },
            },
        ),
        (
            "data: plan_rate -> ratio (mẫu số 0: zero)",
            {
                "type": "data",
                "metric": "plan_rate",
                "then": {"type": "ratio", "zero_denominator": "zero"},
            },
        ),
    ],
)
def test_a_one_line_rule_reads_as_the_yaml_rule(text: str, data: dict[str, Any]) -> None:
    assert parse_rule_text(text) == data


@pytest.mark.parametrize(
    "text",
    [
        "choose: a=1",
        "choice a=1",
        "choice: a",
        "choice: a=1 label without parentheses",
        "choice: ;",
        "boolean: maybe=1",
        "brackets: 80%",
        "ratio (half: na)",
        "data: ontime_rate",
        "data: x → manual: 1",
        "123",
    ],
)
def test_a_one_line_rule_that_cannot_be_read_says_so(text: str) -> None:
    with pytest.raises(RuleTextError):
        parse_rule_text(text)


def test_every_rule_of_the_examples_is_written_and_read_back_by_its_line() -> None:
    for path in EXAMPLES:
        for leaf in read_criteria(path).leaves():
            assert leaf.rule is not None
            line = rule_text(leaf.rule)
            assert "\n" not in line
            assert parse_rule_text(line)["type"] == leaf.rule.type


def test_rate_brackets_are_written_as_percents_and_count_brackets_as_numbers() -> None:
    criteria = criteria_from_xlsx(workbook(replaced(TREE, 3, 4, "brackets: >=0.95:2; >=0.8:1")))
    assert rule_text(criteria.leaf("1.2").rule) == "brackets: >=95%:2; >=80%:1"  # type: ignore[arg-type, union-attr]
    counts = criteria_from_xlsx(workbook(replaced(TREE, 3, 4, "brackets: >=5:2; >=1:1")))
    assert rule_text(counts.leaf("1.2").rule) == "brackets: >=5:2; >=1:1"  # type: ignore[arg-type, union-attr]


# ---------------------------------------------------------------- problems at their rows


def test_an_unreadable_rule_is_reported_at_its_row_and_column() -> None:
    found = problems(workbook(replaced(TREE, 3, 4, "percent: >=1:2")))
    assert found == [
        "t.xlsx[Tiêu chí]:4: Quy tắc: loại quy tắc 'percent' không hợp lệ (một trong: choice,"
        " boolean, brackets, ratio, deduction, manual, survey, data)"
    ]


def test_problems_are_also_rendered_in_english() -> None:
    found = problems(workbook(replaced(TREE, 3, 4, "brackets: 80%")), lang="en")
    assert found == [
        "t.xlsx[Tiêu chí]:4: Quy tắc: bracket '80%' must read >=threshold:points, e.g. >=80%:1"
    ]


def test_option_points_above_the_max_are_reported_at_the_rule() -> None:
    found = problems(workbook(replaced(TREE, 2, 4, "choice: a=1; b=2")))
    assert found == [
        "t.xlsx[Tiêu chí]:3: Quy tắc [options[1].points]: điểm 2 nằm ngoài khoảng [0; 1]"
    ]


def test_a_max_that_is_not_a_number_is_reported_at_its_cell() -> None:
    found = problems(workbook(replaced(TREE, 3, 2, "hai")))
    assert "t.xlsx[Tiêu chí]:4: Điểm tối đa: không phải là số: 'hai'" in found


def test_a_group_whose_max_is_not_the_sum_of_its_children() -> None:
    found = problems(workbook(replaced(TREE, 1, 2, 4)))
    assert found[0] == (
        "t.xlsx[Tiêu chí]:2: Điểm tối đa: điểm tối đa 4 khác tổng điểm các tiêu chí con 3"
    )


def test_a_duplicate_code_is_reported_at_the_second_row() -> None:
    tree = [*TREE, ["1.2", "Again", 0, "self", "manual", "", ""]]
    found = problems(workbook(tree))
    assert found == [
        "t.xlsx[Tiêu chí]:5: STT: mã tiêu chí '1.2' bị trùng (đã có ở nodes[0].children[1])"
    ]


def test_an_unknown_source_and_a_source_that_does_not_fit_the_rule() -> None:
    unknown = problems(workbook(replaced(TREE, 2, 3, "phiếu")))
    assert unknown == [
        "t.xlsx[Tiêu chí]:3: Nguồn: 'phiếu' không hợp lệ (một trong: self, survey, data)"
    ]
    mismatch = problems(workbook(replaced(TREE, 2, 3, "data")))
    assert mismatch == [
        "t.xlsx[Tiêu chí]:3: Nguồn: quy tắc 'choice' cần nguồn 'self', không phải 'data'"
    ]


def test_a_leaf_without_max_source_or_rule() -> None:
    tree = [*TREE[:3], ["1.2", "Tỷ lệ", "", "", "", "", ""]]
    found = problems(workbook(tree))
    assert "t.xlsx[Tiêu chí]:4: Điểm tối đa: thiếu điểm tối đa (max)" in found
    assert "t.xlsx[Tiêu chí]:4: Nguồn: thiếu khóa bắt buộc" in found
    assert "t.xlsx[Tiêu chí]:4: Quy tắc: thiếu khóa bắt buộc" in found


def test_a_group_row_with_a_rule_or_evidence() -> None:
    tree = replaced(replaced(TREE, 1, 4, "manual"), 1, 5, "Báo cáo")
    found = problems(workbook(tree))
    assert (
        "t.xlsx[Tiêu chí]:2: Tài liệu kiểm chứng: tài liệu kiểm chứng ghi ở tiêu chí lá, không"
        " ghi ở nhóm có tiêu chí con"
    ) in found
    assert (
        "t.xlsx[Tiêu chí]:2: Quy tắc: tiêu chí có tiêu chí con không có 'rule' (chỉ tiêu chí lá"
        " mới có)"
    ) in found


def test_a_bonus_below_the_top_level() -> None:
    tree = [[*row, ""] for row in TREE]
    tree[0][-1] = "Loại"
    tree[2][-1] = "thưởng"
    found = problems(workbook(tree))
    assert found == [
        "t.xlsx[Tiêu chí]:3: Loại: chỉ tiêu chí cấp cao nhất mới là điểm thưởng/điểm trừ"
    ]


def test_a_survey_leaf_with_an_unknown_group_and_no_survey_section() -> None:
    tree = replaced(replaced(TREE, 3, 3, "survey"), 3, 4, "survey: q1 [dan]")
    found = problems(workbook(tree))
    assert found == [
        "t.xlsx[Tiêu chí]:4: Quy tắc: bộ tiêu chí không có mục survey cho tiêu chí điều tra xã"
        " hội học"
    ]
    setup = [
        *SETTINGS,
        ["survey.scale.min", 1],
        ["survey.scale.max", 5],
        ["survey.groups", "cb", "Cán bộ", 1],
    ]
    found = problems(workbook(tree, setup))
    assert found == ["t.xlsx[Tiêu chí]:4: Quy tắc [groups[0]]: không có nhóm 'dan'"]


def test_missing_required_columns_are_reported_at_the_header_row() -> None:
    tree = [row[:3] for row in TREE]
    found = problems(workbook(tree))
    assert found == ["t.xlsx[Tiêu chí]:1: thiếu cột bắt buộc: Nguồn, Quy tắc"]


def test_a_level_that_jumps_or_is_not_a_whole_number() -> None:
    tree = [[*row, ""] for row in TREE]
    tree[0][-1] = "Cấp"
    tree[1][-1] = "1"
    tree[2][-1] = "3"
    tree[3][-1] = "x"
    found = problems(workbook(tree))
    assert found == [
        "t.xlsx[Tiêu chí]:3: Cấp: cấp 3 nhưng dòng trên chỉ ở cấp 1",
        "t.xlsx[Tiêu chí]:4: Cấp: cấp phải là số nguyên từ 1",
    ]


def test_a_settings_value_that_is_missing_or_wrong() -> None:
    found = problems(workbook(setup=replaced(SETTINGS, 3, 1, "")))
    assert found == ["t.xlsx[Thiết lập]:4: year: thiếu khóa bắt buộc"]
    found = problems(workbook(setup=[row for row in SETTINGS if row[0] != "year"]))
    assert found == ["t.xlsx[Thiết lập]: year: thiếu khóa bắt buộc"]
    found = problems(workbook(setup=replaced(SETTINGS, 6 + 2, 3, 95)))
    assert found == [
        "t.xlsx[Thiết lập]:9: classes.min: các xếp loại phải theo thứ tự từ cao xuống thấp"
        " (min giảm dần)"
    ]


def test_max_points_that_do_not_add_up() -> None:
    found = problems(workbook(setup=replaced(SETTINGS, 5, 1, 100)))
    assert found == [
        "t.xlsx[Thiết lập]:6: max_points: max_points = 100 nhưng tổng điểm tối đa các lĩnh vực là 3"
    ]


def test_unknown_and_repeated_settings_keys() -> None:
    setup = [*SETTINGS, ["colour", "red"], ["year", 2026]]
    found = problems(workbook(setup=setup))
    assert found[0].startswith("t.xlsx[Thiết lập]:10: colour: khóa không hợp lệ (được dùng: code,")
    assert found[1] == "t.xlsx[Thiết lập]:11: year: khóa bị lặp lại (đã có ở dòng 4)"


def test_a_cap_naming_an_unknown_class_and_a_row_with_extra_cells() -> None:
    setup = [*SETTINGS, ["caps", "late_rate", ">=", 0.1, "xuat_sac", "lý do", "thừa"]]
    found = problems(workbook(setup=setup))
    assert found == [
        "t.xlsx[Thiết lập]:10: caps: thừa ô: thừa (các cột là: metric, op, value, max_class,"
        " reason)",
        "t.xlsx[Thiết lập]:10: caps.max_class: không có xếp loại 'xuat_sac'",
    ]


def test_survey_answers_out_of_range_and_repeated() -> None:
    setup = [
        *SETTINGS,
        ["survey.answers", "A", 1],
        ["survey.answers", "B", 2],
        ["survey.answers", "A", 0],
        ["survey.groups", "cb", "Cán bộ", 1],
    ]
    found = problems(workbook(setup=setup))
    assert found == [
        "t.xlsx[Thiết lập]:12: survey.answers: phương án 'A' bị trùng",
        "t.xlsx[Thiết lập]:11: survey.answers: tỷ lệ phải trong [0, 1]",
    ]


def test_a_workbook_without_its_settings_sheet() -> None:
    found = problems(workbook(setup=None))
    assert found == [
        "t.xlsx[Thiết lập]: thiếu trang tính 'Thiết lập' (mã, năm, khối, thang xếp loại...)"
    ]


def test_a_file_that_is_not_a_workbook() -> None:
    found = problems(b"code: not a workbook\n")
    assert len(found) == 1 and found[0].startswith("t.xlsx: không đọc được tệp bảng tính XLSX")


def test_a_missing_file() -> None:
    with pytest.raises(InputError) as caught:
        criteria_from_xlsx("/nonexistent/bo.xlsx")
    assert caught.value.render()[0].startswith("/nonexistent/bo.xlsx: không mở được tệp")


def test_an_empty_tree_sheet() -> None:
    assert problems(workbook(tree=[HEADER])) == [
        "t.xlsx[Tiêu chí]: bộ tiêu chí không có tiêu chí nào"
    ]
    assert problems(workbook(tree=[])) == ["t.xlsx[Tiêu chí]: trang tính rỗng"]
