"""Criteria set YAML (FORMATS.md) → `CriteriaSet`, reporting every problem with its key path."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import yaml

from parindex.formats.problems import InputError, Problem
from parindex.formats.yamltree import YamlDocument, load_yaml
from parindex.scoring.messages import Message, ScoringError, msg
from parindex.scoring.model import (
    OPERATORS,
    BooleanRule,
    Bracket,
    BracketsRule,
    Cap,
    ChoiceRule,
    ClassRule,
    CriteriaSet,
    DataRule,
    DeductionRule,
    IndexBounds,
    ManualRule,
    Node,
    NodeKind,
    NoSurveyData,
    NotApplicable,
    Option,
    RatioRule,
    RespondentGroup,
    Rule,
    Scale,
    Source,
    SurveyRule,
    SurveySpec,
    ZeroDenominator,
)
from parindex.scoring.numbers import parse_number, plain, plain_vi

E = TypeVar("E")

SET_KEYS = {
    "code", "title", "year", "unit_group", "max_points", "decimals", "not_applicable",
    "index_bounds", "classes", "caps", "survey", "nodes", "description", "authority",
    "version", "note",
}  # fmt: skip
NODE_KEYS = {
    "code", "title", "max", "kind", "source", "rule", "children", "appraiser", "evidence",
    "not_applicable", "description", "note", "evidence_required",
}  # fmt: skip
RULE_KEYS: dict[str, set[str]] = {
    "choice": {"options"},
    "boolean": {"yes", "no"},
    "brackets": {"brackets"},
    "ratio": {"zero_denominator"},
    "deduction": {"per"},
    "manual": {"step"},
    "survey": {"questions", "groups"},
    "data": {"metric", "then"},
}
SURVEY_KEYS = {"scale", "answers", "min_sample", "no_data", "groups", "questions"}


def read_criteria(path: str | Path) -> CriteriaSet:
    """Read and check a criteria set file; InputError lists every problem found."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError([Problem(name, msg("không tìm thấy tệp", "file not found"))]) from None
    except UnicodeDecodeError:
        raise InputError(
            [Problem(name, msg("tệp không phải UTF-8", "the file is not UTF-8 text"))]
        ) from None
    except OSError as exc:
        raise InputError(
            [Problem(name, msg("không đọc được tệp: {e}", "cannot read the file: {e}", e=exc))]
        ) from None
    return parse_criteria(text, name)


def parse_criteria(text: str, name: str = "<criteria>") -> CriteriaSet:
    try:
        document = load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise InputError(
            [
                Problem(
                    name,
                    msg("YAML sai cú pháp: {p}", "YAML syntax error: {p}", p=problem),
                    line=line,
                )
            ]
        ) from None
    criteria, problems = check_criteria_data(document, name)
    if problems or criteria is None:
        raise InputError(problems)
    return criteria


def check_criteria_data(
    document: YamlDocument, name: str
) -> tuple[CriteriaSet | None, list[Problem]]:
    """Check plain data shaped like the YAML (from YAML, or built from a spreadsheet):
    the criteria set when it is valid, and every problem found, each at its key path."""
    checker = _Checker(name, document)
    criteria = checker.criteria_set(document.data)
    return criteria, checker.problems


