"""Criteria sets as workbooks in the layout Vietnamese provincial sheets use.

Sheet 1 (`Tiêu chí`) holds the tree, one row per node, in depth-first order:

    STT   | Nội dung                         | Điểm tối đa | Nguồn | Quy tắc        | ...
    1     | Công tác chỉ đạo, điều hành CCHC | 12          |       |                |
    1.1.1 | Ban hành kế hoạch CCHC năm       | 1           | self  | choice: ...    | ...

then `Tài liệu kiểm chứng` and `Cơ quan thẩm định`. `STT` is the node code; a node's parent
is the nearest row above whose code is a dotted prefix
of it (`1.1` is the parent of `1.1.1`). Optional columns: `Loại` (bonus/penalty of a
top-level node), `Không phát sinh` (a leaf's own not-applicable policy) and `Cấp` (the level,
1 for a field, written only when the codes are not dotted, and then it wins over the codes).
A `Cơ quan thẩm định` on a group row applies to every leaf below it that names none.

`Quy tắc` is the rule in one line (see `rule_text`):

    choice: dung_han=1 (Đúng hạn); cham=0.5 (Chậm); khong=0
    boolean: có=1; không=0
    brackets: >=100%:2; >=80%:1
    ratio (mẫu số 0: na)                  full | zero | na
    deduction: 0.25
    manual: 0.25                          or just: manual
    survey: q1, q2 [cbccvc, nguoi_dan]    groups optional
    data: ontime_rate → brackets: >=95%:1; >=90%:0.5      or: data: rate → ratio (mẫu số 0: na)

Sheet 2 (`Thiết lập`) holds the set-level keys, one per row (`Khóa`, `Giá trị`...): the
scalars (`code`, `title`, `year`, `unit_group`, `max_points`, `decimals`, `not_applicable`,
`index_bounds.min`, `index_bounds.max`, `survey.scale.min`, `survey.scale.max`,
`survey.min_sample`, `survey.no_data`) and one row per list item, the item's fields in the
next columns (`classes`: code, label, min; `caps`: metric, op, value, max_class, reason;
`survey.groups`: code, label, weight; `survey.questions`: code, text; `survey.answers`: code,
share). Rows with an empty first cell are notes and are skipped.

Reading builds the same data the YAML file would hold and runs the YAML checker on it, so a
workbook is held to exactly the rules of a YAML file; each problem is reported at its sheet,
row and column: `FILE[Tiêu chí]:12: Quy tắc: ...`.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from parindex.formats.criteria import check_criteria_data
from parindex.formats.criteria_yaml import number_text
from parindex.formats.problems import InputError, Problem
from parindex.formats.tables import cell_text, unreadable_workbook
from parindex.formats.yamltree import YamlDocument
from parindex.scoring.messages import Message, msg
from parindex.scoring.model import (
    BooleanRule,
    BracketsRule,
    ChoiceRule,
    CriteriaSet,
    DataRule,
    DeductionRule,
    ManualRule,
    Node,
    NodeKind,
    RatioRule,
    Rule,
    SurveyRule,
)

__all__ = [
    "SETTINGS_SHEET",
    "TREE_SHEET",
    "criteria_from_xlsx",
    "criteria_to_xlsx",
    "parse_rule_text",
    "rule_text",
]

TREE_SHEET = "Tiêu chí"
SETTINGS_SHEET = "Thiết lập"

# (header, key): the columns of the tree sheet, in the order they are written.
TREE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("STT", "code"),
    ("Nội dung", "title"),
    ("Điểm tối đa", "max"),
    ("Nguồn", "source"),
    ("Quy tắc", "rule"),
    ("Tài liệu kiểm chứng", "evidence"),
    ("Cơ quan thẩm định", "appraiser"),
    ("Loại", "kind"),
    ("Không phát sinh", "not_applicable"),
    ("Cấp", "level"),
)
HEADER_OF = {key: header for header, key in TREE_COLUMNS}
REQUIRED_COLUMNS = ("code", "title", "max", "source", "rule")
# Other names accepted for the columns (compared after NFC and casefold).
COLUMN_ALIASES = {
    "stt": "code",
    "mã": "code",
    "code": "code",
    "nội dung": "title",
    "tiêu chí": "title",
    "title": "title",
    "điểm tối đa": "max",
    "điểm": "max",
    "max": "max",
    "nguồn": "source",
    "source": "source",
    "quy tắc": "rule",
    "cách chấm": "rule",
    "rule": "rule",
    "tài liệu kiểm chứng": "evidence",
    "evidence": "evidence",
    "cơ quan thẩm định": "appraiser",
    "appraiser": "appraiser",
    "loại": "kind",
    "kind": "kind",
    "không phát sinh": "not_applicable",
    "not_applicable": "not_applicable",
    "cấp": "level",
    "level": "level",
}
SOURCE_ALIASES = {
    "tự đánh giá": "self",
    "điều tra xã hội học": "survey",
    "điều tra xhh": "survey",
    "điều tra": "survey",
    "khảo sát": "survey",
    "dữ liệu": "data",
}
KIND_ALIASES = {
    "điểm thưởng": "bonus",
    "thưởng": "bonus",
    "điểm trừ": "penalty",
    "trừ": "penalty",
    "normal": "normal",
}

SETTINGS_SCALARS = (
    "code",
    "title",
    "year",
    "unit_group",
    "max_points",
    "decimals",
    "not_applicable",
    "index_bounds.min",
    "index_bounds.max",
    "survey.scale.min",
    "survey.scale.max",
    "survey.min_sample",
    "survey.no_data",
)
SETTINGS_LISTS: dict[str, tuple[str, ...]] = {
    "classes": ("code", "label", "min"),
    "caps": ("metric", "op", "value", "max_class", "reason"),
    "survey.answers": ("code", "share"),
    "survey.groups": ("code", "label", "weight"),
    "survey.questions": ("code", "text"),
}
_ZERO_DENOMINATOR_WORDS = ("mẫu số 0", "mau so 0", "zero denominator", "zero_denominator")


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


# ================================================================ rules as one line


def rule_text(rule: Rule) -> str:
    """A leaf's rule in the one-line form of the `Quy tắc` column."""
    if isinstance(rule, ChoiceRule):
        items = [
            f"{o.code}={number_text(o.points)}{_label_text(o.label, o.code)}" for o in rule.options
        ]
        return "choice: " + "; ".join(items)
    if isinstance(rule, BooleanRule):
        return f"boolean: có={number_text(rule.yes)}; không={number_text(rule.no)}"
    if isinstance(rule, BracketsRule):
        return "brackets: " + _brackets_text(rule)
    if isinstance(rule, RatioRule):
        return f"ratio (mẫu số 0: {rule.zero_denominator.value})"
    if isinstance(rule, DeductionRule):
        return f"deduction: {number_text(rule.per)}"
    if isinstance(rule, ManualRule):
        return "manual" if rule.step is None else f"manual: {number_text(rule.step)}"
    if isinstance(rule, SurveyRule):
        groups = f" [{', '.join(rule.groups)}]" if rule.groups else ""
        return f"survey: {', '.join(rule.questions)}{groups}"
    if isinstance(rule, DataRule):
        return f"data: {rule.metric} → {rule_text(rule.then)}"
    raise TypeError(f"unknown rule {rule!r}")  # pragma: no cover - Rule is a closed union


