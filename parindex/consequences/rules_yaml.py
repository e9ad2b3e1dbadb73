"""Reading consequence rules from YAML text (`parindex.consequences.rules` says what they
mean): every problem with its key path and line, or an `InputError`; nothing is `eval`-ed and
an unknown key is a problem."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import yaml

from parindex.consequences.rules import (
    DEFAULT_SCALE,
    OPERATORS,
    Ceiling,
    ClassCeiling,
    ClassIn,
    ClassStreak,
    Condition,
    Lineage,
    MetricBand,
    MetricCeiling,
    MetricCondition,
    Rating,
    RatingScale,
    Rule,
    RuleSet,
    Subject,
)
from parindex.formats.problems import InputError, Problem
from parindex.formats.yamltree import YamlDocument, load_yaml
from parindex.scoring.messages import Message, msg


class _Reader:
    def __init__(self, file: str, document: YamlDocument) -> None:
        self.file = file
        self.document = document
        self.problems: list[Problem] = []

    def problem(self, path: str, vi: str, en: str, **params: object) -> None:
        line = self.document.line(path)
        where = f"{path} (line {line})" if line else path
        self.problems.append(Problem(self.file, msg(vi, en, **params), path=where or None))

    def mapping(self, value: Any, path: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.problem(path, "phải là một bảng khóa: giá trị", "must be a mapping of keys")
        return None

    def text(self, value: Any, path: str) -> str | None:
        if isinstance(value, str | int | Decimal) and not isinstance(value, bool):
            text = str(value).strip()
            if text:
                return text
        self.problem(path, "thiếu hoặc không phải là chữ", "missing or not text")
        return None

    def number(self, value: Any, path: str) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return Decimal(value)
        if isinstance(value, str):
            try:
                return Decimal(value.strip())
            except ArithmeticError:
                pass
        self.problem(path, "phải là một số", "must be a number")
        return None

    def codes(self, value: Any, path: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not value:
            self.problem(path, "phải là một danh sách mã", "must be a list of codes")
            return ()
        found = [self.text(item, f"{path}[{i}]") for i, item in enumerate(value)]
        return tuple(code for code in found if code)

    def message(self, value: Any, path: str) -> Message | None:
        if isinstance(value, str) and value.strip():
            return Message(value.strip(), value.strip())
        data = self.mapping(value, path)
        if data is None:
            return None
        vi = self.text(data.get("vi"), f"{path}.vi")
        en = data.get("en")
        if vi is None:
            return None
        return Message(vi, str(en).strip() if en else vi)

    def unknown(self, data: Mapping[str, Any], known: Sequence[str], path: str) -> None:
        for key in data:
            if key not in known:
                self.problem(
                    f"{path}.{key}" if path else str(key),
                    "khóa không dùng được: {k} (dùng: {known})",
                    "unknown key {k} (use: {known})",
                    k=key,
                    known=", ".join(known),
                )


def rules_from_yaml(text: str, file: str = "rules.yaml") -> RuleSet:
    """The rule set of a YAML text; every problem with its key path, or an `InputError`."""
    try:
        document = load_yaml(text)
    except yaml.YAMLError as error:
        raise InputError(
            [Problem(file, msg("YAML không đọc được: {e}", "unreadable YAML: {e}", e=error))]
        ) from error
    reader = _Reader(file, document)
    root = reader.mapping(document.data, "")
    if root is None:
        raise InputError(reader.problems)
    reader.unknown(root, ("title", "ratings", "lineage", "rules"), "")
    scale = _scale(reader, root.get("ratings"))
    lineage = Lineage.WORST
    if "lineage" in root:
        try:
            lineage = Lineage(str(root["lineage"]))
        except ValueError:
            reader.problem("lineage", "phải là worst hoặc mean", "must be worst or mean")
    rules: list[Rule] = []
    raw_rules = root.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        reader.problem("rules", "phải là một danh sách quy tắc", "must be a list of rules")
        raw_rules = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules):
        rule = _rule(reader, raw, f"rules[{index}]", scale)
        if rule is None:
            continue
        if rule.code in seen:
            reader.problem(
                f"rules[{index}].code",
                "mã quy tắc trùng: {c}",
                "duplicate rule code {c}",
                c=rule.code,
            )
        seen.add(rule.code)
        rules.append(rule)
    if reader.problems:
        raise InputError(reader.problems)
    title = str(root.get("title") or "")
    return RuleSet(tuple(rules), scale, lineage, title)


def _scale(reader: _Reader, raw: Any) -> RatingScale:
    if raw is None:
        return DEFAULT_SCALE
    if not isinstance(raw, list) or len(raw) < 2:
        reader.problem("ratings", "phải liệt kê ít nhất hai mức", "must list at least two levels")
        return DEFAULT_SCALE
    levels: list[Rating] = []
    for index, item in enumerate(raw):
        path = f"ratings[{index}]"
        data = reader.mapping(item, path)
        if data is None:
            continue
        reader.unknown(data, ("code", "vi", "en"), path)
        code = reader.text(data.get("code"), f"{path}.code")
        vi = reader.text(data.get("vi"), f"{path}.vi")
        if code and vi:
            if any(level.code == code for level in levels):
                reader.problem(f"{path}.code", "mã trùng: {c}", "duplicate code {c}", c=code)
            levels.append(Rating(code, Message(vi, str(data.get("en") or vi))))
    return RatingScale(tuple(levels)) if len(levels) >= 2 else DEFAULT_SCALE


RULE_KEYS = ("code", "subject", "when", "ceiling", "max_rating", "flag", "reason")


def _rule(reader: _Reader, raw: Any, path: str, scale: RatingScale) -> Rule | None:
    data = reader.mapping(raw, path)
    if data is None:
        return None
    reader.unknown(data, RULE_KEYS, path)
    code = reader.text(data.get("code"), f"{path}.code")
    subjects = _subjects(reader, data.get("subject"), f"{path}.subject")
    reason = reader.message(data.get("reason"), f"{path}.reason")
    when = ceiling = None
    if ("when" in data) == ("ceiling" in data):
        reader.problem(
            path, "cần đúng một trong when, ceiling", "needs exactly one of when, ceiling"
        )
    elif "when" in data:
        when = _condition(reader, data["when"], f"{path}.when")
    else:
        ceiling = _ceiling(reader, data["ceiling"], f"{path}.ceiling", scale)
    max_rating = None
    if "max_rating" in data:
        max_rating = reader.text(data["max_rating"], f"{path}.max_rating")
        if max_rating and max_rating not in scale:
            reader.problem(
                f"{path}.max_rating",
                "mức xếp loại không có: {r}",
                "unknown rating {r}",
                r=max_rating,
            )
    flag = reader.text(data["flag"], f"{path}.flag") if "flag" in data else None
    if "when" in data and max_rating is None and flag is None:
        reader.problem(path, "cần max_rating hoặc flag", "needs max_rating or flag")
    if "ceiling" in data and ("max_rating" in data or "flag" in data):
        reader.problem(
            path,
            "trần xếp loại tự cho mức cao nhất; bỏ max_rating, flag",
            "a ceiling gives the highest rating itself; drop max_rating, flag",
        )
    reads_class = isinstance(when, ClassIn | ClassStreak) or isinstance(ceiling, ClassCeiling)
    if reads_class and Subject.OFFICIAL in subjects:
        reader.problem(
            f"{path}.subject",
            "xếp loại CCHC là của đơn vị: chỉ dùng cho unit, head",
            "a PAR class belongs to a unit: only for unit, head",
        )
    if code is None or reason is None or not subjects or (when is None and ceiling is None):
        return None
    return Rule(code, subjects, reason, when, ceiling, max_rating, flag)


def _subjects(reader: _Reader, raw: Any, path: str) -> tuple[Subject, ...]:
    items = raw if isinstance(raw, list) else [raw]
    found: list[Subject] = []
    for item in items:
        try:
            found.append(Subject(str(item)))
        except ValueError:
            reader.problem(
                path, "phải là unit, head hoặc official", "must be unit, head or official"
            )
    return tuple(found)


def _condition(reader: _Reader, raw: Any, path: str) -> Condition | None:
    data = reader.mapping(raw, path)
    if data is None:
        return None
    if "metric" in data:
        reader.unknown(data, ("metric", "op", "value"), path)
        metric = reader.text(data.get("metric"), f"{path}.metric")
        op = str(data.get("op", ""))
        if op not in OPERATORS:
            reader.problem(
                f"{path}.op", "phép so sánh phải là một trong {o}", "op must be one of {o}",
                o=" ".join(OPERATORS),
            )  # fmt: skip
        value = reader.number(data.get("value"), f"{path}.value")
        if metric and op in OPERATORS and value is not None:
            return MetricCondition(metric, op, value)
        return None
    if "class_in" in data:
        reader.unknown(data, ("class_in",), path)
        classes = reader.codes(data["class_in"], f"{path}.class_in")
        return ClassIn(classes) if classes else None
    if "class_streak" in data:
        reader.unknown(data, ("class_streak",), path)
        streak = reader.mapping(data["class_streak"], f"{path}.class_streak")
        if streak is None:
            return None
        reader.unknown(streak, ("years", "classes"), f"{path}.class_streak")
        years = reader.number(streak.get("years"), f"{path}.class_streak.years")
        classes = reader.codes(streak.get("classes"), f"{path}.class_streak.classes")
        if years is not None and (years != int(years) or years < 1):
            reader.problem(
                f"{path}.class_streak.years", "phải là số nguyên ≥ 1", "must be a whole number ≥ 1"
            )
            return None
        return ClassStreak(int(years), classes) if years is not None and classes else None
    reader.problem(
        path,
        "cần một trong metric, class_in, class_streak",
        "needs metric, class_in or class_streak",
    )
    return None


def _ceiling(reader: _Reader, raw: Any, path: str, scale: RatingScale) -> Ceiling | None:
    data = reader.mapping(raw, path)
    if data is None:
        return None

    def rating(value: Any, where: str) -> str | None:
        code = reader.text(value, where)
        if code and code not in scale:
            reader.problem(where, "mức xếp loại không có: {r}", "unknown rating {r}", r=code)
            return None
        return code

    if "class" in data:
        reader.unknown(data, ("class",), path)
        mapping = reader.mapping(data["class"], f"{path}.class")
        if not mapping:
            return None
        found = {str(k): rating(v, f"{path}.class.{k}") for k, v in mapping.items()}
        return ClassCeiling({k: v for k, v in found.items() if v})
    if "metric" in data:
        reader.unknown(data, ("metric", "bands"), path)
        metric = reader.text(data.get("metric"), f"{path}.metric")
        raw_bands = data.get("bands")
        if not isinstance(raw_bands, list) or not raw_bands:
            reader.problem(f"{path}.bands", "phải là một danh sách mức", "must be a list of bands")
            return None
        bands: list[MetricBand] = []
        for index, item in enumerate(raw_bands):
            where = f"{path}.bands[{index}]"
            band = reader.mapping(item, where)
            if band is None:
                continue
            reader.unknown(band, ("min", "max_rating"), where)
            low = reader.number(band.get("min"), f"{where}.min")
            code = rating(band.get("max_rating"), f"{where}.max_rating")
            if low is not None and code:
                if bands and low >= bands[-1].min:
                    reader.problem(
                        f"{where}.min", "các mức phải giảm dần", "bands must go down in min"
                    )
                bands.append(MetricBand(low, code))
        return MetricCeiling(metric, tuple(bands)) if metric and bands else None
    reader.problem(path, "cần class hoặc metric", "needs class or metric")
    return None
