"""Questionnaires (*phiếu khảo sát*): the draft from a criteria set, the rules, YAML and XLSX."""

from __future__ import annotations

import dataclasses
import io
import unicodedata
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex.formats.criteria import parse_criteria
from parindex.formats.problems import InputError
from parindex.formats.questionnaire import (
    ANSWERS_SHEET,
    FORM_SHEET,
    PERSONAL_SHEET,
    AnswerOption,
    PersonalField,
    Questionnaire,
    QuestionText,
    draft_questionnaire,
    normalise_label,
    questionnaire_leaves,
    questionnaire_problems,
    questionnaire_xlsx,
    questionnaire_yaml,
    read_questionnaire_xlsx,
    read_questionnaire_yaml,
)
from parindex.scoring.messages import ScoringError
from parindex.scoring.model import CriteriaSet

D = Decimal

SCALE_SET = """
code: SL-SO-2024
title: Bộ chỉ số CCHC các sở, ban, ngành năm 2024
year: 2024
unit_group: so_nganh
max_points: 10
survey:
  scale: {min: 1, max: 5}
  min_sample: 30
  groups:
    - {code: cbccvc, label: "Cán bộ, công chức, viên chức", weight: 1}
    - {code: nguoi_dan, label: "Người dân, tổ chức", weight: 2}
  questions:
    - {code: q1, text: "Thông tin về TTHC được công khai, dễ tiếp cận"}
    - {code: q2, text: "Công chức hướng dẫn đầy đủ, dễ hiểu, một lần"}
    - {code: q3, text: "Lãnh đạo quan tâm, sát sao với công tác CCHC"}
    - {code: q4}
nodes:
  - code: "1"
    title: Công tác chỉ đạo, điều hành CCHC
    children:
      - code: "1.1"
        title: Ban hành kế hoạch CCHC năm
        max: 2
        source: self
        rule: {type: manual, step: 0.5}
      - code: "1.2"
        title: Lãnh đạo quan tâm công tác CCHC
        max: 2
        source: survey
        rule: {type: survey, questions: [q3], groups: [cbccvc]}
  - code: "2"
    title: Cải cách thủ tục hành chính
    children:
      - code: "2.1"
        title: Công khai thủ tục hành chính
        max: 3
        source: survey
        rule: {type: survey, questions: [q1, q4]}
      - code: "2.2"
        title: Hướng dẫn của công chức
        max: 3
        source: survey
        rule: {type: survey, questions: [q2, q1], groups: [nguoi_dan]}
"""

NAMED_SET = """
code: XA-2025
title: Bộ chỉ số CCHC cấp xã năm 2025
year: 2025
unit_group: xa
max_points: 3.5
survey:
  # A = Rất hài lòng; B = Hài lòng; C = Bình thường; D = Không hài lòng
  answers: {C: 0.4, A: 1, D: 0, B: 0.8}
  groups:
    - {code: nguoi_dan, label: "Người dân có hồ sơ TTHC đã có kết quả", weight: 2}
    - {code: to_chuc, label: "Tổ chức, doanh nghiệp, hộ kinh doanh", weight: 1}
nodes:
  - code: "3"
    title: Cải cách thủ tục hành chính
    children:
      - code: "3.6.1"
        title: Thông tin về TTHC công khai, dễ tiếp cận
        max: 1
        source: survey
        rule: {type: survey, questions: [s01], groups: [nguoi_dan, to_chuc]}
      - code: "3.6.2"
        title: Thành phần hồ sơ, biểu mẫu đơn giản
        max: 1
        source: survey
        rule: {type: survey, questions: [s02], groups: [nguoi_dan, to_chuc]}
      - code: "3.6.3"
        title: Công chức hướng dẫn đầy đủ, một lần
        max: 1.5
        source: survey
        rule: {type: survey, questions: [s03], groups: [to_chuc]}
"""

NO_SURVEY_SET = """
code: T-2024
title: Bộ không có điều tra
year: 2024
unit_group: so_nganh
max_points: 2
nodes:
  - code: "1"
    title: Công tác chỉ đạo, điều hành CCHC
    max: 2
    source: self
    rule: {type: manual, step: 0.5}
"""

LIKERT = [
    ("5", "Rất hài lòng", D(1)),
    ("4", "Hài lòng", D("0.75")),
    ("3", "Bình thường", D("0.5")),
    ("2", "Không hài lòng", D("0.25")),
    ("1", "Rất không hài lòng", D(0)),
]