def _label_text(label: str, code: str) -> str:
    if label == code:
        return ""
    depth = 0
    for char in label:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            break
    if depth == 0 and '"' not in label:
        return f" ({label})"
    return ' "' + label.replace('"', '""') + '"'


def _brackets_text(rule: BracketsRule) -> str:
    mins = [b.min for b in rule.brackets]
    percent = all(0 <= m <= 1 for m in mins) and any(m != m.to_integral_value() for m in mins)

    def low(value: Decimal) -> str:
        return number_text(value * 100) + "%" if percent else number_text(value)

    return "; ".join(f">={low(b.min)}:{number_text(b.points)}" for b in rule.brackets)


class RuleTextError(ValueError):
    def __init__(self, message: Message) -> None:
        super().__init__(message.en)
        self.message = message


_HEAD = re.compile(r"\s*([^\W\d][\w]*)\s*(.*)\Z", re.DOTALL)
_ITEM = re.compile(r"\s*([^=;\s]+)\s*=\s*([^\s(\"]+)\s*(.*)\Z", re.DOTALL)
_BRACKET = re.compile(r"\s*(?:>=|≥)?\s*([^:]+?)\s*:\s*(.+?)\s*\Z", re.DOTALL)
_ARROW = re.compile(r"\s*(?:→|->)\s*")
_RULE_TYPES = ("choice", "boolean", "brackets", "ratio", "deduction", "manual", "survey", "data")
_YES = {"có", "co", "yes", "1", "true", "đạt"}
_NO = {"không", "khong", "no", "0", "false", "không đạt"}


