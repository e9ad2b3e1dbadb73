"""`CriteriaSet` → criteria set YAML (FORMATS.md), the inverse of `parse_criteria`.

`parse_criteria(dump_criteria(c)) == c` for every set the checker accepts: node codes are
quoted (`"1.10"` stays a code, not a number), numbers are written as plain decimals from their
exact `Decimal` value (never through a float), and Vietnamese text is written as it reads
(`allow_unicode`). Comments of a hand-written file are not kept: the web app dumps a set only
when it changes one (appraisers per field), and then the dumped text becomes the version's
source of truth.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from parindex.scoring.model import (
    BooleanRule,
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
    RatioRule,
    Rule,
    SurveyRule,
    SurveySpec,
)
from parindex.scoring.numbers import plain

__all__ = ["criteria_to_data", "dump_criteria", "number_text", "rule_to_data"]


class _Quoted(str):
    """A string always written in double quotes (node codes)."""

    __slots__ = ()


class _Flow(dict[str, Any]):
    """A mapping written on one line: `{code: tot, label: Tốt, min: 90}`."""


class _Dumper(yaml.SafeDumper):
    """Block style for the tree, flow style for small records, no aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # list items indented under their key


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = number_text(value)
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


def _represent_quoted(dumper: yaml.SafeDumper, value: _Quoted) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style='"')


def _represent_flow(dumper: yaml.SafeDumper, value: _Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(_Quoted, _represent_quoted)
_Dumper.add_representer(_Flow, _represent_flow)


def number_text(value: Decimal) -> str:
    """A Decimal as a plain YAML number: `0.25`, `12`, `-0.5`, never an exponent."""
    text = plain(value)
    return "0" if text in ("-0", "") else text


def dump_criteria(criteria: CriteriaSet) -> str:
    """The YAML text of a criteria set, readable by `parse_criteria` to an equal set."""
    text: str = yaml.dump(
        criteria_to_data(criteria),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=1_000_000,
        indent=2,
    )
    return text


def criteria_to_data(criteria: CriteriaSet) -> dict[str, Any]:
    """The set as plain YAML data (dicts, lists, str, Decimal) in the order FORMATS.md uses."""
    data: dict[str, Any] = {
        "code": criteria.code,
        "title": criteria.title,
        "year": criteria.year,
        "unit_group": criteria.unit_group,
        "max_points": criteria.max_points,
        "decimals": criteria.decimals,
        "not_applicable": criteria.not_applicable.value,
        "index_bounds": _bounds(criteria.index_bounds),
    }
    if criteria.classes:
        data["classes"] = [_class(c) for c in criteria.classes]
    if criteria.caps:
        data["caps"] = [_cap(c) for c in criteria.caps]
    if criteria.survey is not None:
        data["survey"] = _survey(criteria.survey)
    data["nodes"] = [_node(n, top=True) for n in criteria.nodes]
    return data


def _bounds(bounds: IndexBounds) -> _Flow:
    flow = _Flow()
    if bounds.min is not None:
        flow["min"] = bounds.min
    if bounds.max is not None:
        flow["max"] = bounds.max
    return flow


def _class(rule: ClassRule) -> _Flow:
    return _Flow(code=rule.code, label=rule.label, min=rule.min)


def _cap(cap: Cap) -> _Flow:
    return _Flow(
        metric=cap.metric, op=cap.op, value=cap.value, max_class=cap.max_class, reason=cap.reason
    )


def _survey(spec: SurveySpec) -> dict[str, Any]:
    data: dict[str, Any] = {}
    if spec.scale is not None:
        data["scale"] = _Flow(min=spec.scale.min, max=spec.scale.max)
    if spec.answers is not None:
        data["answers"] = _Flow(spec.answers)
    data["min_sample"] = spec.min_sample
    data["no_data"] = spec.no_data.value
    data["groups"] = [_Flow(code=g.code, label=g.label, weight=g.weight) for g in spec.groups]
    if spec.questions:
        data["questions"] = [_Flow(code=code, text=text) for code, text in spec.questions.items()]
    return data


def _node(node: Node, *, top: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"code": _Quoted(node.code), "title": node.title}
    if top and node.kind is not NodeKind.NORMAL:
        data["kind"] = node.kind.value
    data["max"] = node.max
    if node.is_leaf:
        if node.source is not None:
            data["source"] = node.source.value
        if node.appraiser:
            data["appraiser"] = node.appraiser
        if node.evidence:
            data["evidence"] = node.evidence
        if node.not_applicable is not None:
            data["not_applicable"] = node.not_applicable.value
        if node.rule is not None:
            data["rule"] = rule_to_data(node.rule)
    else:
        data["children"] = [_node(child, top=False) for child in node.children]
    return data


def rule_to_data(rule: Rule) -> dict[str, Any]:
    """A leaf's rule as YAML data: one line for the short rules, a block for lists."""
    if isinstance(rule, ChoiceRule):
        return {
            "type": "choice",
            "options": [_Flow(code=o.code, label=o.label, points=o.points) for o in rule.options],
        }
    if isinstance(rule, BracketsRule):
        return {"type": "brackets", "brackets": _brackets(rule)}
    if isinstance(rule, DataRule):
        then: dict[str, Any]
        if isinstance(rule.then, BracketsRule):
            then = {"type": "brackets", "brackets": _brackets(rule.then)}
        else:
            then = _Flow(type="ratio", zero_denominator=rule.then.zero_denominator.value)
        return {"type": "data", "metric": rule.metric, "then": then}
    if isinstance(rule, BooleanRule):
        return _Flow({"type": "boolean", "yes": rule.yes, "no": rule.no})
    if isinstance(rule, RatioRule):
        return _Flow(type="ratio", zero_denominator=rule.zero_denominator.value)
    if isinstance(rule, DeductionRule):
        return _Flow(type="deduction", per=rule.per)
    if isinstance(rule, ManualRule):
        return _Flow(type="manual") if rule.step is None else _Flow(type="manual", step=rule.step)
    if isinstance(rule, SurveyRule):
        flow = _Flow(type="survey", questions=list(rule.questions))
        if rule.groups:
            flow["groups"] = list(rule.groups)
        return flow
    raise TypeError(f"unknown rule {rule!r}")  # pragma: no cover - Rule is a closed union


def _brackets(rule: BracketsRule) -> list[_Flow]:
    return [_Flow(min=b.min, points=b.points) for b in rule.brackets]
