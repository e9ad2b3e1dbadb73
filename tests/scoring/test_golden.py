"""The worked examples of docs/scoring.md, as data: each case under golden/ is a criteria set
(`criteria.yaml`) and its inputs with the expected numbers (`case.yaml`).

The doc marks each example with `<!-- golden: NAME -->` … `<!-- /golden -->`; a test below
checks that every expected index of a case is written in its section, so the doc and the
tests cannot drift apart.
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml
from scoring_builders import load_criteria, make_inputs

from parindex.scoring import compute, explain, improve, render_trace
from parindex.scoring.model import CriteriaSet, Unit
from parindex.scoring.numbers import quantize
from parindex.scoring.results import Results, UnitResult

GOLDEN = Path(__file__).parent / "golden"
DOC = Path(__file__).parents[2] / "docs" / "scoring.md"
CASES = sorted(p.name for p in GOLDEN.iterdir() if (p / "case.yaml").exists())


def load_case(name: str) -> tuple[CriteriaSet, dict[str, Any], Results]:
    criteria = load_criteria(GOLDEN / name / "criteria.yaml")
    case = yaml.safe_load((GOLDEN / name / "case.yaml").read_text(encoding="utf-8"))
    units = [
        Unit(u["code"], u["name"], predecessors=tuple(u.get("predecessors", ())))
        for u in case["units"]
    ]
    previous = {
        code: (str(p["index"]), p["rank"]) for code, p in (case.get("previous") or {}).items()
    }
    inputs = make_inputs(
        criteria,
        {unit: {str(k): str(v) for k, v in row.items()} for unit, row in case["values"].items()},
        units=units,
        metrics={
            unit: {str(k): str(v) for k, v in row.items()}
            for unit, row in (case.get("metrics") or {}).items()
        },
        responses=case.get("responses"),
        previous=previous or None,
    )
    return criteria, case, compute(criteria, inputs)


def published(number: Decimal | None, decimals: int) -> str | None:
    return None if number is None else str(quantize(number, decimals))


def expect_number(actual: Decimal | None, expected: str, decimals: int) -> None:
    """`expected` as written in the case: compared at the precision it is written with, or
    at the set's decimals when it has fewer places than the exact value needs."""
    assert actual is not None
    wanted = Decimal(expected)
    if actual == wanted:
        return
    places = max(-wanted.as_tuple().exponent, decimals)  # type: ignore[operator]
    assert quantize(actual, places) == wanted, f"{actual} is not {expected}"


def check_unit(criteria: CriteriaSet, unit: UnitResult, expected: dict[str, Any]) -> None:
    d = criteria.decimals
    assert str(unit.index) == expected["index"], unit.unit.code
    assert unit.rank == expected["rank"], unit.unit.code
    for key in ("points", "applicable_max", "index_exact", "bonus", "penalty"):
        if key in expected:
            expect_number(getattr(unit, key), expected[key], d)
    if "class" in expected:
        assert unit.class_code == expected["class"]
    if "class_before_caps" in expected:
        assert unit.class_before_caps == expected["class_before_caps"]
    if "caps" in expected:
        assert [cap.reason for cap in unit.caps] == expected["caps"]
    for source, points in (expected.get("by_source") or {}).items():
        expect_number(unit.by_source[source], points, d)
    for code, (points, status) in (expected.get("leaves") or {}).items():
        leaf = unit.leaf(code)
        assert leaf is not None, code
        expect_number(leaf.points, points, d)
        assert leaf.status.value == status, code
    if "excluded" in expected:
        assert [leaf.code for leaf in unit.leaves if leaf.excluded] == expected["excluded"]
    for code, (points, maximum, percent) in (expected.get("fields") or {}).items():
        field = next(f for f in unit.fields if f.code == code)
        expect_number(field.points, points, d)
        expect_number(field.max, maximum, d)
        expect_number(field.percent, percent, d)
    for code, survey in (expected.get("survey") or {}).items():
        leaf = unit.leaf(code)
        assert leaf is not None and leaf.survey is not None
        expect_number(leaf.survey.share, survey["share"], d)
        assert leaf.survey.responses == survey["responses"]
        assert {g.group for g in leaf.survey.groups} == set(survey["groups"])
        for grp in leaf.survey.groups:
            expect_number(grp.score, survey["groups"][grp.group], d)
    if "previous" in expected:
        previous = expected["previous"]
        assert unit.previous is not None
        assert published(unit.previous.index, d) == previous["index"]
        assert unit.previous.rank == previous["rank"]
        assert list(unit.previous_from) == previous["from"]
        assert unit.delta is not None
        assert published(unit.delta.index, d) == expected["delta"]["index"]
        assert unit.delta.rank == expected["delta"]["rank"]