def parse_rule_text(text: str) -> dict[str, Any]:
    """The one-line rule → the YAML `rule` mapping (numbers left as text for the checker).

    Raises RuleTextError with a bilingual message when the line cannot be read.
    """
    match = _HEAD.match(text)
    if match is None:
        raise _rule_error(text)
    kind, rest = match.group(1).lower(), match.group(2).strip()
    if kind not in _RULE_TYPES:
        raise RuleTextError(
            msg(
                "loại quy tắc '{t}' không hợp lệ (một trong: {a})",
                "unknown rule type '{t}' (one of: {a})",
                t=match.group(1),
                a=", ".join(_RULE_TYPES),
            )
        )
    if kind == "ratio":
        return _ratio(rest)
    if kind == "manual" and not rest:
        return {"type": "manual"}
    if not rest.startswith(":"):
        raise RuleTextError(
            msg(
                "sau '{t}' cần dấu ':' và nội dung, ví dụ: {e}",
                "'{t}' needs ':' and its details, e.g. {e}",
                t=kind,
                e=_EXAMPLES[kind],
            )
        )
    body = rest[1:].strip()
    if kind == "choice":
        return {"type": "choice", "options": [_option(item) for item in _split(body)]}
    if kind == "boolean":
        return _boolean(body)
    if kind == "brackets":
        return {"type": "brackets", "brackets": _brackets(body)}
    if kind in ("deduction", "manual"):
        key = "per" if kind == "deduction" else "step"
        return {"type": kind, key: body} if body else {"type": kind}
    if kind == "survey":
        return _survey(body)
    return _data(body)


_EXAMPLES = {
    "choice": "choice: dung_han=1 (Đúng hạn); cham=0.5 (Chậm); khong=0",
    "boolean": "boolean: có=1; không=0",
    "brackets": "brackets: >=100%:2; >=80%:1",
    "ratio": "ratio (mẫu số 0: na)",
    "deduction": "deduction: 0.25",
    "manual": "manual: 0.25",
    "survey": "survey: q1, q2 [cbccvc, nguoi_dan]",
    "data": "data: ontime_rate → brackets: >=95%:1; >=90%:0.5",
}


def _rule_error(text: str) -> RuleTextError:
    return RuleTextError(
        msg("không đọc được quy tắc '{t}'", "cannot read the rule '{t}'", t=text.strip())
    )


def _split(body: str) -> list[str]:
    """`a; b (x; y); "c;d"` → items split at `;` outside parentheses and double quotes."""
    items: list[str] = []
    current: list[str] = []
    depth = 0
    quoted = False
    for char in body:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "(":
            depth += 1
        elif not quoted and char == ")" and depth:
            depth -= 1
        elif char == ";" and not quoted and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    found = [item.strip() for item in items if item.strip()]
    if not found:
        raise RuleTextError(msg("quy tắc không có mục nào", "the rule lists nothing"))
    return found


def _option(item: str) -> dict[str, Any]:
    match = _ITEM.match(item)
    if match is None:
        raise RuleTextError(
            msg(
                "phương án '{i}' phải có dạng mã=điểm (nhãn)",
                "option '{i}' must read code=points (label)",
                i=item,
            )
        )
    code, points, label_text = match.groups()
    option: dict[str, Any] = {"code": code, "points": points}
    label = _label(label_text.strip(), item)
    if label is not None:
        option["label"] = label
    return option


def _label(text: str, item: str) -> str | None:
    if not text:
        return None
    if text.startswith("(") and text.endswith(")"):
        return text[1:-1].strip()
    if len(text) >= 2 and text.startswith('"') and text.endswith('"'):
        return text[1:-1].replace('""', '"').strip()
    raise RuleTextError(
        msg(
            "nhãn của phương án '{i}' phải nằm trong ngoặc: mã=điểm (nhãn)",
            "the label of option '{i}' must be in parentheses: code=points (label)",
            i=item,
        )
    )


def _boolean(body: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "boolean"}
    for item in _split(body):
        key, sep, points = item.partition("=")
        word = _fold(key)
        if not sep or word not in _YES | _NO:
            raise RuleTextError(
                msg(
                    "mục '{i}' phải có dạng có=điểm hoặc không=điểm",
                    "item '{i}' must read có=points or không=points (yes/no)",
                    i=item,
                )
            )
        rule["yes" if word in _YES else "no"] = points.strip()
    return rule


