"""Scoring one unit against the tree: leaf points, field sums, total and index."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from parindex.scoring.messages import Message, msg
from parindex.scoring.model import (
    NA,
    CriteriaSet,
    DataRule,
    Entry,
    Inputs,
    LeafValue,
    Node,
    NodeKind,
    NoSurveyData,
    NotApplicable,
    Source,
    SurveyRule,
    Unit,
)
from parindex.scoring.numbers import plain, quantize
from parindex.scoring.results import FieldResult, LeafResult, LeafStatus
from parindex.scoring.rules import ZERO, compile_rule
from parindex.scoring.survey import SurveyScores

HUNDRED = Decimal(100)
OK, MISSING = LeafStatus.OK, LeafStatus.MISSING
BONUS, PENALTY = NodeKind.BONUS, NodeKind.PENALTY


@dataclass(frozen=True, slots=True)
class PreparedLeaf:
    """A leaf compiled once per computation: what scoring it for each unit needs, at hand."""

    node: Node
    field: int | None  # position among the set's fields; None for bonus and penalty leaves
    policy: NotApplicable  # the leaf's own not-applicable policy, else the set's
    code: str
    kind: NodeKind
    source: Source
    max: Decimal
    points_of: Callable[[LeafValue], Decimal | None] | None  # None for survey leaves
    metric: str | None  # a data leaf's metric


@dataclass(frozen=True, slots=True)
class UnitScore:
    """A unit's scores before it is ranked and classed."""

    unit: Unit
    leaves: tuple[LeafResult, ...]
    fields: tuple[FieldResult, ...]
    points: Decimal
    applicable_max: Decimal
    bonus: Decimal
    penalty: Decimal
    by_source: dict[str, Decimal]
    index_exact: Decimal  # clamped to the bounds, not rounded
    index: Decimal  # rounded
    warnings: tuple[Message, ...]


def prepare(criteria: CriteriaSet) -> tuple[PreparedLeaf, ...]:
    prepared: list[PreparedLeaf] = []
    field_position = 0
    for node in criteria.nodes:
        position = field_position if node.kind is NodeKind.NORMAL else None
        for leaf in node.leaves():
            prepared.append(_prepare_leaf(criteria, leaf, position))
        if node.kind is NodeKind.NORMAL:
            field_position += 1
    return tuple(prepared)


def _prepare_leaf(criteria: CriteriaSet, leaf: Node, position: int | None) -> PreparedLeaf:
    assert leaf.source is not None
    assert leaf.rule is not None
    rule = leaf.rule
    points_of = None if isinstance(rule, SurveyRule) else compile_rule(rule, leaf.max)
    return PreparedLeaf(
        node=leaf,
        field=position,
        policy=leaf.not_applicable or criteria.not_applicable,
        code=leaf.code,
        kind=leaf.kind,
        source=leaf.source,
        max=leaf.max,
        points_of=points_of,
        metric=rule.metric if isinstance(rule, DataRule) else None,
    )


def score_unit(
    criteria: CriteriaSet,
    leaves: tuple[PreparedLeaf, ...],
    unit: Unit,
    inputs: Inputs,
    survey: SurveyScores | None,
) -> UnitScore:
    values = inputs.values.get(unit.code, {})
    metrics = inputs.metrics.get(unit.code, {})
    results = tuple([_score_leaf(criteria, p, unit, values, metrics, survey) for p in leaves])
    return _add_up(criteria, leaves, unit, results)


def _score_leaf(
    criteria: CriteriaSet,
    prepared: PreparedLeaf,
    unit: Unit,
    values: Mapping[str, Entry],
    metrics: Mapping[str, Decimal],
    survey: SurveyScores | None,
) -> LeafResult:
    points_of = prepared.points_of
    if points_of is None:
        return _score_survey_leaf(criteria, prepared, unit, survey)
    entry = values.get(prepared.code)
    metric_name: str | None = None
    if entry is None and prepared.metric is not None:
        number = metrics.get(prepared.metric)
        if number is not None:
            entry = Entry(number, plain(number))
            metric_name = prepared.metric
    if entry is None:
        return LeafResult(
            prepared.code, prepared.kind, prepared.source, prepared.max, ZERO, MISSING
        )
    value = entry.value
    points = None if value is NA else points_of(value)
    if points is None:
        return _not_applicable(prepared, entry, metric_name)
    return LeafResult(
        prepared.code,
        prepared.kind,
        prepared.source,
        prepared.max,
        points,
        OK,
        False,
        value,
        entry.text,
        metric_name,
    )


