"""Questionnaires as YAML (`read_questionnaire_yaml`, `questionnaire_yaml`)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import yaml

from parindex.formats.problems import InputError, Problem
from parindex.formats.questionnaire.model import (
    AnswerOption,
    Found,
    PersonalField,
    Questionnaire,
    QuestionText,
    T,
    _check,
    _flag,
    _merge,
    _not_a_flag,
    _with_shares,
)
from parindex.formats.yamltree import YamlDocument, load_yaml
from parindex.scoring.messages import Message, msg
from parindex.scoring.model import CriteriaSet

ROOT = "questionnaire"
QUESTIONNAIRE_KEYS = {"code", "title", "group", "intro", "options", "questions", "personal"}
OPTION_KEYS = {"code", "label", "share"}
QUESTION_KEYS = {"code", "text", "section", "required"}
PERSONAL_KEYS = {"code", "label", "required"}


class _YamlReader:
    """Builds a questionnaire from YAML data, recording each problem at its key path."""

    def __init__(self) -> None:
        self.found: Found = []

    def add(self, path: str, message: Message) -> None:
        self.found.append((path, message))

    def record(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.add(path, msg("phải là một bảng khóa: giá trị", "must be a mapping"))
            return {}
        data = {str(k): v for k, v in value.items()}
        for key in data:
            if key not in allowed:
                self.add(
                    f"{path}.{key}" if path else key,
                    msg(
                        "khóa không hợp lệ '{k}' (được dùng: {a})",
                        "unknown key '{k}' (allowed: {a})",
                        k=key,
                        a=", ".join(sorted(allowed)),
                    ),
                )
        return data

    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool = False) -> str:
        value = data.get(key)
        if value is None:
            if required and data:
                self.add(f"{path}.{key}", msg("thiếu khóa bắt buộc", "required key missing"))
            return ""
        if isinstance(value, str | Decimal) and not isinstance(value, bool):
            return str(value).strip()
        self.add(f"{path}.{key}", msg("phải là chuỗi ký tự", "must be text"))
        return ""

    def flag(self, data: dict[str, Any], key: str, path: str) -> bool:
        value = _flag(data.get(key))
        if value is None:
            self.add(f"{path}.{key}", _not_a_flag())
            return False
        return value

    def items(
        self, data: dict[str, Any], key: str, build: Callable[[Any, str], T], *, required: bool
    ) -> list[T]:
        value = data.get(key)
        path = f"{ROOT}.{key}"
        if value is None:
            if required and data:
                self.add(path, msg("thiếu khóa bắt buộc", "required key missing"))
            return []
        if not isinstance(value, list):
            self.add(path, msg("phải là một danh sách", "must be a list"))
            return []
        return [build(item, f"{path}[{i}]") for i, item in enumerate(value)]

    def option(self, raw: Any, path: str) -> AnswerOption:
        data = self.record(raw, path, OPTION_KEYS)
        code = self.text(data, "code", path, required=True)
        return AnswerOption(code, self.text(data, "label", path), Decimal(0))

    def question(self, raw: Any, path: str) -> QuestionText:
        data = self.record(raw, path, QUESTION_KEYS)
        return QuestionText(
            code=self.text(data, "code", path, required=True),
            text=self.text(data, "text", path),
            section=self.text(data, "section", path),
            required=self.flag(data, "required", path),
        )

    def personal(self, raw: Any, path: str) -> PersonalField:
        data = self.record(raw, path, PERSONAL_KEYS)
        return PersonalField(
            code=self.text(data, "code", path, required=True),
            label=self.text(data, "label", path),
            required=self.flag(data, "required", path),
        )

    def questionnaire(self, root: Any) -> Questionnaire:
        data: dict[str, Any] = {}
        if isinstance(root, dict) and ROOT in root:
            self.record(root, "", {ROOT})
            data = self.record(root[ROOT], ROOT, QUESTIONNAIRE_KEYS)
        else:
            self.add(
                ROOT,
                msg(
                    "tệp phải có khóa 'questionnaire:' chứa phiếu",
                    "the file needs a 'questionnaire:' key holding the questionnaire",
                ),
            )
        return Questionnaire(
            code=self.text(data, "code", ROOT, required=True),
            title=self.text(data, "title", ROOT, required=True),
            group=self.text(data, "group", ROOT, required=True),
            intro=self.text(data, "intro", ROOT),
            options=tuple(self.items(data, "options", self.option, required=True)),
            questions=tuple(self.items(data, "questions", self.question, required=True)),
            personal=tuple(self.items(data, "personal", self.personal, required=False)),
        )


def read_questionnaire_yaml(text: str, display: str, criteria: CriteriaSet) -> Questionnaire:
    """The questionnaire of a YAML text, checked against `criteria`; InputError lists every
    problem (syntax, keys, types and the rules of `questionnaire_problems`)."""
    try:
        document = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            [
                Problem(
                    display,
                    msg("YAML sai cú pháp: {p}", "YAML syntax error: {p}", p=problem),
                    line=mark.line + 1 if mark is not None else None,
                )
            ]
        ) from None
    reader = _YamlReader()
    q = _with_shares(reader.questionnaire(document.data), criteria)
    checked = [(f"{ROOT}.{p}" if p else None, m) for p, m in _check(q, criteria)]
    found = _merge(reader.found, checked)
    if found:
        raise InputError(_yaml_problem(display, document, path, m) for path, m in found)
    return q


def _yaml_problem(display: str, document: YamlDocument, path: str | None, m: Message) -> Problem:
    line = document.line(path) if path else None
    if line is not None:
        m = Message(f"{m.vi} (dòng {line})", f"{m.en} (line {line})")
    return Problem(display, m, path=path)


class _Flow(dict[str, Any]):
    """A mapping written on one line: `{code: "5", label: Rất hài lòng}`."""


class _Quoted(str):
    """A string always written in double quotes (codes: `"5"` stays text)."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


def _represent_quoted(dumper: yaml.SafeDumper, value: _Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_Quoted, _represent_quoted)


def questionnaire_yaml(q: Questionnaire) -> str:
    """The YAML text of `q`, read back to an equal questionnaire by `read_questionnaire_yaml`."""
    data = {
        "code": q.code,
        "title": q.title,
        "group": q.group,
        "intro": q.intro,
        "options": [_Flow(code=_Quoted(o.code), label=o.label) for o in q.options],
        "questions": [
            _Flow(code=_Quoted(t.code), text=t.text, section=t.section, required=t.required)
            for t in q.questions
        ],
        "personal": [
            _Flow(code=_Quoted(p.code), label=p.label, required=p.required) for p in q.personal
        ],
    }
    text: str = yaml.dump(
        {ROOT: data},
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )
    return text


# ================================================================ XLSX
