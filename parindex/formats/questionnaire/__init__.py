"""Questionnaires (*phiếu khảo sát*): the questions one respondent group is asked, as files.

A questionnaire belongs to one criteria set and one respondent group of its `survey.groups`.
Its questions are the question codes that the set's survey leaves of that group use; its
answer options are the set's (one per integer of `survey.scale`, or one per code of
`survey.answers`), the same for every question, best first. The share of the question's
points each option earns is always computed from the set, never read from a file.

YAML (`questionnaire_yaml` / `read_questionnaire_yaml`)::

    questionnaire:
      code: pks-nguoi-dan-2024
      title: Phiếu khảo sát sự hài lòng của người dân
      group: nguoi_dan                # a code of the set's survey.groups
      intro: "Xin ông/bà vui lòng ..."   # optional
      options:                        # scale: one per integer; named: one per answer code
        - {code: "5", label: Rất hài lòng}
        - {code: "4", label: Hài lòng}
      questions:                      # section and required are optional
        - {code: q1, text: "...", section: "...", required: false}
      personal:                       # optional, usually empty
        - {code: phone, label: Số điện thoại, required: false}

An option may carry `share:` (it is ignored). Problems are reported at their key path from
the document root (`questionnaire.questions[3].code`) with the line.

XLSX (`questionnaire_xlsx` / `read_questionnaire_xlsx`), three sheets:

- `Phiếu`: `Mã phiếu`, `Tiêu đề`, `Nhóm`, `Giới thiệu` in column A with their value in B
  (the group's label is written in C, as a note), a blank row, then the table
  `STT | Mã câu hỏi | Nội dung | Phần | Bắt buộc | Chỉ tiêu`; `Chỉ tiêu` (the leaves the
  question feeds) and `STT` are written on export and ignored on import.
- `Đáp án`: `Mã | Nhãn | Tỉ lệ điểm` (the share, written on export, ignored on import).
- `Thông tin cá nhân` (optional on import): `Mã | Nhãn | Bắt buộc`.

`Bắt buộc` reads có/không/x/yes/no/1/0/true/false, blank = không. Problems are reported at
sheet and row: `FILE[Phiếu]:8: Mã câu hỏi: ...`.

`questionnaire_problems` holds the rules both readers apply (and the web app applies to a
questionnaire edited in a form); its paths are relative to the questionnaire
(`questions[3].code`).
"""

from __future__ import annotations

from parindex.formats.questionnaire.model import (
    AnswerOption,
    PersonalField,
    Questionnaire,
    QuestionText,
    answer_options,
    draft_questionnaire,
    normalise_label,
    questionnaire_leaves,
    questionnaire_problems,
)
from parindex.formats.questionnaire.xlsx_file import (
    ANSWERS_SHEET,
    FORM_SHEET,
    PERSONAL_SHEET,
    questionnaire_xlsx,
    read_questionnaire_xlsx,
)
from parindex.formats.questionnaire.yaml_file import questionnaire_yaml, read_questionnaire_yaml

__all__ = [
    "ANSWERS_SHEET",
    "FORM_SHEET",
    "PERSONAL_SHEET",
    "AnswerOption",
    "PersonalField",
    "QuestionText",
    "Questionnaire",
    "answer_options",
    "draft_questionnaire",
    "normalise_label",
    "questionnaire_leaves",
    "questionnaire_problems",
    "questionnaire_xlsx",
    "questionnaire_yaml",
    "read_questionnaire_xlsx",
    "read_questionnaire_yaml",
]