@pytest.fixture
def scale_set() -> CriteriaSet:
    return parse_criteria(SCALE_SET, "so-nganh.yaml")


@pytest.fixture
def named_set() -> CriteriaSet:
    return parse_criteria(NAMED_SET, "xa.yaml")


@pytest.fixture
def draft(scale_set: CriteriaSet) -> Questionnaire:
    return draft_questionnaire(scale_set, "nguoi_dan")


def options_of(q: Questionnaire) -> list[tuple[str, str, Decimal]]:
    return [(o.code, o.label, o.share) for o in q.options]


def found(q: Questionnaire, criteria: CriteriaSet) -> list[tuple[str | None, str]]:
    return [(p.path, p.message.en) for p in questionnaire_problems(q, criteria, "phieu.yaml")]


def yaml_errors(text: str, criteria: CriteriaSet, lang: str = "en") -> list[str]:
    with pytest.raises(InputError) as caught:
        read_questionnaire_yaml(text, "phieu.yaml", criteria)
    return caught.value.render(lang)


def xlsx_errors(data: bytes, criteria: CriteriaSet, lang: str = "en") -> list[str]:
    with pytest.raises(InputError) as caught:
        read_questionnaire_xlsx(data, "phieu.xlsx", criteria)
    return caught.value.render(lang)


# ---------------------------------------------------------------- the draft


def test_questionnaire_draft_on_a_1_to_5_scale_has_likert_labels_and_exact_shares(
    draft: Questionnaire,
) -> None:
    assert options_of(draft) == LIKERT
    assert draft.group == "nguoi_dan"
    assert draft.code == "SL-SO-2024-nguoi_dan"
    assert draft.title == "Phiếu khảo sát ý kiến — Người dân, tổ chức (2024)"
    assert draft.intro.startswith("Xin ông/bà vui lòng")
    assert draft.personal == ()