def _brackets(body: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for item in _split(body):
        match = _BRACKET.match(item)
        if match is None:
            raise RuleTextError(
                msg(
                    "khoảng '{i}' phải có dạng >=ngưỡng:điểm, ví dụ >=80%:1",
                    "bracket '{i}' must read >=threshold:points, e.g. >=80%:1",
                    i=item,
                )
            )
        found.append({"min": match.group(1), "points": match.group(2)})
    return found


def _ratio(rest: str) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "ratio"}
    if not rest:
        return rule
    inner = rest[1:-1] if rest.startswith("(") and rest.endswith(")") else rest.lstrip(":")
    words, sep, policy = inner.partition(":")
    if not sep:
        words, sep, policy = inner.partition("=")
    if not sep or _fold(words) not in _ZERO_DENOMINATOR_WORDS or not policy.strip():
        raise RuleTextError(
            msg(
                "quy tắc ratio chỉ ghi thêm (mẫu số 0: full|zero|na), không phải '{r}'",
                "a ratio rule takes only (mẫu số 0: full|zero|na), not '{r}'",
                r=rest,
            )
        )
    rule["zero_denominator"] = policy.strip()
    return rule


def _survey(body: str) -> dict[str, Any]:
    groups: list[str] = []
    if body.endswith("]"):
        start = body.rfind("[")
        if start < 0:
            raise _rule_error(body)
        groups = [g.strip() for g in body[start + 1 : -1].split(",") if g.strip()]
        body = body[:start]
    questions = [q.strip() for q in body.split(",") if q.strip()]
    rule: dict[str, Any] = {"type": "survey", "questions": questions}
    if groups:
        rule["groups"] = groups
    return rule


def _data(body: str) -> dict[str, Any]:
    parts = _ARROW.split(body, maxsplit=1)
    if len(parts) != 2 or not parts[0].strip():
        raise RuleTextError(
            msg(
                "quy tắc data phải có dạng: data: chỉ_số → brackets: ... hoặc → ratio",
                "a data rule must read: data: metric → brackets: ... or → ratio",
            )
        )
    then = parse_rule_text(parts[1])
    if then["type"] not in ("brackets", "ratio"):
        raise RuleTextError(
            msg(
                "sau '→' của quy tắc data chỉ có brackets hoặc ratio, không phải '{t}'",
                "a data rule's '→' leads to brackets or ratio, not '{t}'",
                t=then["type"],
            )
        )
    return {"type": "data", "metric": parts[0].strip(), "then": then}


# ================================================================ writing


def _inferred_depths(codes: list[str]) -> list[int]:
    """The depth of each code when parents are found by dotted prefixes, as the reader does."""
    stack: list[str] = []
    depths: list[int] = []
    for code in codes:
        while stack and not code.startswith(stack[-1] + "."):
            stack.pop()
        depths.append(len(stack))
        stack.append(code)
    return depths


def _walk(nodes: tuple[Node, ...], depth: int = 0) -> Iterator[tuple[Node, int]]:
    for node in nodes:
        yield node, depth
        yield from _walk(node.children, depth + 1)


class _Cells:
    """Writes cells: text always as text (no formula ever runs), exact numbers as numbers.

    Text that a spreadsheet would take for a formula (= + - @) is a string cell with the
    quote prefix, so that editing it in Excel keeps it text.
    """

    def __init__(self, book: Any, sheet: Any) -> None:
        self.book = book
        self.sheet = sheet
        self.formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def style(self, **props: Any) -> Any:
        key = tuple(sorted(props.items()))
        if key not in self.formats:
            self.formats[key] = self.book.add_format(props)
        return self.formats[key]

    def text(self, row: int, col: int, value: str, **props: Any) -> None:
        if value[:1] in ("=", "+", "-", "@"):
            props["quote_prefix"] = True
        self.sheet.write_string(row, col, value, self.style(valign="top", text_wrap=True, **props))

    def number(self, row: int, col: int, value: Decimal | int, **props: Any) -> None:
        if isinstance(value, int) or Decimal(repr(float(value))) == value:
            self.sheet.write_number(row, col, float(value), self.style(valign="top", **props))
        else:  # more digits than a spreadsheet number keeps: written as text, read back exactly
            self.text(row, col, number_text(value), **props)

    def value(self, row: int, col: int, value: Any, **props: Any) -> None:
        if value is None or value == "":
            return
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            self.number(row, col, value, **props)
        else:
            self.text(row, col, str(value), **props)


