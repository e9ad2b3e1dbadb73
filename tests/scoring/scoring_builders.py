"""Tiny builders for engine tests: criteria sets from dataclasses or YAML, inputs from text.

Values are given as people write them (`"45/50"`, `"92,5%"`, `"KPS"`) and read with the
engine's own `parse_leaf_value`, so every test also goes through the value parser.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.formats.criteria import parse_criteria
from parindex.scoring.engine import compute
from parindex.scoring.model import (
    Cap,
    ClassRule,
    CriteriaSet,
    Entry,
    IndexBounds,
    Inputs,
    Node,
    NodeKind,
    NoSurveyData,
    NotApplicable,
    PreviousResult,
    RespondentGroup,
    Rule,
    Scale,
    Source,
    SurveySpec,
    SurveyTally,
    Unit,
)
from parindex.scoring.numbers import parse_number
from parindex.scoring.results import LeafResult, Results, UnitResult
from parindex.scoring.values import parse_leaf_value

D = Decimal


def leaf(
    code: str,
    maximum: str | int | Decimal,
    rule: Rule,
    *,
    source: Source = Source.SELF,
    kind: NodeKind = NodeKind.NORMAL,
    not_applicable: NotApplicable | None = None,
    title: str | None = None,
) -> Node:
    return Node(
        code=code,
        title=title or f"Tiêu chí {code}",
        max=D(maximum),
        kind=kind,
        source=source,
        rule=rule,
        not_applicable=not_applicable,
    )


def group(code: str, *children: Node, title: str | None = None) -> Node:
    kind = children[0].kind if children else NodeKind.NORMAL
    total = sum((c.max for c in children), D(0))
    return Node(
        code=code,
        title=title or f"Lĩnh vực {code}",
        max=total,
        kind=kind,
        children=tuple(children),
    )


def criteria_set(
    *nodes: Node,
    decimals: int = 2,
    not_applicable: NotApplicable = NotApplicable.EXCLUDE,
    bounds: IndexBounds | None = None,
    classes: Iterable[tuple[str, str | int]] = (),
    caps: Iterable[Cap] = (),
    survey: SurveySpec | None = None,
) -> CriteriaSet:
    normal = [n for n in nodes if n.kind is NodeKind.NORMAL]
    return CriteriaSet(
        code="TEST",
        title="Bộ tiêu chí thử",
        year=2024,
        unit_group="so_nganh",
        max_points=sum((n.max for n in normal), D(0)),
        decimals=decimals,
        nodes=tuple(nodes),
        not_applicable=not_applicable,
        index_bounds=bounds or IndexBounds(),
        classes=tuple(ClassRule(code, code, D(low)) for code, low in classes),
        caps=tuple(caps),
        survey=survey,
    )


CLASSES = (("tot", 90), ("kha", 80), ("trung_binh", 65), ("yeu", 0))


def scale_survey(
    *groups: tuple[str, str | int],
    low: int = 1,
    high: int = 5,
    min_sample: int = 0,
    no_data: str = "zero",
) -> SurveySpec:
    return SurveySpec(
        groups=tuple(RespondentGroup(code, code, D(weight)) for code, weight in groups),
        scale=Scale(low, high),
        min_sample=min_sample,
        no_data=NoSurveyData(no_data),
    )


def entries(criteria: CriteriaSet, values: Mapping[str, str]) -> dict[str, Entry]:
    """Leaf code → entry, each value read by the leaf's rule."""
    found: dict[str, Entry] = {}
    for code, text in values.items():
        node = criteria.leaf(code)
        assert node is not None, f"no leaf {code}"
        found[code] = Entry(parse_leaf_value(node, text), text)
    return found


def tally(criteria: CriteriaSet, responses: Iterable[Mapping[str, Any]]) -> SurveyTally:
    """Count responses `{unit, group, answers: {question: answer or ""}}` like the CSV reader."""
    spec = criteria.survey
    assert spec is not None
    answers: dict[tuple[str, str, str], Counter[int | str]] = {}
    counted: Counter[tuple[str, str]] = Counter()
    accepted = 0
    for response in responses:
        unit, grp = str(response["unit"]), str(response["group"])
        counted[(unit, grp)] += 1
        accepted += 1
        for question, raw in dict(response["answers"]).items():
            text = str(raw).strip()
            if not text:
                continue
            key: int | str = int(parse_number(text)) if spec.scale is not None else text
            answers.setdefault((unit, grp, str(question)), Counter())[key] += 1
    return SurveyTally(answers=answers, responses=dict(counted), accepted=accepted)


def make_inputs(
    criteria: CriteriaSet,
    values: Mapping[str, Mapping[str, str]],
    *,
    units: Iterable[Unit] | None = None,
    metrics: Mapping[str, Mapping[str, str]] | None = None,
    responses: Iterable[Mapping[str, Any]] | None = None,
    previous: Mapping[str, tuple[str, int | None]] | None = None,
) -> Inputs:
    """Inputs from text. Units default to every unit named in values, metrics or answers."""
    metric_numbers = {
        unit: {name: parse_number(text) for name, text in named.items()}
        for unit, named in (metrics or {}).items()
    }
    survey = tally(criteria, responses) if responses is not None else None
    if units is None:
        named = set(values) | set(metric_numbers)
        if survey is not None:
            named |= {unit for unit, _ in survey.responses}
        units = [Unit(code, code) for code in sorted(named)]
    return Inputs(
        units=tuple(units),
        values={unit: entries(criteria, row) for unit, row in values.items()},
        metrics=metric_numbers,
        survey=survey,
        previous=(
            {code: PreviousResult(D(index), rank) for code, (index, rank) in previous.items()}
            if previous is not None
            else None
        ),
    )


def load_criteria(path: Path) -> CriteriaSet:
    return parse_criteria(path.read_text(encoding="utf-8"), str(path))


def run(criteria: CriteriaSet, values: Mapping[str, Mapping[str, str]], **kwargs: Any) -> Results:
    """compute() on values written as text (see make_inputs for the keyword arguments)."""
    return compute(criteria, make_inputs(criteria, values, **kwargs))


def unit_result(results: Results, code: str) -> UnitResult:
    found = results.unit(code)
    assert found is not None, f"no unit {code} in the results"
    return found


def leaf_result(results: Results, unit: str, code: str) -> LeafResult:
    found = unit_result(results, unit).leaf(code)
    assert found is not None, f"no leaf {code} for {unit}"
    return found