class _Checker:
    """Walks the YAML, builds the dataclasses, and records each problem at its path."""

    def __init__(self, name: str, document: YamlDocument) -> None:
        self.name = name
        self.document = document
        self.problems: list[Problem] = []
        self.codes: dict[str, str] = {}  # node code → path where first seen
        self.survey: SurveySpec | None = None
        self.class_codes: list[str] = []

    # ------------------------------------------------------------ plumbing

    def problem(self, path: str, message: Message) -> None:
        line = self.document.line(path)
        if line is not None:
            message = Message(f"{message.vi} (dòng {line})", f"{message.en} (line {line})")
        self.problems.append(Problem(self.name, message, path=path or "(root)"))

    def mapping(self, value: Any, path: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return {str(k): v for k, v in value.items()}
        self.problem(path, msg("phải là một bảng khóa: giá trị", "must be a mapping"))
        return None

    def record(self, value: Any, path: str, allowed: set[str]) -> dict[str, Any] | None:
        """A mapping with only the `allowed` keys (each other key is a problem), or None."""
        data = self.mapping(value, path)
        if data is not None:
            self.unknown_keys(data, allowed, path)
        return data

    def unknown_keys(self, data: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    _join(path, key),
                    msg(
                        "khóa không hợp lệ '{k}' (được dùng: {a})",
                        "unknown key '{k}' (allowed: {a})",
                        k=key,
                        a=", ".join(sorted(allowed)),
                    ),
                )

    def required(self, data: dict[str, Any], key: str, path: str) -> Any:
        if data.get(key) is None:
            self.problem(_join(path, key), msg("thiếu khóa bắt buộc", "required key missing"))
            return None
        return data[key]

    def text(self, data: dict[str, Any], key: str, path: str, *, required: bool = True) -> str:
        value = self.required(data, key, path) if required else data.get(key)
        if value is None:
            return ""
        if isinstance(value, (str, Decimal, int)) and not isinstance(value, bool):
            return str(value).strip()
        self.problem(_join(path, key), msg("phải là chuỗi ký tự", "must be text"))
        return ""

    def number(
        self,
        data: dict[str, Any],
        key: str,
        path: str,
        *,
        required: bool = True,
        default: Decimal | None = None,
    ) -> Decimal | None:
        value = self.required(data, key, path) if required else data.get(key)
        if value is None:
            return default
        return self.as_number(value, _join(path, key))

    def as_number(self, value: Any, path: str) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, str):
            try:
                return parse_number(value)
            except ScoringError as exc:
                self.problem(path, exc.message)
                return None
        self.problem(path, msg("phải là một số", "must be a number"))
        return None

    def whole(self, data: dict[str, Any], key: str, path: str, default: int | None) -> int | None:
        number = self.number(data, key, path, required=default is None)
        if number is None:
            return default
        if number != number.to_integral_value():
            self.problem(_join(path, key), msg("phải là số nguyên", "must be a whole number"))
            return default
        return int(number)

    def choice(self, data: dict[str, Any], key: str, path: str, enum: type[E], default: E) -> E:
        value = data.get(key)
        if value is None:
            return default
        try:
            return enum(str(value))  # type: ignore[call-arg]
        except ValueError:
            allowed = ", ".join(str(e.value) for e in enum)  # type: ignore[attr-defined]
            self.problem(
                _join(path, key),
                msg(
                    "'{v}' không hợp lệ (một trong: {a})",
                    "'{v}' is not allowed (one of: {a})",
                    v=value,
                    a=allowed,
                ),
            )
            return default

    def items(self, value: Any, path: str, build: Callable[[Any, str], E | None]) -> list[E]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(path, msg("phải là một danh sách", "must be a list"))
            return []
        built = [build(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return [b for b in built if b is not None]

    def in_range(self, points: Decimal | None, maximum: Decimal | None, path: str) -> None:
        if points is None or maximum is None:
            return
        if points < 0 or points > maximum:
            self.problem(
                path,
                Message(
                    f"điểm {plain_vi(points)} nằm ngoài khoảng [0; {plain_vi(maximum)}]",
                    f"points {plain(points)} outside [0, {plain(maximum)}]",
                ),
            )

    def unique(self, codes: list[str], paths: list[str], what: Message) -> None:
        seen: dict[str, str] = {}
        for code, path in zip(codes, paths, strict=True):
            if code not in seen:
                seen[code] = path
                continue
            self.problem(
                path,
                Message(
                    f"mã {what.vi} '{code}' bị trùng (đã có ở {seen[code]})",
                    f"duplicate {what.en} code '{code}' (first at {seen[code]})",
                ),
            )

    # ------------------------------------------------------------ the set

    def criteria_set(self, raw: Any) -> CriteriaSet | None:
        data = self.record(raw, "", SET_KEYS)
        if data is None:
            return None
        code = self.text(data, "code", "")
        title = self.text(data, "title", "")
        year = self.whole(data, "year", "", None)
        unit_group = self.text(data, "unit_group", "")
        max_points = self.number(data, "max_points", "")
        decimals = self.whole(data, "decimals", "", 2)
        if decimals is not None and not 0 <= decimals <= 6:
            self.problem("decimals", msg("phải từ 0 đến 6", "must be between 0 and 6"))
        policy = self.choice(data, "not_applicable", "", NotApplicable, NotApplicable.EXCLUDE)
        bounds = self.index_bounds(data.get("index_bounds"))
        classes = self.items(data.get("classes"), "classes", self.class_rule)
        self.check_classes(classes)
        self.class_codes = [c.code for c in classes]
        caps = self.items(data.get("caps"), "caps", self.cap)
        if data.get("survey") is not None:
            self.survey = self.survey_spec(data["survey"])
        nodes_raw = self.required(data, "nodes", "")
        nodes = self.items(nodes_raw, "nodes", self.top_node)
        if isinstance(nodes_raw, list) and not nodes_raw:
            self.problem("nodes", msg("bộ tiêu chí không có tiêu chí nào", "the set has no nodes"))
        self.check_max_points(nodes, max_points)
        if self.problems or year is None or max_points is None or decimals is None:
            return None
        return CriteriaSet(
            code=code,
            title=title,
            year=year,
            unit_group=unit_group,
            max_points=max_points,
            decimals=decimals,
            nodes=tuple(nodes),
            not_applicable=policy,
            index_bounds=bounds,
            classes=tuple(classes),
            caps=tuple(caps),
            survey=self.survey,
        )

    def check_max_points(self, nodes: list[Node], max_points: Decimal | None) -> None:
        if max_points is None or not nodes:
            return
        total = sum((n.max for n in nodes if n.kind is NodeKind.NORMAL), Decimal(0))
        if total != max_points:
            self.problem(
                "max_points",
                Message(
                    f"max_points = {plain_vi(max_points)} nhưng tổng điểm tối đa các lĩnh vực"
                    f" là {plain_vi(total)}",
                    f"max_points is {plain(max_points)} but the fields' max add up to"
                    f" {plain(total)}",
                ),
            )

    def index_bounds(self, raw: Any) -> IndexBounds:
        if raw is None:
            return IndexBounds()
        data = self.record(raw, "index_bounds", {"min", "max"})
        if data is None:
            return IndexBounds()
        low = self.number(data, "min", "index_bounds", required=False)
        high = self.number(data, "max", "index_bounds", required=False)
        if low is not None and high is not None and low >= high:
            self.problem("index_bounds", msg("min phải nhỏ hơn max", "min must be below max"))
        return IndexBounds(low, high)

    def class_rule(self, raw: Any, path: str) -> ClassRule | None:
        data = self.record(raw, path, {"code", "label", "min"})
        if data is None:
            return None
        code = self.text(data, "code", path)
        label = self.text(data, "label", path, required=False) or code
        low = self.number(data, "min", path)
        return ClassRule(code, label, low) if code and low is not None else None

    def check_classes(self, classes: list[ClassRule]) -> None:
        paths = [f"classes[{i}]" for i in range(len(classes))]
        self.unique([c.code for c in classes], paths, Message("xếp loại", "class"))
        for i in range(1, len(classes)):
            if classes[i].min >= classes[i - 1].min:
                self.problem(
                    f"classes[{i}].min",
                    msg(
                        "các xếp loại phải theo thứ tự từ cao xuống thấp (min giảm dần)",
                        "classes must be listed highest first (descending min)",
                    ),
                )

    def cap(self, raw: Any, path: str) -> Cap | None:
        data = self.record(raw, path, {"metric", "op", "value", "max_class", "reason"})
        if data is None:
            return None
        metric = self.text(data, "metric", path).lower()
        op = self.text(data, "op", path)
        if op and op not in OPERATORS:
            self.problem(
                _join(path, "op"),
                msg(
                    "phép so sánh '{o}' không hợp lệ (một trong: {a})",
                    "unknown comparison '{o}' (one of: {a})",
                    o=op,
                    a=" ".join(OPERATORS),
                ),
            )
        value = self.number(data, "value", path)
        max_class = self.text(data, "max_class", path)
        if max_class and max_class not in self.class_codes:
            self.problem(
                _join(path, "max_class"),
                msg("không có xếp loại '{c}'", "unknown class '{c}'", c=max_class),
            )
        reason = self.text(data, "reason", path, required=False) or metric
        if not (metric and op in OPERATORS and value is not None and max_class):
            return None
        return Cap(metric, op, value, max_class, reason)

    # ------------------------------------------------------------ survey

    def survey_spec(self, raw: Any) -> SurveySpec | None:
        data = self.record(raw, "survey", SURVEY_KEYS)
        if data is None:
            return None
        scale = self.scale(data.get("scale"))
        answers = self.answers(data.get("answers"))
        if (scale is None) == (answers is None):
            self.problem(
                "survey",
                msg(
                    "cần đúng một trong hai: scale (thang đo) hoặc answers (phương án)",
                    "give exactly one of scale or answers",
                ),
            )
        min_sample = self.whole(data, "min_sample", "survey", 0)
        no_data = self.choice(data, "no_data", "survey", NoSurveyData, NoSurveyData.ZERO)
        groups = self.items(data.get("groups"), "survey.groups", self.respondent_group)
        if not groups:
            self.problem("survey.groups", msg("cần ít nhất một nhóm", "at least one group"))
        paths = [f"survey.groups[{i}]" for i in range(len(groups))]
        self.unique([g.code for g in groups], paths, Message("nhóm", "group"))
        questions = self.questions(data.get("questions"))
        return SurveySpec(
            groups=tuple(groups),
            scale=scale,
            answers=answers,
            min_sample=min_sample or 0,
            no_data=no_data,
            questions=questions,
        )

    def scale(self, raw: Any) -> Scale | None:
        if raw is None:
            return None
        data = self.record(raw, "survey.scale", {"min", "max"})
        if data is None:
            return None
        low = self.whole(data, "min", "survey.scale", None)
        high = self.whole(data, "max", "survey.scale", None)
        if low is None or high is None:
            return None
        if low >= high:
            self.problem("survey.scale", msg("min phải nhỏ hơn max", "min must be below max"))
            return None
        return Scale(low, high)

    def answers(self, raw: Any) -> dict[str, Decimal] | None:
        if raw is None:
            return None
        data = self.mapping(raw, "survey.answers")
        if data is None:
            return None
        shares: dict[str, Decimal] = {}
        for code, value in data.items():
            path = f"survey.answers.{code}"
            share = self.as_number(value, path)
            if share is None:
                continue
            if not 0 <= share <= 1:
                self.problem(path, msg("tỷ lệ phải trong [0, 1]", "the share must be in [0, 1]"))
            shares[code] = share
        if not shares:
            self.problem("survey.answers", msg("cần ít nhất một phương án", "at least one answer"))
        return shares

    def respondent_group(self, raw: Any, path: str) -> RespondentGroup | None:
        data = self.record(raw, path, {"code", "label", "weight"})
        if data is None:
            return None
        code = self.text(data, "code", path)
        label = self.text(data, "label", path, required=False) or code
        weight = self.number(data, "weight", path, required=False, default=Decimal(1))
        if weight is not None and weight <= 0:
            self.problem(_join(path, "weight"), msg("trọng số phải > 0", "the weight must be > 0"))
        return RespondentGroup(code, label, weight or Decimal(1)) if code else None

    def questions(self, raw: Any) -> dict[str, str]:
        if raw is None:
            return {}
        if isinstance(raw, dict):
            return {str(k): str(v) for k, v in raw.items()}
        declared: dict[str, str] = {}
        for i, item in enumerate(raw if isinstance(raw, list) else []):
            path = f"survey.questions[{i}]"
            if isinstance(item, dict):
                data = {str(k): v for k, v in item.items()}
                self.unknown_keys(data, {"code", "text", "groups"}, path)
                code = self.text(data, "code", path)
                if code in declared:
                    self.problem(
                        path, msg("câu hỏi '{c}' bị trùng", "duplicate question '{c}'", c=code)
                    )
                if code:
                    declared[code] = self.text(data, "text", path, required=False)
            else:
                declared[str(item)] = ""
        if not isinstance(raw, list):
            self.problem("survey.questions", msg("phải là một danh sách", "must be a list"))
        return declared

    # ------------------------------------------------------------ nodes

    def top_node(self, raw: Any, path: str) -> Node | None:
        return self.node(raw, path, top=True)

    def node(
        self, raw: Any, path: str, *, top: bool = False, kind: NodeKind = NodeKind.NORMAL
    ) -> Node | None:
        data = self.record(raw, path, NODE_KEYS)
        if data is None:
            return None
        code = self.text(data, "code", path)
        if code:
            if code in self.codes:
                self.problem(
                    _join(path, "code"),
                    msg(
                        "mã tiêu chí '{c}' bị trùng (đã có ở {p})",
                        "duplicate node code '{c}' (first at {p})",
                        c=code,
                        p=self.codes[code],
                    ),
                )
            else:
                self.codes[code] = path
        title = self.text(data, "title", path)
        if "kind" in data:
            if not top:
                self.problem(
                    _join(path, "kind"),
                    msg(
                        "chỉ tiêu chí cấp cao nhất mới là điểm thưởng/điểm trừ",
                        "only top-level nodes can be bonus or penalty",
                    ),
                )
            kind = self.choice(data, "kind", path, NodeKind, NodeKind.NORMAL)
        maximum = self.number(data, "max", path, required=False)
        if maximum is not None and maximum < 0:
            self.problem(
                _join(path, "max"), msg("điểm tối đa không được âm", "max cannot be negative")
            )
        children_raw = data.get("children")
        if children_raw is not None:
            return self.group(data, path, code, title, maximum, kind, children_raw)
        return self.leaf(data, path, code, title, maximum, kind)

    def group(
        self,
        data: dict[str, Any],
        path: str,
        code: str,
        title: str,
        maximum: Decimal | None,
        kind: NodeKind,
        children_raw: Any,
    ) -> Node | None:
        for key in ("rule", "source"):
            if key in data:
                self.problem(
                    _join(path, key),
                    msg(
                        "tiêu chí có tiêu chí con không có '{k}' (chỉ tiêu chí lá mới có)",
                        "a node with children has no '{k}' (only leaves do)",
                        k=key,
                    ),
                )
        children = self.items(
            children_raw, f"{path}.children", lambda raw, p: self.node(raw, p, kind=kind)
        )
        if isinstance(children_raw, list) and not children_raw:
            self.problem(
                f"{path}.children", msg("danh sách tiêu chí con rỗng", "children list is empty")
            )
        total = sum((c.max for c in children), Decimal(0))
        if maximum is not None and maximum != total and len(children) == len(children_raw or []):
            self.problem(
                _join(path, "max"),
                Message(
                    f"điểm tối đa {plain_vi(maximum)} khác tổng điểm các tiêu chí con"
                    f" {plain_vi(total)}",
                    f"max {plain(maximum)} differs from the sum of its children's max"
                    f" {plain(total)}",
                ),
            )
        if not code or not children:
            return None
        return Node(code, title, maximum if maximum is not None else total, kind, tuple(children))

    def leaf(
        self,
        data: dict[str, Any],
        path: str,
        code: str,
        title: str,
        maximum: Decimal | None,
        kind: NodeKind,
    ) -> Node | None:
        if maximum is None:
            self.problem(_join(path, "max"), msg("thiếu điểm tối đa (max)", "required key missing"))
        source = self.source(data, path)
        policy = None
        if data.get("not_applicable") is not None:
            policy = self.choice(data, "not_applicable", path, NotApplicable, NotApplicable.EXCLUDE)
        rule_raw = self.required(data, "rule", path)
        rule = (
            self.rule(rule_raw, f"{path}.rule", maximum, source) if rule_raw is not None else None
        )
        if not code or maximum is None or source is None or rule is None:
            return None
        return Node(
            code=code,
            title=title,
            max=maximum,
            kind=kind,
            source=source,
            rule=rule,
            appraiser=self.text(data, "appraiser", path, required=False) or None,
            evidence=self.text(data, "evidence", path, required=False) or None,
            not_applicable=policy,
        )

    def source(self, data: dict[str, Any], path: str) -> Source | None:
        if self.required(data, "source", path) is None:
            return None
        before = len(self.problems)
        source = self.choice(data, "source", path, Source, Source.SELF)
        return source if len(self.problems) == before else None

    # ------------------------------------------------------------ rules

    def rule(
        self, raw: Any, path: str, maximum: Decimal | None, source: Source | None
    ) -> Rule | None:
        data = self.mapping(raw, path)
        if data is None:
            return None
        kind = self.text(data, "type", path)
        if not kind:
            return None
        if kind not in RULE_KEYS:
            self.problem(
                _join(path, "type"),
                msg(
                    "loại quy tắc '{t}' không hợp lệ (một trong: {a})",
                    "unknown rule type '{t}' (one of: {a})",
                    t=kind,
                    a=", ".join(RULE_KEYS),
                ),
            )
            return None
        self.unknown_keys(data, RULE_KEYS[kind] | {"type"}, path)
        self.check_source(kind, source, path)
        build = {
            "choice": self.choice_rule,
            "boolean": self.boolean_rule,
            "brackets": self.brackets_rule,
            "ratio": self.ratio_rule,
            "deduction": self.deduction_rule,
            "manual": self.manual_rule,
            "survey": self.survey_rule,
            "data": self.data_rule,
        }[kind]
        return build(data, path, maximum)

    def check_source(self, kind: str, source: Source | None, path: str) -> None:
        if source is None:
            return
        expected = {"survey": Source.SURVEY, "data": Source.DATA}.get(kind, Source.SELF)
        if source is not expected:
            self.problem(
                path.removesuffix(".rule") + ".source",
                msg(
                    "quy tắc '{k}' cần nguồn '{e}', không phải '{s}'",
                    "a '{k}' rule needs source '{e}', not '{s}'",
                    k=kind,
                    e=expected.value,
                    s=source.value,
                ),
            )

    def choice_rule(self, data: dict[str, Any], path: str, maximum: Decimal | None) -> Rule | None:
        options = self.items(
            self.required(data, "options", path),
            f"{path}.options",
            lambda raw, p: self.option(raw, p, maximum),
        )
        paths = [f"{path}.options[{i}]" for i in range(len(options))]
        self.unique([o.code for o in options], paths, Message("phương án", "option"))
        return ChoiceRule(tuple(options)) if options else None

    def option(self, raw: Any, path: str, maximum: Decimal | None) -> Option | None:
        data = self.record(raw, path, {"code", "label", "points"})
        if data is None:
            return None
        code = self.text(data, "code", path)
        label = self.text(data, "label", path, required=False) or code
        points = self.number(data, "points", path)
        self.in_range(points, maximum, f"{path}.points")
        return Option(code, label, points) if code and points is not None else None

    def boolean_rule(self, data: dict[str, Any], path: str, maximum: Decimal | None) -> Rule | None:
        yes = self.number(data, "yes", path)
        no = self.number(data, "no", path)
        self.in_range(yes, maximum, f"{path}.yes")
        self.in_range(no, maximum, f"{path}.no")
        return BooleanRule(yes, no) if yes is not None and no is not None else None

    def brackets_rule(
        self, data: dict[str, Any], path: str, maximum: Decimal | None
    ) -> BracketsRule | None:
        brackets = self.items(
            self.required(data, "brackets", path),
            f"{path}.brackets",
            lambda raw, p: self.bracket(raw, p, maximum),
        )
        for i in range(1, len(brackets)):
            if brackets[i].min >= brackets[i - 1].min:
                self.problem(
                    f"{path}.brackets[{i}].min",
                    msg(
                        "các khoảng phải xếp theo min giảm dần",
                        "brackets must be sorted by descending min",
                    ),
                )
        return BracketsRule(tuple(brackets)) if brackets else None

    def bracket(self, raw: Any, path: str, maximum: Decimal | None) -> Bracket | None:
        data = self.record(raw, path, {"min", "points"})
        if data is None:
            return None
        low = self.number(data, "min", path)
        points = self.number(data, "points", path)
        self.in_range(points, maximum, f"{path}.points")
        return Bracket(low, points) if low is not None and points is not None else None

    def ratio_rule(self, data: dict[str, Any], path: str, maximum: Decimal | None) -> RatioRule:
        policy = self.choice(data, "zero_denominator", path, ZeroDenominator, ZeroDenominator.NA)
        return RatioRule(policy)

    def deduction_rule(
        self, data: dict[str, Any], path: str, maximum: Decimal | None
    ) -> Rule | None:
        per = self.number(data, "per", path)
        if per is not None and per <= 0:
            self.problem(f"{path}.per", msg("phải > 0", "must be > 0"))
        return DeductionRule(per) if per is not None and per > 0 else None

    def manual_rule(self, data: dict[str, Any], path: str, maximum: Decimal | None) -> Rule | None:
        step = self.number(data, "step", path, required=False)
        if step is not None and step <= 0:
            self.problem(f"{path}.step", msg("phải > 0", "must be > 0"))
            return None
        return ManualRule(step)

    def survey_rule(self, data: dict[str, Any], path: str, maximum: Decimal | None) -> Rule | None:
        if self.survey is None:
            self.problem(
                path,
                msg(
                    "bộ tiêu chí không có mục survey cho tiêu chí điều tra xã hội học",
                    "the set has no survey section for this survey leaf",
                ),
            )
        questions = self.code_list(self.required(data, "questions", path), f"{path}.questions")
        groups = self.code_list(data.get("groups"), f"{path}.groups")
        if self.survey is not None:
            declared = self.survey.questions
            for i, question in enumerate(questions):
                if declared and question not in declared:
                    self.problem(
                        f"{path}.questions[{i}]",
                        msg("không có câu hỏi '{q}'", "unknown survey question '{q}'", q=question),
                    )
            for i, group in enumerate(groups):
                if self.survey.group(group) is None:
                    self.problem(
                        f"{path}.groups[{i}]",
                        msg("không có nhóm '{g}'", "unknown survey group '{g}'", g=group),
                    )
        if not questions:
            return None
        return SurveyRule(tuple(questions), tuple(groups))

    def code_list(self, raw: Any, path: str) -> list[str]:
        if raw is None:
            return []
        if not isinstance(raw, list):
            self.problem(path, msg("phải là một danh sách", "must be a list"))
            return []
        return [str(item) for item in raw]

    def data_rule(self, data: dict[str, Any], path: str, maximum: Decimal | None) -> Rule | None:
        metric = self.text(data, "metric", path).lower()
        then_raw = self.required(data, "then", path)
        then_data = self.mapping(then_raw, f"{path}.then") if then_raw is not None else None
        if then_data is None:
            return None
        then_path = f"{path}.then"
        kind = self.text(then_data, "type", then_path)
        then: BracketsRule | RatioRule | None = None
        if kind == "brackets":
            self.unknown_keys(then_data, {"type", "brackets"}, then_path)
            then = self.brackets_rule(then_data, then_path, maximum)
        elif kind == "ratio":
            self.unknown_keys(then_data, {"type", "zero_denominator"}, then_path)
            then = self.ratio_rule(then_data, then_path, maximum)
        elif kind:
            self.problem(
                f"{then_path}.type",
                msg(
                    "'then' phải là brackets hoặc ratio, không phải '{t}'",
                    "'then' must be brackets or ratio, not '{t}'",
                    t=kind,
                ),
            )
        return DataRule(metric, then) if metric and then is not None else None


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
