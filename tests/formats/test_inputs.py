"""The input readers of a computation: units, values, metrics, survey answers, last results."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from parindex.formats.answers import read_answers
from parindex.formats.inputs import (
    UnitRecord,
    read_metrics,
    read_previous,
    read_units,
    read_values,
    units_for,
)
from parindex.formats.problems import InputError, Problem
from parindex.scoring.model import (
    NA,
    Bracket,
    BracketsRule,
    ChoiceRule,
    CriteriaSet,
    DataRule,
    DeductionRule,
    Entry,
    Fraction,
    ManualRule,
    Node,
    NodeKind,
    Option,
    PreviousResult,
    RatioRule,
    RespondentGroup,
    Rule,
    Scale,
    Source,
    SurveyRule,
    SurveySpec,
    SurveyTally,
    Unit,
)

D = Decimal


def leaf(code: str, max_: str, source: Source, rule: Rule) -> Node:
    return Node(code=code, title=f"Tiêu chí {code}", max=D(max_), source=source, rule=rule)


GROUPS = (
    RespondentGroup("cbccvc", "Cán bộ, công chức, viên chức"),
    RespondentGroup("nguoi_dan", "Người dân, tổ chức"),
)


LIKERT = SurveySpec(groups=GROUPS, scale=Scale(1, 5))


def criteria_set(survey: SurveySpec | None = LIKERT) -> CriteriaSet:
    """A small set with every kind of leaf the values file may or may not name."""
    plan = ChoiceRule(
        (
            Option("dung_han", "Đúng hạn", D(1)),
            Option("cham", "Chậm", D("0.5")),
            Option("khong", "Không ban hành", D(0)),
        )
    )
    field_1 = Node(
        code="1",
        title="Công tác chỉ đạo, điều hành",
        max=D(7),
        children=(
            Node(
                code="1.1",
                title="Kế hoạch",
                max=D(3),
                children=(
                    leaf("1.1.1", "1", Source.SELF, plan),
                    leaf("1.1.2", "2", Source.SELF, ManualRule(step=D("0.5"))),
                ),
            ),
            leaf("1.2", "2", Source.SELF, RatioRule()),
            leaf(
                "1.3",
                "2",
                Source.DATA,
                DataRule(
                    "ontime_rate", BracketsRule((Bracket(D("0.9"), D(2)), Bracket(D("0.5"), D(1))))
                ),
            ),
        ),
    )
    field_2 = Node(
        code="2",
        title="Mức độ hài lòng",
        max=D(5),
        children=(
            leaf("2.1", "3", Source.SURVEY, SurveyRule(questions=("q1", "Q2"))),
            leaf("2.2", "2", Source.SURVEY, SurveyRule(questions=("q3",), groups=("nguoi_dan",))),
        ),
    )
    bonus = Node(
        code="B",
        title="Điểm thưởng",
        max=D(2),
        kind=NodeKind.BONUS,
        source=Source.SELF,
        rule=ManualRule(step=D("0.5")),
    )
    penalty = Node(
        code="P",
        title="Điểm trừ",
        max=D(3),
        kind=NodeKind.PENALTY,
        children=(leaf("P.1", "3", Source.SELF, DeductionRule(per=D(1))),),
    )
    return CriteriaSet(
        code="SL-SO-2024",
        title="Bộ chỉ số thử",
        year=2024,
        unit_group="so_nganh",
        max_points=D(12),
        decimals=2,
        nodes=(field_1, field_2, bonus, penalty),
        survey=survey,
    )


CRITERIA = criteria_set()
NAMED = criteria_set(SurveySpec(groups=GROUPS, answers={"A": D(1), "B": D("0.6"), "C": D(0)}))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def problems_of(caught: pytest.ExceptionInfo[InputError]) -> list[str]:
    return caught.value.render("en")


def write_workbook(path: Path, rows: list[list[object]]) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "dd/mm/yyyy"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, value, date_format)
            else:
                sheet.write(r, c, value)
    workbook.close()
    return path


# ---------------------------------------------------------------- units

UNITS_CSV = """\ufeffCode,Name,Group,Type,Parent,Valid_From,Valid_To,Predecessors
SO_TP,Sở Tư pháp,so_nganh,so,UBND,,,
SO_NV,Sở Nội vụ,so_nganh,so,UBND,01/03/2025,,SO_NV_CU; SO_LDTBXH
SO_NV_CU,Sở Nội vụ (cũ),so_nganh,so,UBND,2010-01-01,28/02/2025,
SO_LDTBXH,Sở Lao động - Thương binh và Xã hội,so_nganh,so,UBND,,2025-02-28,
UB_A,UBND huyện A,huyen,huyen,UBND,,,
BAN_X,Ban X,,ban,UBND,2024-12-31,,
"""


def test_units_are_read_with_their_periods_and_predecessors(tmp_path: Path) -> None:
    records = read_units(write(tmp_path / "units.csv", UNITS_CSV))
    assert records[1] == UnitRecord(
        Unit(
            code="SO_NV",
            name="Sở Nội vụ",
            group="so_nganh",
            type="so",
            parent="UBND",
            predecessors=("SO_NV_CU", "SO_LDTBXH"),
        ),
        valid_from=dt.date(2025, 3, 1),
        valid_to=None,
    )
    assert [(r.unit.code, r.valid_from, r.valid_to) for r in records[2:4]] == [
        ("SO_NV_CU", dt.date(2010, 1, 1), dt.date(2025, 2, 28)),
        ("SO_LDTBXH", None, dt.date(2025, 2, 28)),
    ]


def test_only_code_and_name_are_required(tmp_path: Path) -> None:
    [record] = read_units(write(tmp_path / "units.csv", "code,name\nSO_TP,Sở Tư pháp\n"))
    assert record == UnitRecord(Unit("SO_TP", "Sở Tư pháp"), None, None)


def test_the_units_of_a_set_are_its_group_or_none_standing_at_the_years_end(tmp_path: Path) -> None:
    records = read_units(write(tmp_path / "units.csv", UNITS_CSV))
    codes_2024 = [u.code for u in units_for(records, unit_group="so_nganh", year=2024)]
    codes_2025 = [u.code for u in units_for(records, unit_group="SO_NGANH", year=2025)]
    codes_2026 = [u.code for u in units_for(records, unit_group="so_nganh", year=2026)]
    assert codes_2024 == ["SO_TP", "SO_NV_CU", "SO_LDTBXH", "BAN_X"]
    assert codes_2025 == ["SO_TP", "SO_NV", "BAN_X"]
    assert codes_2026 == ["SO_TP", "SO_NV", "BAN_X"]
    assert [u.code for u in units_for(records, unit_group="huyen", year=2024)] == [
        "UB_A",
        "BAN_X",
    ]


def test_every_problem_of_a_units_file_is_listed_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "units.csv",
        "code,name,valid_from,valid_to\n"
        "SO_TP,Sở Tư pháp,,\n"
        ",Sở không mã,,\n"
        "SO_TC,Sở Tài chính,31/13/2024,\n"
        "SO_TP,Sở Tư pháp (lặp),,\n"
        "SO_XD,Sở Xây dựng,01/07/2025,30/06/2025\n"
        "SO_YT,Sở Y tế,,mai\n",
    )
    with pytest.raises(InputError) as caught:
        read_units(path)
    assert problems_of(caught) == [
        f"{path}:3: the unit code is empty",
        f"{path}:4: valid_from: cannot read the date '31/13/2024' (write 31/03/2024 or 2024-03-31)",
        f"{path}:5: duplicate unit code SO_TP (already on line 2)",
        f"{path}:6: valid_to (2025-06-30) is before valid_from (2025-07-01)",
        f"{path}:7: valid_to: cannot read the date 'mai' (write 31/03/2024 or 2024-03-31)",
    ]
    assert caught.value.render("vi")[2] == f"{path}:5: mã đơn vị SO_TP bị lặp lại (đã có ở dòng 2)"


def test_a_units_workbook_with_date_cells_reads_as_its_csv(tmp_path: Path) -> None:
    csv_path = write(
        tmp_path / "units.csv",
        "code,name,group,valid_from,valid_to\nSO_TP,Sở Tư pháp,so_nganh,2024-01-01,31/12/2030\n",
    )
    xlsx_path = write_workbook(
        tmp_path / "units.xlsx",
        [
            ["code", "name", "group", "valid_from", "valid_to"],
            ["SO_TP", "Sở Tư pháp", "so_nganh", dt.date(2024, 1, 1), "31/12/2030"],
        ],
    )
    assert read_units(xlsx_path) == read_units(csv_path)
    assert read_units(xlsx_path)[0].valid_from == dt.date(2024, 1, 1)


# ---------------------------------------------------------------- values

VALUES_CSV = """\ufeffUnit,Code,Value,Note
SO_TP,1.1.1,Dung_Han,theo QĐ 12
SO_TP,1.1.2,"1,5",
SO_TP,1.2,45/50,
SO_TP,1.3,92%,
SO_TP,B,1.0,sáng kiến
SO_TP,P.1,2,
SO_TC,1.1.1,cham,
SO_TC,1.1.2,,chưa chấm
SO_TC,1.2,NA,không phát sinh
SO_TC,1.3,"0,95",
SO_TC,b,0.5,
"""


def test_values_are_read_by_each_leafs_rule(tmp_path: Path) -> None:
    values = read_values(write(tmp_path / "values.csv", VALUES_CSV), CRITERIA, None)
    assert values == {
        "SO_TP": {
            "1.1.1": Entry("dung_han", "Dung_Han", "theo QĐ 12"),
            "1.1.2": Entry(D("1.5"), "1,5"),
            "1.2": Entry(Fraction(D(45), D(50)), "45/50"),
            "1.3": Entry(D("0.92"), "92%"),
            "B": Entry(D("1.0"), "1.0", "sáng kiến"),
            "P.1": Entry(2, "2"),
        },
        "SO_TC": {
            "1.1.1": Entry("cham", "cham"),
            "1.2": Entry(NA, "NA", "không phát sinh"),
            "1.3": Entry(D("0.95"), "0,95"),
            "B": Entry(D("0.5"), "0.5"),
        },
    }


def test_an_empty_value_cell_leaves_the_leaf_missing(tmp_path: Path) -> None:
    path = write(
        tmp_path / "values.csv",
        "unit,code,value\nSO_TP,1.1.1,\nSO_TP,2.1,\nSO_TP,không có,\nSO_TP,1.1.1,khong\n",
    )
    assert read_values(path, CRITERIA, ["SO_TP"]) == {"SO_TP": {"1.1.1": Entry("khong", "khong")}}


def test_every_problem_of_a_values_file_is_listed_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "values.csv",
        "unit,code,value\n"
        "SO_TP,1.1.1,dung_han\n"
        "SO_TP,9.9,1\n"
        "SO_TP,2.1,4\n"
        "SO_TP,1.1,1\n"
        "SO_XX,1.1.1,cham\n"
        "SO_TP,1.1.2,2.5\n"
        "SO_TP,1.1.2,0.3\n"
        "SO_TP,1.1.1,cham\n"
        "SO_TP,1.2,abc/5\n"
        ",1.2,1/2\n"
        "SO_TC,,1\n"
        "SO_TC,P.1,-1\n",
    )
    with pytest.raises(InputError) as caught:
        read_values(path, CRITERIA, ["SO_TP", "SO_TC"])
    assert problems_of(caught) == [
        f"{path}:3: unknown criterion code 9.9 (not in the set SL-SO-2024)",
        f"{path}:4: leaf 2.1 is a survey leaf: it is scored from the survey answers and takes "
        "no value",
        f"{path}:5: 1.1 is a group of criteria; values go on its leaves",
        f"{path}:6: unit SO_XX is not in the units list",
        f"{path}:7: 1.1.2: points 2.5 outside [0, 2]",
        f"{path}:8: 1.1.2: points 0.3 are not a multiple of the step 0.5",
        f"{path}:9: unit SO_TP, leaf 1.1.1 already has a value on line 2",
        f"{path}:10: 1.2: not a number: 'abc'",
        f"{path}:11: the unit is empty",
        f"{path}:12: the criterion code is empty",
        f"{path}:13: P.1: the count must be a whole number ≥ 0: '-1'",
    ]
    assert caught.value.render("vi")[6] == (
        f"{path}:9: đơn vị SO_TP, tiêu chí 1.1.1 đã có giá trị ở dòng 2"
    )


def test_any_unit_is_accepted_when_no_units_list_is_given(tmp_path: Path) -> None:
    path = write(tmp_path / "values.csv", "unit,code,value\nANY,1.1.1,cham\n")
    assert read_values(path, CRITERIA, None) == {"ANY": {"1.1.1": Entry("cham", "cham")}}
    with pytest.raises(InputError):
        read_values(path, CRITERIA, [])


def test_a_values_file_without_a_value_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "values.csv", "unit,code,gia_tri\nSO_TP,1.1.1,cham\n")
    with pytest.raises(InputError) as caught:
        read_values(path, CRITERIA, None)
    assert problems_of(caught) == [f"{path}:1: missing required column(s): value"]


def test_a_values_workbook_with_number_cells_reads_as_its_csv(tmp_path: Path) -> None:
    csv_path = write(
        tmp_path / "values.csv",
        "unit,code,value,note\n"
        "SO_TP,1.1.1,dung_han,\n"
        "SO_TP,1.1.2,1.5,\n"
        "SO_TP,1.2,0.95,\n"
        "SO_TP,1.3,0.92,\n"
        "SO_TP,P.1,4,ngày 01/02\n",
    )
    xlsx_path = write_workbook(
        tmp_path / "values.xlsx",
        [
            ["Unit", "Code", "Value", "Note"],
            ["SO_TP", "1.1.1", "dung_han"],
            ["SO_TP", "1.1.2", 1.5],
            ["SO_TP", "1.2", 0.95],
            ["SO_TP", "1.3", 0.92],
            ["SO_TP", "P.1", 4.0, "ngày 01/02"],
        ],
    )
    from_xlsx = read_values(xlsx_path, CRITERIA, None)
    assert from_xlsx == read_values(csv_path, CRITERIA, None)
    assert from_xlsx["SO_TP"]["P.1"] == Entry(4, "4", "ngày 01/02")
    assert from_xlsx["SO_TP"]["1.2"] == Entry(Fraction(D("0.95"), D(1)), "0.95")


# ---------------------------------------------------------------- metrics


def test_metrics_accept_both_decimal_marks_and_percents(tmp_path: Path) -> None:
    path = write(
        tmp_path / "metrics.csv",
        "\ufeffUNIT,Metric,VALUE\n"
        'SO_TP,Late_Rate,"0,07"\n'
        "SO_TP,ontime_rate,93%\n"
        "SO_TC,ontime_rate,0.93\n"
        "SO_TC,late_rate,\n"
        'SO_TC,plan_completion_rate,"92,5%"\n',
    )
    assert read_metrics(path, ["SO_TP", "SO_TC"]) == {
        "SO_TP": {"late_rate": D("0.07"), "ontime_rate": D("0.93")},
        "SO_TC": {"ontime_rate": D("0.93"), "plan_completion_rate": D("0.925")},
    }


def test_every_problem_of_a_metrics_file_is_listed_with_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "metrics.csv",
        "unit,metric,value\n"
        "SO_TP,late_rate,0.1\n"
        "SO_TP,LATE_RATE,0.2\n"
        "SO_XX,late_rate,0.1\n"
        "SO_TC,late_rate,mười phần trăm\n"
        "SO_TC,,0.1\n",
    )
    with pytest.raises(InputError) as caught:
        read_metrics(path, ["SO_TP", "SO_TC"])
    assert problems_of(caught) == [
        f"{path}:3: unit SO_TP, metric late_rate already given on line 2",
        f"{path}:5: late_rate: not a number: 'mười phần trăm'",
        f"{path}:6: the metric name is empty",
    ]


def test_metrics_of_units_outside_the_computation_are_ignored(tmp_path: Path) -> None:
    path = write(
        tmp_path / "metrics.csv",
        "unit,metric,value\nSO_TP,late_rate,0.1\nH_MOC_CHAU,late_rate,not even a number\n",
    )
    assert read_metrics(path, ["SO_TP"]) == {"SO_TP": {"late_rate": Decimal("0.1")}}


# ---------------------------------------------------------------- survey answers

ANSWERS_CSV = (
    "\ufeffResponse_ID,UNIT,Group,submitted_at,Q1,q2,q3,q9,comment\n"  # q9: no leaf uses it
    "r1,SO_TP,cbccvc,2024-09-01T10:00,4,5,,7,tốt\n"
    'r2,SO_TP,nguoi_dan,02/09/2024,3,4.0,"5,0",,"hai\ndòng"\n'  # lines 3-4
    "r3,SO_TP,NGUOI_DAN,2024-09-03, 2 ,,1,,\n"
    "\n"
    "r1,SO_TC,cbccvc,,1,1,1,,\n"
    "r4,SO_TC,khach,,6,1,x,,\n"
    ",SO_TC,cbccvc,,1,,,,\n"
    "r5,,cbccvc,,1,,,,\n"
    "r6,SO_XX,cbccvc,,1,,,,\n"
    "r7,SO_TC,cbccvc,,,,,,không trả lời\n"
    "r8,SO_TC,nguoi_dan,,5,5,0,,\n"
)

REJECTED = [
    (7, "response_id r1 already seen on line 2"),
    (
        8,
        "unknown group khach (the set's groups: cbccvc, nguoi_dan); "
        "q1: '6' is not a whole number from 1 to 5; q3: 'x' is not a whole number from 1 to 5",
    ),
    (9, "the response_id is empty"),
    (10, "the unit is empty"),
    (11, "unit SO_XX is not in the units list"),
    (13, "q3: '0' is not a whole number from 1 to 5"),
]


def test_survey_answers_are_tallied_per_unit_group_question_and_answer(tmp_path: Path) -> None:
    path = write(tmp_path / "answers.csv", ANSWERS_CSV)
    tally, rejected = read_answers(path, CRITERIA, ["SO_TP", "SO_TC"])
    assert tally == SurveyTally(
        answers={
            ("SO_TP", "cbccvc", "q1"): {4: 1},
            ("SO_TP", "cbccvc", "Q2"): {5: 1},
            ("SO_TP", "nguoi_dan", "q1"): {2: 1, 3: 1},
            ("SO_TP", "nguoi_dan", "Q2"): {4: 1},
            ("SO_TP", "nguoi_dan", "q3"): {1: 1, 5: 1},
        },
        responses={("SO_TP", "cbccvc"): 1, ("SO_TP", "nguoi_dan"): 2, ("SO_TC", "cbccvc"): 1},
        accepted=4,
        rejected=6,
    )
    assert [(p.line, str(p.message)) for p in rejected] == REJECTED
    assert all(p.file == str(path) for p in rejected)


def test_a_rejected_row_gives_its_reasons_in_vietnamese_too(tmp_path: Path) -> None:
    path = write(tmp_path / "answers.csv", ANSWERS_CSV)
    _, rejected = read_answers(path, CRITERIA, ["SO_TP", "SO_TC"])
    assert rejected[0].render("vi") == f"{path}:7: response_id r1 đã có ở dòng 2"
    assert rejected[1].render("vi") == (
        f"{path}:8: nhóm khach không có trong bộ tiêu chí (các nhóm: cbccvc, nguoi_dan); "
        "q1: '6' không phải là số nguyên từ 1 đến 5; q3: 'x' không phải là số nguyên từ 1 đến 5"
    )


def test_without_a_units_list_any_named_unit_is_accepted(tmp_path: Path) -> None:
    path = write(tmp_path / "answers.csv", ANSWERS_CSV)
    tally, rejected = read_answers(path, CRITERIA, None)
    assert (tally.accepted, tally.rejected) == (5, 5)
    assert tally.responses[("SO_XX", "cbccvc")] == 1
    assert tally.answers[("SO_XX", "cbccvc", "q1")] == {1: 1}
    assert [p.line for p in rejected] == [7, 8, 9, 10, 13]


def test_a_repeated_response_id_keeps_the_first_row_even_a_rejected_one(tmp_path: Path) -> None:
    path = write(
        tmp_path / "answers.csv",
        "response_id,unit,group,q1\n"
        "a,U1,cbccvc,9\n"
        "b,U1,cbccvc,5\n"
        "a,U1,cbccvc,4\n"
        "b,U2,nguoi_dan,3\n"
        "a,U1,cbccvc,4\n",
    )
    tally, rejected = read_answers(path, CRITERIA, None)
    assert [(p.line, str(p.message)) for p in rejected] == [
        (2, "q1: '9' is not a whole number from 1 to 5"),
        (4, "response_id a already seen on line 2"),
        (5, "response_id b already seen on line 3"),
        (6, "response_id a already seen on line 2"),
    ]
    assert tally.answers == {("U1", "cbccvc", "q1"): {5: 1}}
    assert (tally.accepted, tally.rejected) == (1, 4)


def test_named_answers_match_case_insensitively_and_keep_the_declared_code(
    tmp_path: Path,
) -> None:
    path = write(
        tmp_path / "answers.csv",
        "response_id,unit,group,q1,q2,q3\n"
        "1,U1,cbccvc,A,b,\n"
        "2,U1,cbccvc, a ,C,\n"
        "3,U1,nguoi_dan,B,B,c\n"
        "4,U1,nguoi_dan,E,4,A\n",
    )
    tally, rejected = read_answers(path, NAMED, None)
    assert tally.answers == {
        ("U1", "cbccvc", "q1"): {"A": 2},
        ("U1", "cbccvc", "Q2"): {"B": 1, "C": 1},
        ("U1", "nguoi_dan", "q1"): {"B": 1},
        ("U1", "nguoi_dan", "Q2"): {"B": 1},
        ("U1", "nguoi_dan", "q3"): {"C": 1},
    }
    assert [(p.line, str(p.message)) for p in rejected] == [
        (
            5,
            "q1: 'E' is not one of the answers (A, B, C); "
            "Q2: '4' is not one of the answers (A, B, C)",
        )
    ]


@pytest.mark.parametrize("text", ["4", "4.0", "4,0", " 4 ", "4.00", "04"])
def test_a_scale_answer_may_be_written_as_a_whole_decimal(tmp_path: Path, text: str) -> None:
    path = write(tmp_path / "a.csv", f'response_id,unit,group,q1\n1,U1,cbccvc,"{text}"\n')
    tally, rejected = read_answers(path, CRITERIA, None)
    assert (tally.answers, rejected) == ({("U1", "cbccvc", "q1"): {4: 1}}, [])


@pytest.mark.parametrize("text", ["4.5", "0", "6", "-1", "bốn", "4/5", "nan", "inf", "1e0x"])
def test_a_scale_answer_that_is_not_a_whole_number_on_the_scale_rejects_the_row(
    tmp_path: Path, text: str
) -> None:
    path = write(tmp_path / "a.csv", f"response_id,unit,group,q1\n1,U1,cbccvc,{text}\n")
    tally, rejected = read_answers(path, CRITERIA, None)
    assert (tally.accepted, tally.rejected, tally.answers) == (0, 1, {})
    assert [(p.line, str(p.message)) for p in rejected] == [
        (2, f"q1: '{text}' is not a whole number from 1 to 5")
    ]


def test_a_response_that_answers_nothing_still_counts_as_a_response(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", 'response_id,unit,group,q1,q2\n1,U1,cbccvc,,""\n')
    tally, rejected = read_answers(path, CRITERIA, None)
    assert tally == SurveyTally(answers={}, responses={("U1", "cbccvc"): 1}, accepted=1)
    assert rejected == []


def test_a_file_without_any_question_column_still_counts_responses(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "response_id,unit,group,other\n1,U1,cbccvc,9\n2,U1,x,9\n")
    tally, rejected = read_answers(path, CRITERIA, None)
    assert tally == SurveyTally(answers={}, responses={("U1", "cbccvc"): 1}, accepted=1, rejected=1)
    assert [p.line for p in rejected] == [3]


def test_an_empty_group_is_its_own_reason(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "response_id,unit,group,q1\n1,U1,,3\n")
    _, rejected = read_answers(path, CRITERIA, None)
    assert [(p.line, str(p.message)) for p in rejected] == [(2, "the group is empty")]


def test_blank_rows_are_neither_accepted_nor_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "response_id,unit,group,q1\n,,,\n\n , , , \n1,U1,cbccvc,3\n")
    tally, rejected = read_answers(path, CRITERIA, None)
    assert (tally.accepted, tally.rejected, rejected) == (1, 0, [])


def test_blank_lines_before_the_header_keep_the_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv",
        '\ufeff\n  \n"Response_ID",unit,group,q1,note\n1,U1,cbccvc,3,"a\nb"\n2,U1,cbccvc,9,\n',
    )
    tally, rejected = read_answers(path, CRITERIA, None)
    assert tally.answers == {("U1", "cbccvc", "q1"): {3: 1}}
    assert [(p.line, str(p.message)) for p in rejected] == [
        (6, "q1: '9' is not a whole number from 1 to 5")
    ]


def test_an_answers_file_with_crlf_line_ends_keeps_its_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"response_id,unit,group,q1\r\n1,U1,cbccvc,3\r\n\r\n2,U1,cbccvc,8\r\n")
    _, rejected = read_answers(path, CRITERIA, None)
    assert [p.line for p in rejected] == [4]


def test_an_answers_workbook_reads_as_its_csv(tmp_path: Path) -> None:
    csv_path = write(tmp_path / "answers.csv", ANSWERS_CSV)
    rows: list[list[object]] = [
        ["Response_ID", "UNIT", "Group", "submitted_at", "Q1", "q2", "q3", "q9", "comment"],
        ["r1", "SO_TP", "cbccvc", dt.date(2024, 9, 1), 4, 5, None, 7, "tốt"],
        ["r2", "SO_TP", "nguoi_dan", "02/09/2024", 3, 4.0, "5,0", None, "hai dòng"],
        [],  # the CSV's quoted cell takes two lines: keep the line numbers equal
        ["r3", "SO_TP", "NGUOI_DAN", "2024-09-03", " 2 ", None, 1],
        [],
        ["r1", "SO_TC", "cbccvc", None, 1, 1, 1],
        ["r4", "SO_TC", "khach", None, 6, 1, "x"],
        [None, "SO_TC", "cbccvc", None, 1],
        ["r5", None, "cbccvc", None, 1],
        ["r6", "SO_XX", "cbccvc", None, 1],
        ["r7", "SO_TC", "cbccvc", None, None, None, None, None, "không trả lời"],
        ["r8", "SO_TC", "nguoi_dan", None, 5, 5, 0],
    ]
    xlsx_path = write_workbook(tmp_path / "answers.xlsx", rows)
    from_csv = read_answers(csv_path, CRITERIA, ["SO_TP", "SO_TC"])
    from_xlsx = read_answers(xlsx_path, CRITERIA, ["SO_TP", "SO_TC"])
    assert from_xlsx[0] == from_csv[0]
    assert [(p.line, p.message) for p in from_xlsx[1]] == [(p.line, p.message) for p in from_csv[1]]
    assert from_xlsx[1][0].file == str(xlsx_path)


def test_a_set_without_a_survey_cannot_read_answers(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "response_id,unit,group,q1\n1,U1,cbccvc,3\n")
    with pytest.raises(InputError) as caught:
        read_answers(path, criteria_set(survey=None), None)
    assert problems_of(caught) == [f"{path}: the criteria set SL-SO-2024 has no survey section"]


def test_an_answers_file_missing_a_required_column_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "id,Unit,q1,q1\n1,U1,3,4\n")
    with pytest.raises(InputError) as caught:
        read_answers(path, CRITERIA, None)
    assert problems_of(caught) == [
        f"{path}:1: duplicate column(s): q1",
        f"{path}:1: missing required column(s): response_id, group",
    ]


def test_an_answers_file_with_a_shifted_row_is_refused_with_the_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "a.csv",
        "response_id,unit,group,q1\n1,U1,cbccvc,3\n2,Sở Tư pháp, Hà Nội,cbccvc,3\n3,U1,cbccvc,4\n",
    )
    with pytest.raises(InputError) as caught:
        read_answers(path, CRITERIA, None)
    assert problems_of(caught) == [
        f"{path}:3: the row has more cells than the header has columns "
        "(a comma in an unquoted cell?)"
    ]


def test_trailing_empty_cells_beyond_the_header_are_harmless(tmp_path: Path) -> None:
    path = write(tmp_path / "a.csv", "response_id,unit,group,q1\n1,U1,cbccvc,3,,\n")
    tally, _ = read_answers(path, CRITERIA, None)
    assert tally.answers == {("U1", "cbccvc", "q1"): {3: 1}}


def test_an_answers_file_that_is_not_utf8_is_refused_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(
        b"response_id,unit,group,q1\n1,U1,cbccvc,3\n2,S\xf5\xd2 T\xfd ph\xe1p,cbccvc,3\n"
    )
    with pytest.raises(InputError) as caught:
        read_answers(path, CRITERIA, None)
    assert problems_of(caught) == [
        f"{path}:3: the file is not UTF-8 encoded (byte 0xf5); save it again as CSV UTF-8"
    ]


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.csv", None, "file not found"),
        ("empty.csv", "", "the file is empty: there is no header row"),
        ("broken.xlsx", "response_id,unit", "not a readable XLSX workbook: "),
    ],
)
def test_an_unreadable_answers_file_is_refused(
    tmp_path: Path, name: str, content: str | None, expected: str
) -> None:
    path = tmp_path / name
    if content is not None:
        write(path, content)
    with pytest.raises(InputError) as caught:
        read_answers(path, CRITERIA, None)
    [problem] = problems_of(caught)
    assert problem.startswith(f"{path}: {expected}")


# ---------------------------------------------------------------- previous results


def test_previous_results_give_each_units_index_and_rank(tmp_path: Path) -> None:
    results = {
        "criteria_set": "SL-SO-2023",
        "units": [
            {"unit": "SO_TP", "name": "Sở Tư pháp", "index": 81.25, "rank": 1, "leaves": []},
            {"unit": "SO_TC", "index": 80, "rank": 2},
            {"unit": "SO_XD", "index": 0.1, "rank": None},
        ],
    }
    path = write(tmp_path / "previous.json", json.dumps(results))
    assert read_previous(path) == {
        "SO_TP": PreviousResult(D("81.25"), 1),
        "SO_TC": PreviousResult(D(80), 2),
        "SO_XD": PreviousResult(D("0.1"), None),
    }


def test_every_problem_of_a_previous_results_file_names_its_json_path(tmp_path: Path) -> None:
    results = {
        "units": [
            {"unit": "SO_TP", "index": 81.25, "rank": 1},
            {"index": 80, "rank": 2},
            {"unit": "SO_XD", "index": "tám mươi", "rank": 0},
            "SO_YT",
            {"unit": "SO_TP", "index": 70, "rank": 3},
            {"unit": "SO_CT", "rank": True},
        ]
    }
    path = write(tmp_path / "previous.json", json.dumps(results))
    with pytest.raises(InputError) as caught:
        read_previous(path)
    assert problems_of(caught) == [
        f"{path}: units[1].unit: the unit code is missing",
        f"{path}: units[2].index: the index is missing or not a number",
        f"{path}: units[2].rank: the rank must be a whole number ≥ 1 or null",
        f"{path}: units[3]: must be an object",
        f"{path}: units[4].unit: duplicate unit SO_TP (already at units[0])",
        f"{path}: units[5].index: the index is missing or not a number",
        f"{path}: units[5].rank: the rank must be a whole number ≥ 1 or null",
    ]
    assert all(isinstance(p, Problem) and p.line is None for p in caught.value.problems)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"units": [}', ":1: not JSON: Expecting value"),
        ("[1, 2]", ": units: no units list (is this a results file written by compute?)"),
        ('{"units": {"SO_TP": 1}}', ": units: no units list"),
    ],
)
def test_a_previous_results_file_that_is_not_one_is_refused(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = write(tmp_path / "previous.json", content)
    with pytest.raises(InputError) as caught:
        read_previous(path)
    [problem] = problems_of(caught)
    assert problem.startswith(f"{path}{expected}")
