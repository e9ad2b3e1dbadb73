"""Hypothesis properties of the engine over random small criteria sets and values.

Sets are built with the dataclasses: 1–3 fields, groups up to three levels deep, every rule
type (survey included), leaf and set not-applicable policies, optional bonus and penalty
nodes and random index bounds. Values are written as people write them and read by
`parse_leaf_value`; any leaf may be missing or `NA`.

Sums of 40-digit decimals may differ in the last digit with the order of the terms (a third
plus a tenth…), so sums are compared within 10⁻³⁰ and published numbers exactly.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scoring_builders import CLASSES, criteria_set, make_inputs, scale_survey

from parindex.scoring import compute, explain
from parindex.scoring.model import (
    BooleanRule,
    Bracket,
    BracketsRule,
    ChoiceRule,
    CriteriaSet,
    DataRule,
    DeductionRule,
    IndexBounds,
    Inputs,
    ManualRule,
    Node,
    NodeKind,
    NotApplicable,
    Option,
    RatioRule,
    Rule,
    Source,
    SurveyRule,
    Unit,
    ZeroDenominator,
)
from parindex.scoring.numbers import CONTEXT, plain
from parindex.scoring.results import Results

D = Decimal
TINY = D("1e-30")
PROPERTY = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MAXIMA = [D(1), D("1.5"), D(2), D("2.5"), D(3), D(5), D(10)]
MINS = [D(1), D("0.9"), D("0.8"), D("0.5"), D("0.2")]
QUESTIONS = ("q1", "q2", "q3")
GROUPS = ("cbccvc", "nguoi_dan")


def halves(maximum: Decimal) -> list[Decimal]:
    return [D(k) / 2 for k in range(int(maximum * 2) + 1)]


# ---------------------------------------------------------------- random sets


@st.composite
def monotone_brackets(draw: st.DrawFn, maximum: Decimal) -> BracketsRule:
    mins = sorted(draw(st.sets(st.sampled_from(MINS), min_size=1, max_size=3)), reverse=True)
    points = sorted(
        (draw(st.sampled_from(halves(maximum))) for _ in mins), reverse=True
    )  # higher min, more points
    return BracketsRule(tuple(Bracket(m, p) for m, p in zip(mins, points, strict=True)))


@st.composite
def rules(draw: st.DrawFn, maximum: Decimal, survey: bool) -> tuple[Rule, Source]:
    kinds = ["choice", "boolean", "brackets", "ratio", "deduction", "manual", "data"]
    kind = draw(st.sampled_from([*kinds, "survey"] if survey else kinds))
    if kind == "choice":
        count = draw(st.integers(2, 3))
        points = [draw(st.sampled_from(halves(maximum))) for _ in range(count)]
        options = tuple(Option(f"o{i}", f"Phương án {i}", p) for i, p in enumerate(points))
        return ChoiceRule(options), Source.SELF
    if kind == "boolean":
        yes, no = (draw(st.sampled_from(halves(maximum))) for _ in range(2))
        return BooleanRule(yes, no), Source.SELF
    if kind == "brackets":
        return draw(monotone_brackets(maximum)), Source.SELF
    if kind == "ratio":
        return RatioRule(draw(st.sampled_from(list(ZeroDenominator)))), Source.SELF
    if kind == "deduction":
        return DeductionRule(draw(st.sampled_from([D("0.25"), D("0.5"), D(1)]))), Source.SELF
    if kind == "manual":
        return ManualRule(draw(st.sampled_from([None, D("0.25"), D("0.5"), D(1)]))), Source.SELF
    if kind == "data":
        then: BracketsRule | RatioRule
        if draw(st.booleans()):
            then = draw(monotone_brackets(maximum))
        else:
            then = RatioRule(draw(st.sampled_from(list(ZeroDenominator))))
        return DataRule(draw(st.sampled_from(["m1", "m2"])), then), Source.DATA
    questions = tuple(sorted(draw(st.sets(st.sampled_from(QUESTIONS), min_size=1))))
    groups = tuple(sorted(draw(st.sets(st.sampled_from(GROUPS), max_size=2))))
    return SurveyRule(questions, groups), Source.SURVEY


@st.composite
def leaves(
    draw: st.DrawFn, code: str, kind: NodeKind = NodeKind.NORMAL, survey: bool = True
) -> Node:
    maximum = draw(st.sampled_from(MAXIMA))
    rule, source = draw(rules(maximum, survey and kind is NodeKind.NORMAL))
    policy = draw(st.sampled_from([None, None, *NotApplicable]))
    return Node(code, f"Tiêu chí {code}", maximum, kind, (), source, rule, not_applicable=policy)


@st.composite
def nodes(draw: st.DrawFn, code: str, depth: int) -> Node:
    if depth >= 3 or (depth > 1 and draw(st.booleans())):
        return draw(leaves(code))
    count = draw(st.integers(1, 3))
    children = tuple(draw(nodes(f"{code}.{i}", depth + 1)) for i in range(1, count + 1))
    return Node(code, f"Nhóm {code}", sum((c.max for c in children), D(0)), children=children)


@st.composite
def criteria_sets(draw: st.DrawFn) -> CriteriaSet:
    fields = [draw(nodes(str(i), 1)) for i in range(1, draw(st.integers(1, 3)) + 1)]
    extra = []
    if draw(st.booleans()):
        extra.append(draw(leaves("B", NodeKind.BONUS)))
    if draw(st.booleans()):
        extra.append(draw(leaves("P", NodeKind.PENALTY)))
    low = draw(st.sampled_from([None, D(0), D(10)]))
    high = draw(st.sampled_from([None, D(100), D(90)]))
    return criteria_set(
        *fields,
        *extra,
        decimals=draw(st.integers(0, 3)),
        not_applicable=draw(st.sampled_from(list(NotApplicable))),
        bounds=IndexBounds(low, high),
        classes=CLASSES,
        survey=scale_survey(
            ("cbccvc", 1),
            ("nguoi_dan", draw(st.sampled_from([1, 2, 3]))),
            min_sample=draw(st.integers(0, 4)),
            no_data=draw(st.sampled_from(["zero", "exclude"])),
        ),
    )


# ---------------------------------------------------------------- random values


Draw = Callable[[st.SearchStrategy[Any]], Any]


def value_text(draw: Draw, node: Node) -> str | None:
    """A value for `node` as a person writes it; None: no value (missing)."""
    roll = draw(st.integers(0, 9))
    if roll == 0:
        return None
    if roll == 1:
        return str(draw(st.sampled_from(["NA", "KPS", "N/A", "không phát sinh"])))
    rule = node.rule
    if isinstance(rule, ChoiceRule):
        return str(draw(st.sampled_from([o.code for o in rule.options] + [rule.options[0].label])))
    if isinstance(rule, BooleanRule):
        return str(draw(st.sampled_from(["có", "không", "yes", "no", "x", "đạt", "1", "0"])))
    if isinstance(rule, BracketsRule):
        return number_text(draw)
    if isinstance(rule, RatioRule):
        return f"{draw(st.integers(0, 60))}/{draw(st.integers(0, 50))}"
    if isinstance(rule, DeductionRule):
        return str(draw(st.integers(0, 12)))
    if isinstance(rule, ManualRule):
        step = rule.step or D("0.01")
        steps = int(node.max / step)
        return plain(step * draw(st.integers(0, steps))).replace(".", ",")
    if isinstance(rule, DataRule):
        return None if draw(st.booleans()) else number_text(draw)
    return None  # survey leaves take no value


def number_text(draw: Draw) -> str:
    hundredths = draw(st.integers(0, 130))
    if draw(st.booleans()):
        return f"{hundredths}%"
    return plain(D(hundredths) / 100).replace(".", ",")


@dataclass(frozen=True)
class Case:
    criteria: CriteriaSet
    values: dict[str, dict[str, str]]
    metrics: dict[str, dict[str, str]]
    responses: list[dict[str, Any]]
    units: tuple[Unit, ...]

    def inputs(self, criteria: CriteriaSet | None = None) -> Inputs:
        return make_inputs(
            criteria or self.criteria,
            self.values,
            units=self.units,
            metrics=self.metrics,
            responses=self.responses,
        )

    def results(self, criteria: CriteriaSet | None = None) -> Results:
        return compute(criteria or self.criteria, self.inputs(criteria))


@st.composite
def cases(draw: st.DrawFn) -> Case:
    criteria = draw(criteria_sets())
    codes = [f"U{i}" for i in range(1, draw(st.integers(1, 5)) + 1)]
    values: dict[str, dict[str, str]] = {}
    metrics: dict[str, dict[str, str]] = {}
    responses: list[dict[str, Any]] = []
    for unit in codes:
        row = {}
        for node in criteria.leaves():
            text = value_text(draw, node)
            if text is not None:
                row[node.code] = text
        values[unit] = row
        metrics[unit] = {m: number_text(draw) for m in ("m1", "m2") if draw(st.integers(0, 3)) > 0}
        for _ in range(draw(st.integers(0, 4))):
            answers = {q: draw(st.sampled_from(["", "1", "2", "3", "4", "5"])) for q in QUESTIONS}
            grp = draw(st.sampled_from(GROUPS))
            responses.append({"unit": unit, "group": grp, "answers": answers})
    return Case(criteria, values, metrics, responses, tuple(Unit(c, c) for c in codes))


# ---------------------------------------------------------------- properties


@PROPERTY
@given(cases())
def test_every_leaf_scores_within_zero_and_its_max(case: Case) -> None:
    for unit in case.results().units:
        for leaf in unit.leaves:
            assert D(0) <= leaf.points <= leaf.max, (unit.unit.code, leaf)


def shuffled(nodes_: tuple[Node, ...], rng: random.Random) -> tuple[Node, ...]:
    order = list(nodes_)
    rng.shuffle(order)
    return tuple(replace(n, children=shuffled(n.children, rng)) if n.children else n for n in order)


@PROPERTY
@given(cases(), st.randoms(use_true_random=False))
def test_the_order_of_children_does_not_change_any_score(case: Case, rng: random.Random) -> None:
    reordered = replace(case.criteria, nodes=shuffled(case.criteria.nodes, rng))
    before, after = case.results(), case.results(reordered)
    with localcontext(CONTEXT):
        check_same_scores(before, after)


def check_same_scores(before: Results, after: Results) -> None:
    for unit in before.units:
        other = after.unit(unit.unit.code)
        assert other is not None
        assert (other.index, other.rank, other.class_code) == (
            unit.index,
            unit.rank,
            unit.class_code,
        )
        assert abs(other.points - unit.points) <= TINY
        assert other.applicable_max == unit.applicable_max
        for leaf in unit.leaves:
            moved = other.leaf(leaf.code)
            assert moved is not None and moved.points == leaf.points
        assert {f.code: f.max for f in other.fields} == {f.code: f.max for f in unit.fields}


# A better value: (worse text, better text) for a leaf, never NA.


def better_pair(draw: Draw, node: Node) -> tuple[str, str] | None:
    rule = node.rule
    if isinstance(rule, ChoiceRule):
        picked = draw(st.lists(st.sampled_from(rule.options), min_size=2, max_size=2))
        worse_option, better_option = sorted(picked, key=lambda o: o.points)
        return worse_option.code, better_option.code
    if isinstance(rule, BooleanRule):
        return ("không", "có") if rule.yes >= rule.no else ("có", "không")
    low, high = sorted(draw(st.integers(0, 130)) for _ in range(2))
    if isinstance(rule, (BracketsRule, DataRule)):
        return f"{low}%", f"{high}%"
    if isinstance(rule, RatioRule):
        denominator = draw(st.integers(1, 50))
        return f"{low}/{denominator}", f"{high}/{denominator}"
    if isinstance(rule, DeductionRule):
        return str(high // 10), str(low // 10)  # fewer violations is better
    if isinstance(rule, ManualRule):
        step = rule.step or D("0.01")
        steps = int(node.max / step)
        return plain(step * min(low, steps)), plain(step * min(high, steps))
    return None


@PROPERTY
@given(cases(), st.data())
def test_a_better_value_never_lowers_a_score(case: Case, data: st.DataObject) -> None:
    candidates = [n for n in case.criteria.leaves() if not isinstance(n.rule, SurveyRule)]
    if not candidates:
        return
    node = data.draw(st.sampled_from(candidates))
    pair = better_pair(data.draw, node)
    assert pair is not None
    unit = case.units[0].code
    scored = []
    for text in pair:
        values = {**case.values, unit: {**case.values[unit], node.code: text}}
        results = compute(
            case.criteria,
            make_inputs(
                case.criteria,
                values,
                units=case.units,
                metrics=case.metrics,
                responses=case.responses,
            ),
        )
        found = results.unit(unit)
        assert found is not None
        leaf = found.leaf(node.code)
        assert leaf is not None
        scored.append((leaf.points, found.index, found.points))
    (worse_leaf, worse_index, worse_points), (better_leaf, better_index, better_points) = scored
    assert better_leaf >= worse_leaf, (node.rule, pair)
    sign = -1 if node.kind is NodeKind.PENALTY else 1
    with localcontext(CONTEXT):
        assert sign * (better_points - worse_points) >= -TINY
    if node.kind is not NodeKind.PENALTY:
        assert better_index >= worse_index


def children_of(trace_nodes: tuple[Any, ...], position: int) -> list[Any]:
    depth = trace_nodes[position].depth
    found = []
    for node in trace_nodes[position + 1 :]:
        if node.depth <= depth:
            break
        if node.depth == depth + 1:
            found.append(node)
    return found


@PROPERTY
@given(cases())
def test_the_explain_trace_adds_up_to_the_result(case: Case) -> None:
    with localcontext(CONTEXT):  # the engine's 40 digits for the test's own sums
        check_trace_adds_up(case)


def check_trace_adds_up(case: Case) -> None:
    results = case.results()
    kinds = {n.code: n.kind for n in case.criteria.nodes}
    for unit in results.units:
        trace = explain(case.criteria, results, unit.unit.code)
        for position, node in enumerate(trace.nodes):
            if node.leaf:
                continue
            children = children_of(trace.nodes, position)
            assert abs(node.points - sum((c.points for c in children), D(0))) <= TINY
            assert node.max == sum((c.max for c in children), D(0))
        top = [n for n in trace.nodes if n.depth == 0]
        by_kind = {kind: D(0) for kind in NodeKind}
        for node in top:
            by_kind[kinds[node.code]] += node.points
        assert abs(by_kind[NodeKind.BONUS] - unit.bonus) <= TINY
        assert abs(by_kind[NodeKind.PENALTY] - unit.penalty) <= TINY
        fields = sum((f.points for f in unit.fields), D(0))
        assert abs(by_kind[NodeKind.NORMAL] - fields) <= TINY
        assert abs(fields + unit.bonus - unit.penalty - unit.points) <= TINY
        assert sum((f.max for f in unit.fields), D(0)) == unit.applicable_max
        normal = sum((leaf.points for leaf in unit.leaves if leaf.kind is NodeKind.NORMAL), D(0))
        assert abs(sum(unit.by_source.values(), D(0)) - normal) <= TINY


@PROPERTY
@given(cases(), st.randoms(use_true_random=False))
def test_ranking_is_deterministic_and_ties_share_ranks(case: Case, rng: random.Random) -> None:
    results = case.results()
    indices = [u.index for u in results.units]
    for unit in results.units:
        assert unit.rank == 1 + sum(1 for i in indices if i > unit.index)
    listed = [(u.rank, u.unit.code) for u in results.units]
    assert listed == sorted(listed)
    order = list(case.units)
    rng.shuffle(order)
    again = compute(
        case.criteria,
        make_inputs(
            case.criteria,
            case.values,
            units=order,
            metrics=case.metrics,
            responses=case.responses,
        ),
    )
    assert [(u.unit.code, u.rank, u.index, u.class_code) for u in again.units] == [
        (u.unit.code, u.rank, u.index, u.class_code) for u in results.units
    ]


@PROPERTY
@given(cases())
def test_the_index_stays_within_its_bounds_and_is_rounded_to_the_set_decimals(case: Case) -> None:
    bounds = case.criteria.index_bounds
    for unit in case.results().units:
        if bounds.min is not None:
            assert unit.index >= bounds.min and unit.index_exact >= bounds.min
        if bounds.max is not None:
            assert unit.index <= bounds.max and unit.index_exact <= bounds.max
        assert unit.index.as_tuple().exponent == -case.criteria.decimals
