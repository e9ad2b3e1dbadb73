"""Questionnaires as XLSX workbooks (`read_questionnaire_xlsx`, `questionnaire_xlsx`)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from python_calamine import CalamineWorkbook

from parindex.formats.problems import InputError, Problem
from parindex.formats.questionnaire.model import (
    AnswerOption,
    Found,
    PersonalField,
    Questionnaire,
    QuestionText,
    _check,
    _flag,
    _merge,
    _not_a_flag,
    _with_shares,
    normalise_label,
    questionnaire_leaves,
)
from parindex.formats.results import neutralise
from parindex.formats.tables import cell_text, unreadable_workbook
from parindex.scoring.messages import Message, msg
from parindex.scoring.model import CriteriaSet

FORM_SHEET = "Phiếu"
ANSWERS_SHEET = "Đáp án"
PERSONAL_SHEET = "Thông tin cá nhân"
HEAD_ROWS = (("code", "Mã phiếu"), ("title", "Tiêu đề"), ("group", "Nhóm"), ("intro", "Giới thiệu"))
HEAD_ALIASES = {
    "mã phiếu": "code",
    "tiêu đề": "title",
    "nhóm": "group",
    "nhóm đối tượng": "group",
    "giới thiệu": "intro",
}
QUESTION_HEADERS = ("STT", "Mã câu hỏi", "Nội dung", "Phần", "Bắt buộc", "Chỉ tiêu")
OPTION_HEADERS = ("Mã", "Nhãn", "Tỉ lệ điểm")
PERSONAL_HEADERS = ("Mã", "Nhãn", "Bắt buộc")
COLUMN_ALIASES: dict[str, dict[str, str]] = {
    "questions": {
        "mã câu hỏi": "code",
        "nội dung": "text",
        "câu hỏi": "text",
        "phần": "section",
        "bắt buộc": "required",
    },
    "options": {"mã": "code", "nhãn": "label"},
    "personal": {"mã": "code", "nhãn": "label", "bắt buộc": "required"},
}
REQUIRED_COLUMNS = {
    "questions": ("code", "text"),
    "options": ("code", "label"),
    "personal": ("code", "label"),
}
SHEET_OF = {"questions": FORM_SHEET, "options": ANSWERS_SHEET, "personal": PERSONAL_SHEET}
LABEL_OF = {
    "questions": {
        "code": "Mã câu hỏi",
        "text": "Nội dung",
        "section": "Phần",
        "required": "Bắt buộc",
    },
    "options": {"code": "Mã", "label": "Nhãn"},
    "personal": {"code": "Mã", "label": "Nhãn", "required": "Bắt buộc"},
}
_PATH = re.compile(r"([a-z]+)(?:\[(\d+)\])?(?:\.([a-z]+))?")
Row = dict[str, str]  # column key → cell text


class _XlsxReader:
    """Builds a questionnaire from the sheets' rows, remembering the row of every key path."""

    def __init__(self) -> None:
        self.found: Found = []
        self.head_rows: dict[str, int] = {}
        self.header_rows: dict[str, int] = {}
        self.rows: dict[str, list[int]] = {"questions": [], "options": [], "personal": []}

    def add(self, path: str, message: Message) -> None:
        self.found.append((path, message))

    def head(self, rows: list[list[str]]) -> tuple[Row, int | None]:
        """The key rows above the question table, and the index of the table's header row."""
        values: Row = {}
        for index, row in enumerate(rows):
            folded = [normalise_label(cell) for cell in row]
            if "mã câu hỏi" in folded:
                return values, index
            key = HEAD_ALIASES.get(folded[0]) if folded else None
            if key is not None and key not in values:
                values[key] = row[1] if len(row) > 1 else ""
                self.head_rows[key] = index + 1
        self.add(
            "questions",
            msg(
                "không thấy bảng câu hỏi (dòng tiêu đề có cột 'Mã câu hỏi')",
                "no question table (a header row with a 'Mã câu hỏi' column)",
            ),
        )
        return values, None

    def table(self, rows: list[list[str]], name: str, start: int | None) -> list[Row]:
        """The rows of one table whose header is at `start` (or the first non-empty row)."""
        if start is None:
            start = next((i for i, row in enumerate(rows) if any(row)), None)
        if start is None:
            return []
        self.header_rows[name] = start + 1
        aliases = COLUMN_ALIASES[name]
        columns: dict[str, int] = {}
        for col, cell in enumerate(rows[start]):
            key = aliases.get(normalise_label(cell))
            if key is not None:
                columns.setdefault(key, col)
        missing = [LABEL_OF[name][k] for k in REQUIRED_COLUMNS[name] if k not in columns]
        if missing:
            self.add(
                name,
                msg("thiếu cột: {c}", "missing column(s): {c}", c=", ".join(missing)),
            )
            return []
        read: list[Row] = []
        for index in range(start + 1, len(rows)):
            cells = {k: rows[index][c] if c < len(rows[index]) else "" for k, c in columns.items()}
            if any(cells.values()):
                self.rows[name].append(index + 1)
                read.append(cells)
        return read

    def flag(self, cells: Row, path: str) -> bool:
        value = _flag(cells.get("required", ""))
        if value is None:
            self.add(f"{path}.required", _not_a_flag())
            return False
        return value

    def questionnaire(
        self, form: list[list[str]], answers: list[list[str]], personal: list[list[str]]
    ) -> Questionnaire:
        head, start = self.head(form)
        for key, label in HEAD_ROWS[:3]:
            if key not in head:
                self.add(key, msg("thiếu dòng '{l}'", "no '{l}' row", l=label))
        questions = self.table(form, "questions", start) if start is not None else []
        return Questionnaire(
            code=head.get("code", ""),
            title=head.get("title", ""),
            group=head.get("group", ""),
            intro=head.get("intro", ""),
            options=tuple(
                AnswerOption(c.get("code", ""), c.get("label", ""), Decimal(0))
                for c in self.table(answers, "options", None)
            ),
            questions=tuple(
                QuestionText(
                    c["code"], c["text"], c.get("section", ""), self.flag(c, f"questions[{i}]")
                )
                for i, c in enumerate(questions)
            ),
            personal=tuple(
                PersonalField(c["code"], c["label"], self.flag(c, f"personal[{i}]"))
                for i, c in enumerate(self.table(personal, "personal", None))
            ),
        )

    def place(self, display: str, path: str | None, message: Message) -> Problem:
        """The problem at the sheet, row and column where `path` was read."""
        match = _PATH.fullmatch(path or "")
        if match is None:
            return Problem(display, message)
        name, index, field = match.groups()
        row: int | None
        if name in HEAD_ALIASES.values():
            sheet, row, label = FORM_SHEET, self.head_rows.get(name), dict(HEAD_ROWS)[name]
        else:
            sheet, label = SHEET_OF[name], LABEL_OF[name].get(field or "", "")
            rows = self.rows[name]
            if index is not None and int(index) < len(rows):
                row = rows[int(index)]
            else:
                row = self.header_rows.get(name)
        if label:
            message = Message(f"{label}: {message.vi}", f"{label}: {message.en}")
        return Problem(f"{display}[{sheet}]", message, line=row)