@pytest.mark.parametrize("name", CASES)
def test_golden_case_gives_the_numbers_of_the_worked_example(name: str) -> None:
    criteria, case, results = load_case(name)
    expected = case["expected"]
    listed = [u.unit.code for u in results.units]
    assert listed == [u["unit"] for u in expected["units"]]
    if "order" in expected:
        assert listed == expected["order"]
    for unit, wanted in zip(results.units, expected["units"], strict=True):
        check_unit(criteria, unit, wanted)
    summary = expected.get("summary") or {}
    d = criteria.decimals
    for key in ("mean", "median", "min", "max"):
        if key in summary:
            assert published(getattr(results.summary, key), d) == summary[key]
    if "units" in summary:
        assert results.summary.units == summary["units"]
    if "classes" in summary:
        assert results.summary.classes == summary["classes"]
    if "weak_fields" in summary:
        weak = [[w.code, published(w.percent, d)] for w in results.summary.weak_fields]
        assert weak == summary["weak_fields"]


@pytest.mark.parametrize(
    "name", [n for n in CASES if "improve" in (GOLDEN / n / "case.yaml").read_text("utf-8")]
)
def test_golden_improvement_plans_match_the_worked_example(name: str) -> None:
    criteria, case, results = load_case(name)
    d = criteria.decimals
    for planned in case["improve"]:
        plan = improve(criteria, results, planned["unit"], planned["target_rank"])
        wanted = planned["expected"]
        assert str(plan.index) == wanted["index"]
        assert plan.rank == wanted["rank"]
        assert published(plan.target_index, d) == wanted["target_index"]
        assert published(plan.index_needed, d) == wanted["index_needed"]
        assert published(plan.points_needed, d) == wanted["points_needed"]
        assert [[leaf.code, str(leaf.lost)] for leaf in plan.leaves] == wanted["leaves"]
        assert plan.reachable is wanted["reachable"]


@pytest.mark.parametrize(
    "name", [n for n in CASES if "explain:" in (GOLDEN / n / "case.yaml").read_text("utf-8")]
)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_golden_explanation_is_the_text_printed_in_the_doc(name: str, lang: str) -> None:
    criteria, case, results = load_case(name)
    trace = explain(criteria, results, case["explain"]["unit"])
    text = render_trace(trace, lang)
    assert text == case["explain"][lang]
    section = doc_section(name)
    assert text in section, f"the {lang} trace of {name} is not in docs/scoring.md"


def doc_section(name: str) -> str:
    doc = DOC.read_text(encoding="utf-8")
    found = re.findall(rf"<!-- golden: {re.escape(name)} -->(.*?)<!-- /golden -->", doc, re.S)
    assert found, f"docs/scoring.md has no section <!-- golden: {name} -->"
    return "\n".join(found)


@pytest.mark.parametrize("name", CASES)
def test_doc_writes_every_expected_index_of_the_golden_case(name: str) -> None:
    case = yaml.safe_load((GOLDEN / name / "case.yaml").read_text(encoding="utf-8"))
    section = doc_section(name)
    for unit in case["expected"]["units"]:
        assert unit["index"] in section, f"{name}: index {unit['index']} of {unit['unit']}"