_HEADER_STYLE = {"bold": True, "bg_color": "#EEEEEE"}


def criteria_to_xlsx(criteria: CriteriaSet) -> bytes:
    """The set as a workbook: the tree sheet, then the `Thiết lập` sheet."""
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
    _write_tree(_Cells(book, book.add_worksheet(TREE_SHEET)), criteria)
    _write_settings(_Cells(book, book.add_worksheet(SETTINGS_SHEET)), criteria)
    book.close()
    return buffer.getvalue()


_WIDTHS = {"code": 8, "title": 60, "max": 10, "source": 9, "rule": 50, "evidence": 40}


def _write_tree(cells: _Cells, criteria: CriteriaSet) -> None:
    sheet = cells.sheet
    rows = list(_walk(criteria.nodes))
    with_level = _inferred_depths([n.code for n, _ in rows]) != [depth for _, depth in rows]
    columns = [key for _, key in TREE_COLUMNS if key != "level" or with_level]
    for col, key in enumerate(columns):
        cells.text(0, col, HEADER_OF[key], **_HEADER_STYLE)
        sheet.set_column(col, col, _WIDTHS.get(key, 14))
    for r, (node, depth) in enumerate(rows, start=1):
        values: dict[str, Any] = {
            "code": node.code,
            "title": node.title,
            "max": node.max,
            "level": depth + 1,
        }
        if node.kind is not NodeKind.NORMAL and depth == 0:
            values["kind"] = node.kind.value
        if node.is_leaf:
            values["source"] = node.source.value if node.source else None
            values["rule"] = rule_text(node.rule) if node.rule else None
            values["evidence"] = node.evidence
            values["appraiser"] = node.appraiser
            values["not_applicable"] = node.not_applicable.value if node.not_applicable else None
        for col, key in enumerate(columns):
            props: dict[str, Any] = {"bold": True} if not depth and not node.is_leaf else {}
            if key == "title" and depth:
                props["indent"] = depth
            cells.value(r, col, values.get(key), **props)
    sheet.freeze_panes(1, 2)


def _write_settings(cells: _Cells, criteria: CriteriaSet) -> None:
    sheet = cells.sheet
    sheet.set_column(0, 0, 20)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 5, 20)
    cells.text(0, 0, "Khóa", **_HEADER_STYLE)
    cells.text(0, 1, "Giá trị", **_HEADER_STYLE)
    row = 1

    def scalar(key: str, value: Any) -> None:
        nonlocal row
        cells.text(row, 0, key)
        cells.value(row, 1, value)
        row += 1

    def items(key: str, records: list[tuple[Any, ...]]) -> None:
        nonlocal row
        if not records:
            return
        for col, name in enumerate(SETTINGS_LISTS[key], start=1):  # a note row: first cell empty
            cells.text(row, col, name, italic=True, font_color="#666666")
        row += 1
        for record in records:
            cells.text(row, 0, key)
            for col, value in enumerate(record, start=1):
                cells.value(row, col, value)
            row += 1

    scalar("code", criteria.code)
    scalar("title", criteria.title)
    scalar("year", criteria.year)
    scalar("unit_group", criteria.unit_group)
    scalar("max_points", criteria.max_points)
    scalar("decimals", criteria.decimals)
    scalar("not_applicable", criteria.not_applicable.value)
    scalar("index_bounds.min", criteria.index_bounds.min)
    scalar("index_bounds.max", criteria.index_bounds.max)
    items("classes", [(c.code, c.label, c.min) for c in criteria.classes])
    items("caps", [(c.metric, c.op, c.value, c.max_class, c.reason) for c in criteria.caps])
    survey = criteria.survey
    if survey is None:
        return
    if survey.scale is not None:
        scalar("survey.scale.min", survey.scale.min)
        scalar("survey.scale.max", survey.scale.max)
    scalar("survey.min_sample", survey.min_sample)
    scalar("survey.no_data", survey.no_data.value)
    if survey.answers is not None:
        items("survey.answers", list(survey.answers.items()))
    items("survey.groups", [(g.code, g.label, g.weight) for g in survey.groups])
    items("survey.questions", list(survey.questions.items()))


# ================================================================ reading