def _workbook_sheets(data: bytes, display: str) -> dict[str, list[list[str]]]:
    """The rows of every sheet, by normalised sheet name; InputError for unreadable bytes."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        return {
            normalise_label(name): [
                [cell_text(value) for value in row]
                for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            ]
            for name in book.sheet_names
        }
    except Exception as exc:  # calamine raises its own error types for every broken file
        raise unreadable_workbook(display, exc) from None


def read_questionnaire_xlsx(data: bytes, display: str, criteria: CriteriaSet) -> Questionnaire:
    """The questionnaire of a workbook, checked against `criteria`; InputError lists every
    problem at its sheet and row."""
    sheets = _workbook_sheets(data, display)
    missing = [s for s in (FORM_SHEET, ANSWERS_SHEET) if normalise_label(s) not in sheets]
    if missing:
        raise InputError(
            Problem(display, msg("thiếu trang tính '{s}'", "the '{s}' sheet is missing", s=s))
            for s in missing
        )
    reader = _XlsxReader()
    q = reader.questionnaire(
        sheets[normalise_label(FORM_SHEET)],
        sheets[normalise_label(ANSWERS_SHEET)],
        sheets.get(normalise_label(PERSONAL_SHEET), []),
    )
    q = _with_shares(q, criteria)
    found = _merge(reader.found, _check(q, criteria))
    if found:
        raise InputError(reader.place(display, path, m) for path, m in found)
    return q


class _Sheet:
    """Writes cells of one sheet: text always as text, guarded when it looks like a formula."""

    def __init__(self, book: Any, name: str, widths: tuple[int, ...]) -> None:
        self.sheet = book.add_worksheet(name)
        self.plain = book.add_format({"valign": "top", "text_wrap": True})
        self.guarded = book.add_format({"valign": "top", "text_wrap": True, "quote_prefix": True})
        self.bold = book.add_format({"bold": True, "bg_color": "#EEEEEE", "valign": "top"})
        self.share = book.add_format({"valign": "top", "num_format": "0.00"})
        for col, width in enumerate(widths):
            self.sheet.set_column(col, col, width)

    def text(self, row: int, col: int, value: str) -> None:
        # the cell is a string cell either way; the quote prefix keeps it text when edited
        guarded = neutralise(value) != value
        self.sheet.write_string(row, col, value, self.guarded if guarded else self.plain)

    def header(self, row: int, labels: Iterable[str]) -> None:
        for col, label in enumerate(labels):
            self.sheet.write_string(row, col, label, self.bold)


def _yes_no(value: bool) -> str:
    return "có" if value else "không"


def questionnaire_xlsx(q: Questionnaire, criteria: CriteriaSet) -> bytes:
    """The questionnaire as a workbook (`Phiếu`, `Đáp án`, `Thông tin cá nhân`)."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    _write_form(_Sheet(book, FORM_SHEET, (12, 14, 70, 30, 10, 20)), q, criteria)
    _write_options(_Sheet(book, ANSWERS_SHEET, (8, 30, 12)), q)
    _write_personal(_Sheet(book, PERSONAL_SHEET, (16, 30, 10)), q)
    book.close()
    return buffer.getvalue()