def test_questionnaire_draft_asks_the_groups_questions_in_leaf_order_with_texts_and_sections(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    # 2.1 (all groups) uses q1, q4; 2.2 (nguoi_dan) uses q2, q1; 1.2 is for cbccvc only
    assert draft.questions == (
        QuestionText(
            "q1", "Thông tin về TTHC được công khai, dễ tiếp cận", "Cải cách thủ tục hành chính"
        ),
        QuestionText("q4", "Công khai thủ tục hành chính", "Cải cách thủ tục hành chính"),
        QuestionText(
            "q2", "Công chức hướng dẫn đầy đủ, dễ hiểu, một lần", "Cải cách thủ tục hành chính"
        ),
    )
    officials = draft_questionnaire(scale_set, "cbccvc")
    assert [(q.code, q.section) for q in officials.questions] == [
        ("q3", "Công tác chỉ đạo, điều hành CCHC"),
        ("q1", "Cải cách thủ tục hành chính"),
        ("q4", "Cải cách thủ tục hành chính"),
    ]
    assert officials.questions[0].text == "Lãnh đạo quan tâm, sát sao với công tác CCHC"


def test_questionnaire_draft_of_named_answers_is_best_first_with_the_sets_shares(
    named_set: CriteriaSet,
) -> None:
    q = draft_questionnaire(named_set, "nguoi_dan")
    assert options_of(q) == [
        ("A", "A", D(1)),
        ("B", "B", D("0.8")),
        ("C", "C", D("0.4")),
        ("D", "D", D(0)),
    ]
    # no declared texts: each question reads as its leaf's title
    assert [(t.code, t.text) for t in q.questions] == [
        ("s01", "Thông tin về TTHC công khai, dễ tiếp cận"),
        ("s02", "Thành phần hồ sơ, biểu mẫu đơn giản"),
    ]


def test_questionnaire_draft_of_another_scale_uses_generic_levels() -> None:
    criteria = parse_criteria(SCALE_SET.replace("{min: 1, max: 5}", "{min: 0, max: 4}"))
    q = draft_questionnaire(criteria, "nguoi_dan")
    assert options_of(q) == [
        ("4", "Mức 4", D(1)),
        ("3", "Mức 3", D("0.75")),
        ("2", "Mức 2", D("0.5")),
        ("1", "Mức 1", D("0.25")),
        ("0", "Mức 0", D(0)),
    ]


def test_questionnaire_draft_needs_a_survey_and_one_of_its_groups(scale_set: CriteriaSet) -> None:
    with pytest.raises(ScoringError) as caught:
        draft_questionnaire(scale_set, "doanh_nghiep")
    assert caught.value.message.en == (
        "unknown respondent group 'doanh_nghiep' (one of: cbccvc, nguoi_dan)"
    )
    assert caught.value.message.vi.startswith("không có nhóm đối tượng 'doanh_nghiep'")
    with pytest.raises(ScoringError, match="has no survey section"):
        draft_questionnaire(parse_criteria(NO_SURVEY_SET), "nguoi_dan")


def test_questionnaire_leaves_follow_the_groups_each_leaf_names(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    assert questionnaire_leaves(draft, scale_set) == {
        "q1": ("2.1", "2.2"),
        "q4": ("2.1",),
        "q2": ("2.2",),
    }
    officials = draft_questionnaire(scale_set, "cbccvc")
    assert questionnaire_leaves(officials, scale_set) == {
        "q3": ("1.2",),
        "q1": ("2.1",),
        "q4": ("2.1",),
    }
    stray = dataclasses.replace(draft, questions=(QuestionText("q3", "Lãnh đạo"),))
    assert questionnaire_leaves(stray, scale_set) == {"q3": ()}


# ---------------------------------------------------------------- labels


def test_questionnaire_label_codes_read_labels_in_any_case_spacing_and_unicode_form(
    draft: Questionnaire,
) -> None:
    codes = draft.label_codes()
    assert codes[normalise_label("  RẤT HÀI LÒNG ")] == "5"
    decomposed = unicodedata.normalize("NFD", "Không   hài lòng")
    assert decomposed != "Không   hài lòng"
    assert codes[normalise_label(decomposed)] == "2"
    assert codes["rất không hài lòng"] == "1"
    assert all(codes[code] == code for code in "12345")
    assert len(codes) == 10


def test_questionnaire_label_codes_map_named_codes_to_themselves_in_either_case(
    named_set: CriteriaSet,
) -> None:
    q = draft_questionnaire(named_set, "to_chuc")
    q = dataclasses.replace(
        q,
        options=tuple(
            dataclasses.replace(o, label=label)
            for o, label in zip(
                q.options,
                ["Rất hài lòng", "Hài lòng", "Bình thường", "Không hài lòng"],
                strict=True,
            )
        ),
    )
    codes = q.label_codes()
    assert codes["a"] == "A" and codes["A"] == "A"
    assert codes["bình thường"] == "C"
    assert q.option("d") == AnswerOption("D", "Không hài lòng", D(0))
    assert q.option("E") is None


# ---------------------------------------------------------------- the rules


def test_questionnaire_a_draft_has_no_problems(
    scale_set: CriteriaSet, named_set: CriteriaSet
) -> None:
    for criteria, group in (
        (scale_set, "nguoi_dan"),
        (scale_set, "cbccvc"),
        (named_set, "to_chuc"),
    ):
        assert found(draft_questionnaire(criteria, group), criteria) == []


def test_questionnaire_for_a_set_without_survey_has_one_problem_without_path(
    draft: Questionnaire,
) -> None:
    criteria = parse_criteria(NO_SURVEY_SET)
    problems = questionnaire_problems(draft, criteria, "phieu.yaml")
    assert [(p.path, p.line, p.message.en) for p in problems] == [
        (None, None, "the criteria set T-2024 has no survey section")
    ]
    assert problems[0].render() == (
        "phieu.yaml: bộ tiêu chí T-2024 không có mục điều tra xã hội học (survey)"
    )


def test_questionnaire_of_an_unknown_group_is_reported_at_group(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    q = dataclasses.replace(draft, group="doanh_nghiep")
    assert found(q, scale_set) == [
        ("group", "unknown respondent group 'doanh_nghiep' (one of: cbccvc, nguoi_dan)")
    ]


def test_questionnaire_options_must_be_each_level_of_the_scale_exactly_once(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    options = (
        AnswerOption("5", "Rất hài lòng", D(1)),
        AnswerOption("6", "Tuyệt vời", D(0)),
        AnswerOption("4", "Hài lòng", D("0.75")),
        AnswerOption("4", "Khá hài lòng", D("0.75")),
        AnswerOption("1", "Rất không hài lòng", D(0)),
    )
    assert found(dataclasses.replace(draft, options=options), scale_set) == [
        ("options[1].code", "option '6' is not in the scale 1–5"),
        ("options[3].code", "duplicate option code '4' (first at options[2])"),
        ("options", "option(s) missing: 3, 2"),
    ]


def test_questionnaire_options_must_be_the_sets_named_answers(named_set: CriteriaSet) -> None:
    q = draft_questionnaire(named_set, "nguoi_dan")
    q = dataclasses.replace(q, options=(*q.options[:3], AnswerOption("E", "E", D(0))))
    problems = questionnaire_problems(q, named_set, "phieu.yaml")
    assert [(p.path, p.message.en) for p in problems] == [
        ("options[3].code", "option 'E' is not in the answers C, A, D, B"),
        ("options", "option(s) missing: D"),
    ]
    assert problems[1].message.vi == "thiếu đáp án: D"


def test_questionnaire_option_labels_must_be_distinct_present_and_not_another_code(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    labels = ["Rất hài lòng", "  rất  HÀI lòng", "2", "", "Rất không hài lòng"]
    options = tuple(
        dataclasses.replace(o, label=label) for o, label in zip(draft.options, labels, strict=True)
    )
    assert found(dataclasses.replace(draft, options=options), scale_set) == [
        ("options[2].label", "label '2' reads as the code of option '2'"),
        ("options[3].label", "the option has no label"),
        ("options[1].label", "duplicate option label 'rất hài lòng' (first at options[0])"),
    ]


def test_questionnaire_questions_must_be_distinct_used_by_the_group_and_complete(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    questions = (
        draft.questions[0],
        QuestionText("q3", "Lãnh đạo quan tâm, sát sao với công tác CCHC"),
        QuestionText("q4", " "),
        draft.questions[0],
    )
    problems = questionnaire_problems(
        dataclasses.replace(draft, questions=questions), scale_set, "p"
    )
    assert [(p.path, p.message.en) for p in problems] == [
        ("questions[2].text", "the question has no text"),
        ("questions[3].code", "duplicate question 'q1' (first at questions[0])"),
        ("questions[1].code", "no survey leaf of group 'nguoi_dan' uses question 'q3'"),
        ("questions", "question 'q2' is missing (used by 2.2)"),
    ]
    assert problems[2].message.vi == (
        "câu hỏi 'q3' không được tiêu chí điều tra nào của nhóm 'nguoi_dan' sử dụng"
    )
    assert problems[3].render() == "p: questions: thiếu câu hỏi 'q2' (tiêu chí 2.2 sử dụng)"


def test_questionnaire_needs_a_code_and_a_title(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    q = dataclasses.replace(draft, code=" ", title="")
    assert found(q, scale_set) == [
        ("code", "the questionnaire has no code"),
        ("title", "the questionnaire has no title"),
    ]


def test_questionnaire_personal_fields_have_distinct_codes_apart_from_questions_and_labels(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    personal = (
        PersonalField("phone", "Số điện thoại"),
        PersonalField("q1", "Câu 1"),
        PersonalField("phone", ""),
    )
    assert found(dataclasses.replace(draft, personal=personal), scale_set) == [
        ("personal[1].code", "code 'q1' is also a question code"),
        ("personal[2].label", "no label"),
        ("personal[2].code", "duplicate field 'phone' (first at personal[0])"),
    ]


# ---------------------------------------------------------------- YAML

HAND_WRITTEN = """\
questionnaire:
  code: pks-nguoi-dan-2024
  title: Phiếu khảo sát sự hài lòng của người dân
  group: nguoi_dan
  intro: "Xin ông/bà vui lòng cho biết mức độ hài lòng đối với từng nội dung dưới đây."
  options:
    - {code: 5, label: Rất hài lòng, share: 0.1}
    - {code: 4, label: Hài lòng}
    - {code: 3, label: Bình thường}
    - {code: 2, label: Không hài lòng}
    - {code: 1, label: Rất không hài lòng}
  questions:
    - {code: q1, text: "Thông tin về TTHC được công khai, dễ tiếp cận", required: true}
    - {code: q2, text: "Công chức hướng dẫn đầy đủ, dễ hiểu, một lần", section: TTHC}
    - code: q4
      text: Công khai thủ tục hành chính
      required: có
  personal:
    - {code: phone, label: Số điện thoại}
"""


def test_questionnaire_yaml_round_trips_a_draft(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    text = questionnaire_yaml(draft)
    assert text.startswith("questionnaire:\n  code: SL-SO-2024-nguoi_dan\n")
    assert '    - {code: "5", label: Rất hài lòng}\n' in text
    assert "share" not in text
    assert read_questionnaire_yaml(text, "phieu.yaml", scale_set) == draft


def test_questionnaire_yaml_round_trips_texts_yaml_would_misread(
    named_set: CriteriaSet,
) -> None:
    q = draft_questionnaire(named_set, "nguoi_dan")
    q = dataclasses.replace(
        q,
        code="01",
        intro="Dòng một: có dấu hai chấm\nDòng hai # không phải chú thích",
        options=tuple(dataclasses.replace(o, label=f"- {o.code}: yes") for o in q.options),
        questions=(
            QuestionText("s01", "=1+1", "null", required=True),
            QuestionText("s02", "no", "'trích' \"dẫn\" [x] {y}"),
        ),
        personal=(PersonalField("phone", "@Số điện thoại", required=True),),
    )
    assert read_questionnaire_yaml(questionnaire_yaml(q), "phieu.yaml", named_set) == q


def test_questionnaire_yaml_hand_written_takes_shares_from_the_set_not_the_file(
    scale_set: CriteriaSet,
) -> None:
    q = read_questionnaire_yaml(HAND_WRITTEN, "phieu.yaml", scale_set)
    assert options_of(q) == LIKERT  # `share: 0.1` is ignored
    assert q.questions == (
        QuestionText("q1", "Thông tin về TTHC được công khai, dễ tiếp cận", "", True),
        QuestionText("q2", "Công chức hướng dẫn đầy đủ, dễ hiểu, một lần", "TTHC", False),
        QuestionText("q4", "Công khai thủ tục hành chính", "", True),
    )
    assert q.personal == (PersonalField("phone", "Số điện thoại", False),)
    assert q.intro.startswith("Xin ông/bà vui lòng")


def test_questionnaire_yaml_reports_every_problem_at_its_key_path_and_line(
    scale_set: CriteriaSet,
) -> None:
    text = (
        HAND_WRITTEN.replace("  group: nguoi_dan\n", "  group: nguoi_dan\n  version: 2\n")
        .replace("{code: 4, label: Hài lòng}", "{label: Hài lòng}")
        .replace("required: có", "required: thỉnh thoảng")
        .replace("section: TTHC}", "section: [TTHC]}")
    )
    assert yaml_errors(text, scale_set) == [
        "phieu.yaml: questionnaire.version: unknown key 'version' (allowed: code, group, intro,"
        " options, personal, questions, title) (line 5)",
        "phieu.yaml: questionnaire.options[1].code: required key missing (line 9)",
        "phieu.yaml: questionnaire.questions[1].section: must be text (line 15)",
        "phieu.yaml: questionnaire.questions[2].required: must be yes or no (có/không) (line 18)",
        "phieu.yaml: questionnaire.options: option(s) missing: 4 (line 8)",
    ]
    assert yaml_errors(text, scale_set, "vi")[1] == (
        "phieu.yaml: questionnaire.options[1].code: thiếu khóa bắt buộc (dòng 9)"
    )


def test_questionnaire_yaml_needs_its_keys_and_lists(scale_set: CriteriaSet) -> None:
    text = "questionnaire:\n  code: pks\n  title: Phiếu\n  options: 5\n"
    assert yaml_errors(text, scale_set) == [
        "phieu.yaml: questionnaire.group: required key missing (line 2)",
        "phieu.yaml: questionnaire.options: must be a list (line 4)",
        "phieu.yaml: questionnaire.questions: required key missing (line 2)",
    ]


def test_questionnaire_yaml_checks_the_rules_against_the_set(scale_set: CriteriaSet) -> None:
    text = HAND_WRITTEN.replace("{code: q2,", "{code: q3,")
    assert yaml_errors(text, scale_set) == [
        "phieu.yaml: questionnaire.questions[1].code: no survey leaf of group 'nguoi_dan' uses"
        " question 'q3' (line 14)",
        "phieu.yaml: questionnaire.questions: question 'q2' is missing (used by 2.2) (line 13)",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "phieu.yaml: questionnaire: the file needs a 'questionnaire:' key holding the"),
        ("- a\n- b\n", "phieu.yaml: questionnaire: the file needs a 'questionnaire:' key"),
        ("code: pks\n", "phieu.yaml: questionnaire: the file needs a 'questionnaire:' key"),
        ("questionnaire: [1]\n", "phieu.yaml: questionnaire: must be a mapping (line 1)"),
        ("questionnaire:\n  code: [pks\n", "phieu.yaml:3: YAML syntax error: expected ',' or ']'"),
    ],
)
def test_questionnaire_yaml_broken_files_raise_input_error_not_tracebacks(
    scale_set: CriteriaSet, text: str, expected: str
) -> None:
    errors = yaml_errors(text, scale_set)
    assert len(errors) == 1
    assert errors[0].startswith(expected)


# ---------------------------------------------------------------- XLSX


def workbook(sheets: dict[str, list[list[Any]]]) -> bytes:
    """A workbook as a person would type it: numbers as numbers, text as text."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    for name, rows in sheets.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    if value:
                        sheet.write_string(r, c, value)
                elif value is not None:
                    sheet.write(r, c, value)
    book.close()
    return buffer.getvalue()


FORM: list[list[Any]] = [
    ["Mã phiếu", "pks-nguoi-dan-2024"],
    ["Tiêu đề", "Phiếu khảo sát sự hài lòng của người dân"],
    ["Nhóm", "nguoi_dan", "Người dân, tổ chức"],
    ["Giới thiệu", "Xin ông/bà vui lòng cho biết ý kiến."],
    [],
    ["STT", "Mã câu hỏi", "Nội dung", "Phần", "Bắt buộc", "Chỉ tiêu"],
    [1, "q1", "Thông tin về TTHC được công khai, dễ tiếp cận", "TTHC", "x", "9.9"],
    [2, "q4", "Công khai thủ tục hành chính", "TTHC", "", ""],
    [3, "q2", "Công chức hướng dẫn đầy đủ, dễ hiểu, một lần", "", "yes", ""],
]
ANSWERS: list[list[Any]] = [
    ["Mã", "Nhãn", "Tỉ lệ điểm"],
    [5, "Rất hài lòng", 0.5],
    [4, "Hài lòng", None],
    [3, "Bình thường", None],
    [2, "Không hài lòng", None],
    [1, "Rất không hài lòng", None],
]
PERSONAL: list[list[Any]] = [["Mã", "Nhãn", "Bắt buộc"], ["phone", "Số điện thoại", 0]]


def typed(**changes: list[list[Any]]) -> bytes:
    sheets = {FORM_SHEET: FORM, ANSWERS_SHEET: ANSWERS, PERSONAL_SHEET: PERSONAL}
    sheets.update(
        {{"form": FORM_SHEET, "answers": ANSWERS_SHEET}[k]: v for k, v in changes.items()}
    )
    return workbook(sheets)


def replaced(rows: list[list[Any]], row: int, col: int, value: Any) -> list[list[Any]]:
    copy = [list(r) for r in rows]
    copy[row][col] = value
    return copy


def test_questionnaire_xlsx_round_trips_a_draft_with_personal_fields(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    q = dataclasses.replace(
        draft,
        intro="Dòng một\nDòng hai",
        questions=(dataclasses.replace(draft.questions[0], required=True), *draft.questions[1:]),
        personal=(PersonalField("phone", "Số điện thoại", required=True),),
    )
    assert read_questionnaire_xlsx(questionnaire_xlsx(q, scale_set), "phieu.xlsx", scale_set) == q


def test_questionnaire_xlsx_round_trips_named_answers(named_set: CriteriaSet) -> None:
    q = draft_questionnaire(named_set, "to_chuc")
    data = questionnaire_xlsx(q, named_set)
    assert read_questionnaire_xlsx(data, "phieu.xlsx", named_set) == q


def test_questionnaire_xlsx_has_the_layout_with_shares_and_leaves(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    book = openpyxl.load_workbook(io.BytesIO(questionnaire_xlsx(draft, scale_set)))
    assert book.sheetnames == [FORM_SHEET, ANSWERS_SHEET, PERSONAL_SHEET]
    form = [[c.value for c in row] for row in book[FORM_SHEET].iter_rows(max_col=6)]
    assert [row[:2] for row in form[:4]] == [
        ["Mã phiếu", "SL-SO-2024-nguoi_dan"],
        ["Tiêu đề", "Phiếu khảo sát ý kiến — Người dân, tổ chức (2024)"],
        ["Nhóm", "nguoi_dan"],
        ["Giới thiệu", draft.intro],
    ]
    assert form[2][2] == "Người dân, tổ chức"
    assert form[4] == [None] * 6
    assert form[5] == ["STT", "Mã câu hỏi", "Nội dung", "Phần", "Bắt buộc", "Chỉ tiêu"]
    assert form[6] == [
        1,
        "q1",
        "Thông tin về TTHC được công khai, dễ tiếp cận",
        "Cải cách thủ tục hành chính",
        "không",
        "2.1, 2.2",
    ]
    answers = [[c.value for c in row] for row in book[ANSWERS_SHEET].iter_rows()]
    assert answers[0] == ["Mã", "Nhãn", "Tỉ lệ điểm"]
    assert [(code, label, D(str(share))) for code, label, share in answers[1:]] == LIKERT
    assert [[c.value for c in row] for row in book[PERSONAL_SHEET].iter_rows()] == [
        ["Mã", "Nhãn", "Bắt buộc"]
    ]


def test_questionnaire_xlsx_cells_that_look_like_formulas_stay_text(
    scale_set: CriteriaSet, draft: Questionnaire
) -> None:
    q = dataclasses.replace(
        draft,
        title='=HYPERLINK("http://x")',
        questions=(
            dataclasses.replace(draft.questions[0], text="+84 912 345 678"),
            *draft.questions[1:],
        ),
    )
    data = questionnaire_xlsx(q, scale_set)
    sheet = openpyxl.load_workbook(io.BytesIO(data))[FORM_SHEET]
    assert sheet["B2"].data_type == "s" and sheet["B2"].quotePrefix
    assert sheet["B2"].value == '=HYPERLINK("http://x")'
    assert sheet["C7"].quotePrefix and not sheet["C8"].quotePrefix
    assert read_questionnaire_xlsx(data, "phieu.xlsx", scale_set) == q


def test_questionnaire_xlsx_typed_by_hand_reads_numbers_flags_and_ignores_share_and_leaves(
    scale_set: CriteriaSet,
) -> None:
    q = read_questionnaire_xlsx(typed(), "phieu.xlsx", scale_set)
    assert options_of(q) == LIKERT  # 0.5 typed in Tỉ lệ điểm is ignored
    assert [(t.code, t.section, t.required) for t in q.questions] == [
        ("q1", "TTHC", True),
        ("q4", "TTHC", False),
        ("q2", "", True),
    ]
    assert q.personal == (PersonalField("phone", "Số điện thoại", False),)
    assert (q.code, q.group, q.intro) == (
        "pks-nguoi-dan-2024",
        "nguoi_dan",
        "Xin ông/bà vui lòng cho biết ý kiến.",
    )


def test_questionnaire_xlsx_without_personal_sheet_has_no_personal_fields(
    scale_set: CriteriaSet,
) -> None:
    data = workbook({FORM_SHEET: FORM, ANSWERS_SHEET: ANSWERS})
    assert read_questionnaire_xlsx(data, "phieu.xlsx", scale_set).personal == ()


@pytest.mark.parametrize("word", ["có", "Có", "x", "X", "yes", "1", 1, True])
def test_questionnaire_xlsx_required_accepts_the_usual_yes_words(
    scale_set: CriteriaSet, word: Any
) -> None:
    q = read_questionnaire_xlsx(typed(form=replaced(FORM, 7, 4, word)), "p.xlsx", scale_set)
    assert q.questions[1].required is True


@pytest.mark.parametrize("word", ["không", "KHÔNG", "no", "0", 0, False, ""])
def test_questionnaire_xlsx_required_accepts_the_usual_no_words(
    scale_set: CriteriaSet, word: Any
) -> None:
    q = read_questionnaire_xlsx(typed(form=replaced(FORM, 6, 4, word)), "p.xlsx", scale_set)
    assert q.questions[0].required is False


def test_questionnaire_xlsx_reports_each_problem_at_its_sheet_and_row(
    scale_set: CriteriaSet,
) -> None:
    form = replaced(replaced(FORM, 7, 4, "tùy"), 8, 1, "q1")
    answers = replaced(ANSWERS, 3, 0, 6)
    assert xlsx_errors(typed(form=form, answers=answers), scale_set) == [
        "phieu.xlsx[Phiếu]:8: Bắt buộc: must be yes or no (có/không)",
        "phieu.xlsx[Đáp án]:4: Mã: option '6' is not in the scale 1–5",
        "phieu.xlsx[Đáp án]:1: option(s) missing: 3",
        "phieu.xlsx[Phiếu]:9: Mã câu hỏi: duplicate question 'q1' (first at questions[0])",
        "phieu.xlsx[Phiếu]:6: question 'q2' is missing (used by 2.2)",
    ]
    assert xlsx_errors(typed(form=form, answers=answers), scale_set, "vi")[0] == (
        "phieu.xlsx[Phiếu]:8: Bắt buộc: phải là có hoặc không"
    )


def test_questionnaire_xlsx_reports_missing_rows_and_columns(scale_set: CriteriaSet) -> None:
    form = [FORM[1], FORM[3], [], ["STT", "Mã câu hỏi", "Phần"], *FORM[6:]]
    answers = [["Mã", "Tỉ lệ điểm"], *ANSWERS[1:]]
    assert xlsx_errors(typed(form=form, answers=answers), scale_set) == [
        "phieu.xlsx[Phiếu]: Mã phiếu: no 'Mã phiếu' row",
        "phieu.xlsx[Phiếu]: Nhóm: no 'Nhóm' row",
        "phieu.xlsx[Phiếu]:4: missing column(s): Nội dung",
        "phieu.xlsx[Đáp án]:1: missing column(s): Nhãn",
    ]


def test_questionnaire_xlsx_without_the_question_table_says_so(scale_set: CriteriaSet) -> None:
    errors = xlsx_errors(typed(form=FORM[:4]), scale_set)
    assert errors == [
        "phieu.xlsx[Phiếu]: no question table (a header row with a 'Mã câu hỏi' column)"
    ]


def test_questionnaire_xlsx_without_its_sheets_names_them(scale_set: CriteriaSet) -> None:
    assert xlsx_errors(workbook({"Sheet1": FORM}), scale_set) == [
        "phieu.xlsx: the 'Phiếu' sheet is missing",
        "phieu.xlsx: the 'Đáp án' sheet is missing",
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"code,label\n5,R\xe1\xba\xa5t h\xc3\xa0i l\xc3\xb2ng\n",
        b"PK\x03\x04broken zip",
        b"\x00" * 64,
    ],
    ids=["empty", "csv", "broken-zip", "zeros"],
)
def test_questionnaire_xlsx_broken_bytes_raise_input_error_not_tracebacks(
    scale_set: CriteriaSet, data: bytes
) -> None:
    errors = xlsx_errors(data, scale_set)
    assert len(errors) == 1
    assert errors[0].startswith("phieu.xlsx: not a readable XLSX workbook")


# ---------------------------------------------------------------- any text round-trips

TRICKY = st.sampled_from(
    ["yes", "no", "null", "~", "true", "NA", "1.10", "- gạch", "=1+1", "+84", "@sum", "# chú",
     "a: b", "[x]", "{y}", "'q'", '"dq"', "có; không", "Tỷ lệ ≥ 80%", "Dòng\nmới"]
)  # fmt: skip
TEXT = st.lists(
    st.one_of(TRICKY, st.text(alphabet="abcxyz AĐđƯươăâêôàảãáạệữ;()'=:,#-@+%→/&", min_size=1)),
    min_size=1,
    max_size=4,
).map(lambda parts: " ".join(parts).strip() or "x")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=TEXT, intro=TEXT, texts=st.lists(TEXT, min_size=3, max_size=3), label=TEXT)
def test_questionnaire_any_text_round_trips_through_yaml_and_xlsx(
    scale_set: CriteriaSet,
    draft: Questionnaire,
    title: str,
    intro: str,
    texts: list[str],
    label: str,
) -> None:
    q = dataclasses.replace(
        draft,
        title=title,
        intro=intro,
        questions=tuple(
            dataclasses.replace(question, text=text, section=label)
            for question, text in zip(draft.questions, texts, strict=True)
        ),
        personal=(PersonalField("address", label),),
    )
    assert read_questionnaire_yaml(questionnaire_yaml(q), "p.yaml", scale_set) == q
    assert read_questionnaire_xlsx(questionnaire_xlsx(q, scale_set), "p.xlsx", scale_set) == q