@dataclass
class _Where:
    """Where each key path of the built data came from: (sheet, row, column label)."""

    places: dict[str, tuple[str, int | None, str]] = field(default_factory=dict)

    def put(self, path: str, sheet: str, row: int | None, label: str) -> None:
        self.places.setdefault(path, (sheet, row, label))

    def find(self, path: str) -> tuple[str, int | None, str] | None:
        while path:
            if path in self.places:
                return self.places[path]
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""
        return None


_NODE_PATH = re.compile(r"(nodes\[\d+\](?:\.children\[\d+\])*)(?:\.([a-z_]+)(.*))?\Z")


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[Problem] = []
        self.where = _Where()
        self.bad_rules: set[str] = set()  # node paths whose rule text could not be read
        self.tree_unreadable = False  # the tree sheet's header is wrong: no node was read

    def add(self, sheet: str, row: int | None, label: str, message: Message) -> None:
        text = Message(f"{label}: {message.vi}", f"{label}: {message.en}") if label else message
        self.problems.append(Problem(f"{self.name}[{sheet}]", text, line=row))

    # ------------------------------------------------------------ the tree sheet

    def tree(self, rows: list[list[str]]) -> list[dict[str, Any]]:
        header_index = next((i for i, row in enumerate(rows) if any(row)), None)
        if header_index is None:
            self.add(TREE_SHEET, None, "", msg("trang tính rỗng", "the sheet is empty"))
            self.tree_unreadable = True
            return []
        columns: dict[str, int] = {}
        for col, cell in enumerate(rows[header_index]):
            key = COLUMN_ALIASES.get(_fold(cell))
            if key is None:
                continue
            if key in columns:
                self.add(
                    TREE_SHEET,
                    header_index + 1,
                    "",
                    msg("cột bị lặp lại: {c}", "duplicate column: {c}", c=cell),
                )
            columns.setdefault(key, col)
        missing = [HEADER_OF[key] for key in REQUIRED_COLUMNS if key not in columns]
        if missing:
            self.add(
                TREE_SHEET,
                header_index + 1,
                "",
                msg(
                    "thiếu cột bắt buộc: {c}",
                    "missing required column(s): {c}",
                    c=", ".join(missing),
                ),
            )
            self.tree_unreadable = True
            return []
        top: list[dict[str, Any]] = []
        stack: list[tuple[str, int, dict[str, Any], str]] = []  # (code, level, data, path)
        cells_of: list[tuple[int, dict[str, str], dict[str, Any], str]] = []
        for index in range(header_index + 1, len(rows)):
            raw = rows[index]
            line = index + 1
            cells = {
                key: raw[col].strip() if col < len(raw) else "" for key, col in columns.items()
            }
            if not any(cells.values()):
                continue
            code = cells["code"]
            level = self.level(cells.get("level", ""), line, len(stack))
            if level is not None:
                del stack[level - 1 :]
            elif code:
                while stack and not code.startswith(stack[-1][0] + "."):
                    stack.pop()
            data: dict[str, Any] = {}
            if stack:
                parent = stack[-1]
                children = parent[2].setdefault("children", [])
                path = f"{parent[3]}.children[{len(children)}]"
                children.append(data)
            else:
                path = f"nodes[{len(top)}]"
                top.append(data)
            self.where.put(path, TREE_SHEET, line, "")
            for key in columns:
                if key != "level":
                    self.where.put(f"{path}.{key}", TREE_SHEET, line, HEADER_OF[key])
            if code or level is not None:
                stack.append((code, len(stack) + 1, data, path))
            cells_of.append((line, cells, data, path))
        for line, cells, data, path in cells_of:
            self.node(line, cells, data, path)
        for node in top:
            _inherit_appraiser(node, None)
        return top

    def level(self, text: str, line: int, open_levels: int) -> int | None:
        if not text:
            return None
        level = int(text) if text.isdecimal() else 0
        if level < 1:
            self.add(
                TREE_SHEET,
                line,
                HEADER_OF["level"],
                msg("cấp phải là số nguyên từ 1", "the level must be a whole number from 1"),
            )
            return None
        if level > open_levels + 1:
            self.add(
                TREE_SHEET,
                line,
                HEADER_OF["level"],
                msg(
                    "cấp {l} nhưng dòng trên chỉ ở cấp {o}",
                    "level {l} but the row above is only at level {o}",
                    l=level,
                    o=open_levels,
                ),
            )
            return open_levels + 1
        return level

    def node(self, line: int, cells: dict[str, str], data: dict[str, Any], path: str) -> None:
        group = "children" in data
        content: dict[str, Any] = {}
        for key in ("code", "title", "max"):
            if cells.get(key):
                content[key] = cells[key]
        if "title" not in content:
            content["title"] = ""  # an untitled node is allowed, as in YAML
        kind = cells.get("kind", "")
        if kind:
            content["kind"] = KIND_ALIASES.get(_fold(kind), kind)
        source = cells.get("source", "")
        if source:
            content["source"] = SOURCE_ALIASES.get(_fold(source), source)
        if cells.get("not_applicable"):
            content["not_applicable"] = cells["not_applicable"]
        if cells.get("appraiser"):
            content["appraiser"] = cells["appraiser"]
        evidence = cells.get("evidence", "")
        if evidence and group:
            self.add(
                TREE_SHEET,
                line,
                HEADER_OF["evidence"],
                msg(
                    "tài liệu kiểm chứng ghi ở tiêu chí lá, không ghi ở nhóm có tiêu chí con",
                    "evidence belongs to leaves, not to a node with children",
                ),
            )
        elif evidence:
            content["evidence"] = evidence
        rule = cells.get("rule", "")
        if rule:
            if group:
                content["rule"] = rule  # the checker says a group has no rule
            else:
                try:
                    content["rule"] = parse_rule_text(rule)
                except RuleTextError as exc:
                    self.add(TREE_SHEET, line, HEADER_OF["rule"], exc.message)
                    self.bad_rules.add(path)
        children = data.pop("children", None)
        data.update(content)
        if children is not None:
            data["children"] = children

    # ------------------------------------------------------------ the settings sheet

    def settings(self, rows: list[list[str]]) -> dict[str, Any]:
        data: dict[str, Any] = {}
        seen: dict[str, int] = {}
        sheet = SETTINGS_SHEET
        answers_seen: set[str] = set()
        for index, raw in enumerate(rows):
            line = index + 1
            key = _fold(raw[0]) if raw else ""
            if not key or (index == 0 and key in ("khóa", "key")):
                continue
            values = [cell.strip() for cell in raw[1:]]
            if key in SETTINGS_SCALARS:
                if key in seen:
                    self.add(
                        sheet,
                        line,
                        key,
                        msg(
                            "khóa bị lặp lại (đã có ở dòng {r})",
                            "duplicate key (first at row {r})",
                            r=seen[key],
                        ),
                    )
                    continue
                seen[key] = line
                value = values[0] if values and values[0] else None
                _put(data, key, "" if value is None and key == "title" else value)
                self.mark(key, line)
            elif key in SETTINGS_LISTS:
                names = SETTINGS_LISTS[key]
                record = {
                    name: values[i] for i, name in enumerate(names) if i < len(values) and values[i]
                }
                extra = [v for v in values[len(names) :] if v]
                if extra:
                    self.add(
                        sheet,
                        line,
                        key,
                        msg(
                            "thừa ô: {x} (các cột là: {n})",
                            "extra cells: {x} (the columns are: {n})",
                            x=", ".join(extra),
                            n=", ".join(names),
                        ),
                    )
                if key == "survey.answers":
                    self.answer(data, record, line, answers_seen)
                    continue
                listed = _get_list(data, key)
                self.mark(f"{key}[{len(listed)}]", line)
                for name in names:
                    self.where.put(f"{key}[{len(listed)}].{name}", sheet, line, f"{key}.{name}")
                listed.append(record)
            else:
                self.add(
                    sheet,
                    line,
                    raw[0].strip(),
                    msg(
                        "khóa không hợp lệ (được dùng: {a})",
                        "unknown key (allowed: {a})",
                        a=", ".join((*SETTINGS_SCALARS, *SETTINGS_LISTS)),
                    ),
                )
        return data

    def answer(
        self, data: dict[str, Any], record: dict[str, str], line: int, seen: set[str]
    ) -> None:
        code = record.get("code", "")
        if not code or code in seen:
            self.add(
                SETTINGS_SHEET,
                line,
                "survey.answers",
                msg("thiếu mã phương án", "the answer code is missing")
                if not code
                else msg("phương án '{c}' bị trùng", "duplicate answer '{c}'", c=code),
            )
            return
        seen.add(code)
        answers = data.setdefault("survey", {}).setdefault("answers", {})
        answers[code] = record.get("share")
        self.mark(f"survey.answers.{code}", line, label="survey.answers")

    def mark(self, path: str, line: int, label: str | None = None) -> None:
        """Record the row of a key path and of each of its enclosing keys not yet placed."""
        self.where.put(path, SETTINGS_SHEET, line, label or re.sub(r"\[\d+\]", "", path))
        parent = path
        while True:
            cut = max(parent.rfind("."), parent.rfind("["))
            if cut <= 0:
                break
            parent = parent[:cut]
            self.where.put(parent, SETTINGS_SHEET, line, re.sub(r"\[\d+\]", "", parent))

    # ------------------------------------------------------------ the checker's problems

    def place(self, problem: Problem) -> None:
        path = problem.path or ""
        if self.tree_unreadable and (path.startswith("nodes") or path == "max_points"):
            return  # the tree sheet could not be read at all, as already reported
        match = _NODE_PATH.match(path)
        if match is not None and match.group(1) in self.bad_rules and match.group(2) == "rule":
            return  # already reported: the rule text could not be read
        found = self.where.find(path) if path and path != "(root)" else None
        if found is None:
            sheet = TREE_SHEET if path.startswith("nodes") else SETTINGS_SHEET
            label = "" if path.startswith("nodes") or path == "(root)" else path
            self.add(sheet, None, label, problem.message)
            return
        sheet, row, label = found
        if match is not None and match.group(2) == "rule" and match.group(3):
            label = f"{label} [{match.group(3).lstrip('.')}]"
        self.add(sheet, row, label, problem.message)


