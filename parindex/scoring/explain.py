"""`explain()`: the per-unit trace that appeals and audits read.

For every leaf: the value, the rule applied and the points; then how they add up to the
fields, the total, the index, the class (with caps) and the rank.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal

from parindex.scoring.messages import Message, msg
from parindex.scoring.model import (
    BooleanRule,
    BracketsRule,
    ChoiceRule,
    CriteriaSet,
    DataRule,
    DeductionRule,
    Fraction,
    ManualRule,
    Node,
    RatioRule,
    Rule,
    SurveyRule,
)
from parindex.scoring.numbers import CONTEXT, plain, quantize
from parindex.scoring.results import LeafResult, LeafStatus, Results, UnitResult

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class TraceNode:
    code: str
    title: str
    depth: int  # 0 for a field, bonus or penalty node
    points: Decimal
    max: Decimal  # applicable max (excluded leaves count 0)
    leaf: bool
    status: LeafStatus | None = None
    detail: Message | None = None  # for a leaf: value → rule → points


@dataclass(frozen=True, slots=True)
class Trace:
    unit: UnitResult
    criteria: CriteriaSet
    nodes: tuple[TraceNode, ...]  # the tree in order, depth first
    steps: tuple[Message, ...]  # total → index → class → rank


def explain(criteria: CriteriaSet, results: Results, unit_code: str) -> Trace:
    """The trace of one unit; KeyError when the unit is not in the results."""
    with decimal.localcontext(CONTEXT):
        return _explain(criteria, results, unit_code)


def _explain(criteria: CriteriaSet, results: Results, unit_code: str) -> Trace:
    unit = results.unit(unit_code)
    if unit is None:
        raise KeyError(unit_code)
    leaves = {leaf.code: leaf for leaf in unit.leaves}
    nodes: list[TraceNode] = []
    for top in criteria.nodes:
        _walk(criteria, top, 0, leaves, nodes)
    return Trace(unit, criteria, tuple(nodes), tuple(_steps(criteria, results, unit)))


def _walk(
    criteria: CriteriaSet,
    node: Node,
    depth: int,
    leaves: dict[str, LeafResult],
    out: list[TraceNode],
) -> tuple[Decimal, Decimal]:
    if node.is_leaf:
        result = leaves[node.code]
        applicable = Decimal(0) if result.excluded else node.max
        detail = leaf_detail(criteria, node, result)
        out.append(
            TraceNode(
                node.code,
                node.title,
                depth,
                result.points,
                applicable,
                True,
                result.status,
                detail,
            )
        )
        return result.points, applicable
    position = len(out)
    out.append(TraceNode(node.code, node.title, depth, Decimal(0), Decimal(0), False))
    points = applicable = Decimal(0)
    for child in node.children:
        child_points, child_max = _walk(criteria, child, depth + 1, leaves, out)
        points += child_points
        applicable += child_max
    out[position] = TraceNode(node.code, node.title, depth, points, applicable, False)
    return points, applicable


MARK = "\ue000"  # wraps each number in a trace so that render_trace can localise it


def show(number: Decimal) -> str:
    """A number as the trace prints it: exact when short, else to 4 decimals."""
    exact = plain(number)
    if len(exact.partition(".")[2]) > 4:
        exact = plain(quantize(number, 4)) + "…"
    return f"{MARK}{exact}{MARK}"


def leaf_detail(criteria: CriteriaSet, node: Node, result: LeafResult) -> Message:
    if result.status is LeafStatus.MISSING:
        return msg("chưa có giá trị → 0", "no value given → 0")
    if result.status is LeafStatus.NO_SURVEY_DATA:
        if result.excluded:
            return msg(
                "không có phiếu trả lời → loại khỏi điểm tối đa",
                "no survey answers → left out of the maximum",
            )
        return msg("không có phiếu trả lời → 0", "no survey answers → 0")
    if result.status is LeafStatus.NA:
        return _not_applicable_detail(result)
    assert node.rule is not None
    if isinstance(node.rule, SurveyRule):
        return _survey_detail(result)
    return _rule_detail(node.rule, node.max, result)


def _not_applicable_detail(result: LeafResult) -> Message:
    written = result.text or "NA"
    if result.excluded:
        return msg(
            "'{v}': không phát sinh → loại khỏi điểm tối đa",
            "'{v}': not applicable → left out of the maximum",
            v=written,
        )
    return msg(
        "'{v}': không phát sinh → {p}",
        "'{v}': not applicable → {p}",
        v=written,
        p=show(result.points),
    )


def _rule_detail(rule: Rule, maximum: Decimal, result: LeafResult) -> Message:
    value, points = result.value, show(result.points)
    if isinstance(rule, ChoiceRule):
        option = rule.option(str(value))
        label = option.label if option else str(value)
        return msg("chọn '{v}' ({l}) → {p}", "option '{v}' ({l}) → {p}", v=value, l=label, p=points)
    if isinstance(rule, BooleanRule):
        return msg(
            "{v} → {p}",
            "{w} → {p}",
            v="có" if value else "không",
            w="yes" if value else "no",
            p=points,
        )
    if isinstance(rule, DeductionRule):
        return msg(
            "{m} − {r} × {n} lần vi phạm → {p}",
            "{m} − {r} × {n} violations → {p}",
            m=show(maximum),
            r=show(rule.per),
            n=value,
            p=points,
        )
    if isinstance(rule, ManualRule):
        return msg("chấm {p} điểm", "scored {p} by judgement", p=points)
    if isinstance(rule, BracketsRule):
        return _brackets_detail(rule, value, points)
    if isinstance(rule, RatioRule):
        return _ratio_detail(maximum, value, points)
    assert isinstance(rule, DataRule)
    origin = (
        msg("từ số liệu '{m}'", "from metric '{m}'", m=result.metric)
        if result.metric
        else msg("nhập trực tiếp", "entered directly")
    )
    inner = (
        _brackets_detail(rule.then, value, points)
        if isinstance(rule.then, BracketsRule)
        else _ratio_detail(maximum, value, points)
    )
    return Message(f"{origin.vi}: {inner.vi}", f"{origin.en}: {inner.en}")


def _brackets_detail(rule: BracketsRule, value: object, points: str) -> Message:
    assert isinstance(value, Decimal)
    for bracket in rule.brackets:
        if value >= bracket.min:
            return msg(
                "{v} ≥ ngưỡng {b} → {p}",
                "{v} ≥ threshold {b} → {p}",
                v=show(value),
                b=show(bracket.min),
                p=points,
            )
    return msg("{v} dưới mọi ngưỡng → 0", "{v} is below every threshold → 0", v=show(value))


def _ratio_detail(maximum: Decimal, value: object, points: str) -> Message:
    if isinstance(value, Fraction):
        if value.denominator == 0:
            return msg("mẫu số bằng 0 → {p}", "zero denominator → {p}", p=points)
        share = f"{show(value.numerator)}/{show(value.denominator)}"
    else:
        assert isinstance(value, Decimal)
        share = show(value)
    return msg(
        "{m} × {s} → {p} (trong khoảng [0; {m}])",
        "{m} × {s} → {p} (within [0, {m}])",
        m=show(maximum),
        s=share,
        p=points,
    )


def _survey_detail(result: LeafResult) -> Message:
    outcome = result.survey
    assert outcome is not None and outcome.share is not None
    groups_vi = "; ".join(
        f"nhóm {g.group}: {show(g.score)} (trọng số {show(g.weight)}, {g.questions} câu, "
        f"{g.answers} trả lời)"
        for g in outcome.groups
    )
    groups_en = "; ".join(
        f"group {g.group}: {show(g.score)} (weight {show(g.weight)}, {g.questions} questions, "
        f"{g.answers} answers)"
        for g in outcome.groups
    )
    tail_vi = f" → tỷ lệ {show(outcome.share)} × {show(result.max)} = {show(result.points)}"
    tail_en = f" → share {show(outcome.share)} × {show(result.max)} = {show(result.points)}"
    sample_vi = f" [n = {outcome.responses} phiếu]"
    sample_en = f" [n = {outcome.responses} responses]"
    return Message(groups_vi + tail_vi + sample_vi, groups_en + tail_en + sample_en)


def _steps(criteria: CriteriaSet, results: Results, unit: UnitResult) -> list[Message]:
    normal = unit.points - unit.bonus + unit.penalty
    excluded = [leaf.code for leaf in unit.leaves if leaf.excluded]
    steps = [
        msg(
            "Tổng điểm = {n} (tự đánh giá {s}, điều tra XHH {v}, số liệu {d}) + thưởng {b}"
            " − trừ {t} = {p}",
            "Points = {n} (self {s}, survey {v}, data {d}) + bonus {b} − penalty {t} = {p}",
            n=show(normal),
            s=show(unit.by_source["self"]),
            v=show(unit.by_source["survey"]),
            d=show(unit.by_source["data"]),
            b=show(unit.bonus),
            t=show(unit.penalty),
            p=show(unit.points),
        ),
        msg(
            "Điểm tối đa áp dụng = {m} − {x} (loại trừ: {c}) = {a}",
            "Applicable max = {m} − {x} (left out: {c}) = {a}",
            m=show(criteria.max_points),
            x=show(criteria.max_points - unit.applicable_max),
            c=", ".join(excluded) or "—",
            a=show(unit.applicable_max),
        ),
        _index_step(criteria, unit),
        _class_step(criteria, unit),
        msg(
            "Xếp hạng: {r}/{n} trong khối {g}",
            "Rank: {r} of {n} in group {g}",
            r=unit.rank,
            n=len(results.units),
            g=results.unit_group,
        ),
    ]
    if unit.previous is not None and unit.delta is not None:
        steps.append(_previous_step(unit))
    return steps


def _index_step(criteria: CriteriaSet, unit: UnitResult) -> Message:
    raw = unit.points / unit.applicable_max * HUNDRED if unit.applicable_max > 0 else Decimal(0)
    clamped = ""
    if raw != unit.index_exact:
        clamped = f" → [{show(unit.index_exact)}]"
    return msg(
        "Chỉ số = {p} / {a} × 100 = {r}{c} → làm tròn {d} chữ số: {i}",
        "Index = {p} / {a} × 100 = {r}{c} → rounded half-up to {d} decimals: {i}",
        p=show(unit.points),
        a=show(unit.applicable_max),
        r=show(raw),
        c=clamped,
        d=criteria.decimals,
        i=f"{MARK}{unit.index}{MARK}",  # as published: 77.00, not 77
    )


def _class_step(criteria: CriteriaSet, unit: UnitResult) -> Message:
    before = criteria.class_label(unit.class_before_caps) or "—"
    if not unit.caps:
        return msg("Xếp loại: {c}", "Class: {c}", c=before)
    final = criteria.class_label(unit.class_code) or "—"
    reasons = "; ".join(cap.reason for cap in unit.caps)
    return msg(
        "Xếp loại theo chỉ số: {b}; bị giới hạn xuống {f} vì: {r}",
        "Class by index: {b}; capped to {f} because: {r}",
        b=before,
        f=final,
        r=reasons,
    )


def _previous_step(unit: UnitResult) -> Message:
    assert unit.previous is not None and unit.delta is not None
    lineage_vi = lineage_en = ""
    if unit.previous_from:
        names = ", ".join(unit.previous_from)
        lineage_vi = f" (bình quân các đơn vị tiền thân: {names})"
        lineage_en = f" (mean of predecessors: {names})"
    return Message(
        f"Năm trước: {show(unit.previous.index)}{lineage_vi}; thay đổi {show(unit.delta.index)}"
        + (f", {unit.delta.rank:+d} bậc" if unit.delta.rank is not None else ""),
        f"Last year: {show(unit.previous.index)}{lineage_en}; change {show(unit.delta.index)}"
        + (f", {unit.delta.rank:+d} places" if unit.delta.rank is not None else ""),
    )


def render_trace(trace: Trace, lang: str = "vi") -> str:
    """The trace as indented text, Vietnamese numbers (`73,79`) in Vietnamese."""
    unit = trace.unit
    lines = [f"{unit.unit.name} ({unit.unit.code}) — {trace.criteria.code}: {trace.criteria.title}"]
    for node in trace.nodes:
        indent = "  " * node.depth
        score = f"{show(node.points)} / {show(node.max)}"
        if node.leaf:
            flagged = node.status is not None and node.status is not LeafStatus.OK
            status = f" [{node.status.value}]" if flagged and node.status else ""
            detail = node.detail.render(lang) if node.detail else ""
            lines.append(f"{indent}{node.code} {node.title}: {detail} = {score}{status}")
        else:
            lines.append(f"{indent}{node.code} {node.title}: {score}")
    lines.append("")
    lines.extend(step.render(lang) for step in trace.steps)
    return localise_numbers("\n".join(lines), lang)


def localise_numbers(text: str, lang: str) -> str:
    """Numbers written by `show`: `73,79` in Vietnamese, `73.79` in English; codes untouched."""
    parts = text.split(MARK)
    if lang == "vi":
        parts[1::2] = [p.replace(".", ",") for p in parts[1::2]]
    return "".join(parts)