def _write_form(cells: _Sheet, q: Questionnaire, criteria: CriteriaSet) -> None:
    head = {"code": q.code, "title": q.title, "group": q.group, "intro": q.intro}
    for row, (key, label) in enumerate(HEAD_ROWS):
        cells.sheet.write_string(row, 0, label, cells.bold)
        cells.text(row, 1, head[key])
    group = criteria.survey.group(q.group) if criteria.survey is not None else None
    if group is not None:
        cells.text(2, 2, group.label)
    start = len(HEAD_ROWS) + 1
    cells.header(start, QUESTION_HEADERS)
    leaves = questionnaire_leaves(q, criteria)
    for i, question in enumerate(q.questions):
        row = start + 1 + i
        cells.sheet.write_number(row, 0, i + 1, cells.plain)
        cells.text(row, 1, question.code)
        cells.text(row, 2, question.text)
        cells.text(row, 3, question.section)
        cells.text(row, 4, _yes_no(question.required))
        cells.text(row, 5, ", ".join(leaves.get(question.code, ())))
    cells.sheet.freeze_panes(start + 1, 0)


def _write_options(cells: _Sheet, q: Questionnaire) -> None:
    cells.header(0, OPTION_HEADERS)
    for row, option in enumerate(q.options, start=1):
        cells.text(row, 0, option.code)
        cells.text(row, 1, option.label)
        cells.sheet.write_number(row, 2, float(option.share), cells.share)


def _write_personal(cells: _Sheet, q: Questionnaire) -> None:
    cells.header(0, PERSONAL_HEADERS)
    for row, field in enumerate(q.personal, start=1):
        cells.text(row, 0, field.code)
        cells.text(row, 1, field.label)
        cells.text(row, 2, _yes_no(field.required))