def _not_applicable(prepared: PreparedLeaf, entry: Entry, metric: str | None) -> LeafResult:
    leaf = prepared.node
    assert leaf.source is not None
    normal = leaf.kind is NodeKind.NORMAL
    points = leaf.max if normal and prepared.policy is NotApplicable.FULL else ZERO
    excluded = normal and prepared.policy is NotApplicable.EXCLUDE
    return LeafResult(
        leaf.code,
        leaf.kind,
        leaf.source,
        leaf.max,
        points,
        LeafStatus.NA,
        excluded=excluded,
        value=entry.value,
        text=entry.text,
        metric=metric,
    )


def _score_survey_leaf(
    criteria: CriteriaSet, prepared: PreparedLeaf, unit: Unit, survey: SurveyScores | None
) -> LeafResult:
    leaf = prepared.node
    assert isinstance(leaf.rule, SurveyRule)
    assert leaf.source is not None
    outcome = survey.leaf(unit.code, leaf.rule) if survey is not None else None
    if outcome is None or outcome.share is None:
        spec = criteria.survey
        exclude = spec is not None and spec.no_data is NoSurveyData.EXCLUDE
        excluded = exclude and leaf.kind is NodeKind.NORMAL
        return LeafResult(
            leaf.code,
            leaf.kind,
            leaf.source,
            leaf.max,
            ZERO,
            LeafStatus.NO_SURVEY_DATA,
            excluded=excluded,
            survey=outcome,
        )
    min_sample = criteria.survey.min_sample if criteria.survey else 0
    status = LeafStatus.LOW_SAMPLE if outcome.responses < min_sample else LeafStatus.OK
    return LeafResult(
        leaf.code,
        leaf.kind,
        leaf.source,
        leaf.max,
        leaf.max * outcome.share,
        status,
        survey=outcome,
    )


def _add_up(
    criteria: CriteriaSet,
    prepared: tuple[PreparedLeaf, ...],
    unit: Unit,
    leaves: tuple[LeafResult, ...],
) -> UnitScore:
    fields = criteria.fields
    field_points = [ZERO] * len(fields)
    field_excluded = [ZERO] * len(fields)
    by_source: dict[str, Decimal] = {s.value: ZERO for s in Source}
    bonus = penalty = excluded = ZERO
    for leaf_info, result in zip(prepared, leaves, strict=True):
        position = leaf_info.field
        if position is None:
            if result.kind is BONUS:
                bonus += result.points
            elif result.kind is PENALTY:
                penalty += result.points
            continue
        field_points[position] += result.points
        by_source[result.source] += result.points
        if result.excluded:
            field_excluded[position] += result.max
            excluded += result.max
    field_results = tuple(
        _field_result(node, field_points[i], node.max - field_excluded[i])
        for i, node in enumerate(fields)
    )
    points = sum(field_points, ZERO) + bonus - penalty
    applicable_max = criteria.max_points - excluded
    warnings = list(_survey_warnings(criteria, leaves))
    if applicable_max > 0:
        index_exact = _clamp_index(criteria, points / applicable_max * HUNDRED)
    else:
        index_exact = _clamp_index(criteria, ZERO)
        warnings.append(
            msg(
                "mọi tiêu chí đều không áp dụng: chỉ số tính bằng 0",
                "no criterion applies: the index is taken as 0",
            )
        )
    return UnitScore(
        unit,
        leaves,
        field_results,
        points,
        applicable_max,
        bonus,
        penalty,
        by_source,
        index_exact,
        quantize(index_exact, criteria.decimals),
        tuple(warnings),
    )


def _field_result(node: Node, points: Decimal, applicable: Decimal) -> FieldResult:
    return FieldResult(node.code, node.title, points, applicable)


def _clamp_index(criteria: CriteriaSet, index: Decimal) -> Decimal:
    bounds = criteria.index_bounds
    if bounds.min is not None and index < bounds.min:
        return bounds.min
    if bounds.max is not None and index > bounds.max:
        return bounds.max
    return index


def _survey_warnings(criteria: CriteriaSet, leaves: tuple[LeafResult, ...]) -> list[Message]:
    low = [leaf for leaf in leaves if leaf.status is LeafStatus.LOW_SAMPLE]
    if not low or criteria.survey is None:
        return []
    smallest = min(leaf.survey.responses for leaf in low if leaf.survey is not None)
    return [
        msg(
            "mẫu khảo sát nhỏ (n = {n} < {m}) ở tiêu chí {c}",
            "small survey sample (n = {n} < {m}) for {c}",
            n=smallest,
            m=criteria.survey.min_sample,
            c=", ".join(leaf.code for leaf in low),
        )
    ]