def _inherit_appraiser(node: dict[str, Any], agency: str | None) -> None:
    """A group row's agency goes to every leaf below it that names none."""
    children = node.get("children")
    if children is None:
        if agency and not node.get("appraiser"):
            node["appraiser"] = agency
        return
    own = node.pop("appraiser", None)
    for child in children:
        _inherit_appraiser(child, own or agency)


def _put(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, last = dotted.split(".")
    target = data
    for key in parents:
        target = target.setdefault(key, {})
    target[last] = value


def _get_list(data: dict[str, Any], dotted: str) -> list[dict[str, Any]]:
    *parents, last = dotted.split(".")
    target = data
    for key in parents:
        target = target.setdefault(key, {})
    listed: list[dict[str, Any]] = target.setdefault(last, [])
    return listed


def _sheet_rows(workbook: CalamineWorkbook, index: int) -> list[list[str]]:
    sheet = workbook.get_sheet_by_index(index)
    return [[cell_text(value) for value in row] for row in sheet.to_python(skip_empty_area=False)]


def criteria_from_xlsx(source: str | Path | bytes, name: str | None = None) -> CriteriaSet:
    """Read a criteria set workbook; InputError lists every problem with sheet, row and column."""
    display = (
        name
        if name is not None
        else ("<criteria.xlsx>" if isinstance(source, bytes) else str(source))
    )
    try:
        data = source if isinstance(source, bytes) else Path(source).read_bytes()
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    display,
                    msg(
                        "không mở được tệp: {e}", "cannot open the file: {e}", e=exc.strerror or exc
                    ),
                )
            ]
        ) from None
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        names = list(workbook.sheet_names)
        folded = [_fold(sheet) for sheet in names]
        settings_index = next(
            (i for i, sheet in enumerate(folded) if sheet in (_fold(SETTINGS_SHEET), "settings")),
            None,
        )
        tree_index = next((i for i in range(len(names)) if i != settings_index), None)
        tree_rows = _sheet_rows(workbook, tree_index) if tree_index is not None else []
        settings_rows = _sheet_rows(workbook, settings_index) if settings_index is not None else []
    except Exception as exc:  # calamine raises its own error types for every broken file
        raise unreadable_workbook(display, exc) from None
    reader = _Reader(display)
    if settings_index is None:
        reader.add(
            SETTINGS_SHEET,
            None,
            "",
            msg(
                "thiếu trang tính '{s}' (mã, năm, khối, thang xếp loại...)",
                "the '{s}' sheet is missing (code, year, group, classes...)",
                s=SETTINGS_SHEET,
            ),
        )
    document = reader.settings(settings_rows)
    document["nodes"] = reader.tree(tree_rows)
    criteria, problems = check_criteria_data(YamlDocument(document), display)
    for problem in problems:
        if settings_index is None and not (problem.path or "").startswith("nodes"):
            continue  # the missing sheet is already reported, not each of its keys
        reader.place(problem)
    if reader.problems or criteria is None:
        raise InputError(reader.problems)
    return criteria
