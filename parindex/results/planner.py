"""The improvement planner of the web app: what a unit needs to reach a rank (`scoring.improve`,
as `parindex improve` defines it) and what-if: the index, rank and class the unit would have
with some of its values changed — computed on a copy of the cycle's input, never saved.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from parindex.accounts.models import User
from parindex.accounts.permissions import AUTHORITY_WIDE, authority_ids, unit_ids
from parindex.assessments.models import Cycle
from parindex.assessments.selectors import criteria_for
from parindex.results.services import cycle_inputs_final, previous_year_results
from parindex.scoring import compute, improve
from parindex.scoring.improve import Improvement
from parindex.scoring.messages import ScoringError
from parindex.scoring.model import CriteriaSet, Entry, Inputs, Node, Source
from parindex.scoring.results import Results, UnitResult
from parindex.scoring.values import parse_leaf_value
from parindex.units.models import Unit


def may_plan(user: User | object, cycle: Cycle, unit: Unit) -> bool:
    """Authority-wide roles plan for any unit of their authority; a unit's people for theirs."""
    if cycle.authority_id in authority_ids(user, AUTHORITY_WIDE):
        return True
    return unit.authority_id == cycle.authority_id and unit.pk in unit_ids(user)


def cycle_inputs(cycle: Cycle) -> Inputs:
    """The cycle's input as the engine would take it now: final values, metrics, last year."""
    return dataclasses.replace(cycle_inputs_final(cycle), previous=previous_year_results(cycle))


@dataclass(frozen=True)
class Plan:
    criteria: CriteriaSet
    current: UnitResult
    improvement: Improvement | None
    what_if: UnitResult | None  # the unit with the values tried
    problems: dict[str, str]  # leaf code → why the value tried does not fit
    changeable: list[tuple[Node, str]]  # the unit's self leaves and their value now


def plan_for(
    cycle: Cycle, unit_code: str, target_rank: int | None, tried: Mapping[str, str], lang: str
) -> Plan:
    criteria = criteria_for(cycle.criteria_set)
    inputs = cycle_inputs(cycle)
    results = compute(criteria, inputs)
    current = _unit(results, unit_code)
    improvement = improve(criteria, results, unit_code, target_rank) if target_rank else None
    values = inputs.values.get(unit_code, {})
    leaves = [
        leaf for top in criteria.fields for leaf in top.leaves() if leaf.source is Source.SELF
    ]
    changeable = [(leaf, values[leaf.code].text if leaf.code in values else "") for leaf in leaves]
    changed, problems = _tried(leaves, values, tried, lang)
    what_if = None
    if changed and not problems:
        others = {**inputs.values, unit_code: {**values, **changed}}
        what_if = _unit(compute(criteria, dataclasses.replace(inputs, values=others)), unit_code)
    return Plan(criteria, current, improvement, what_if, problems, changeable)


def _unit(results: Results, code: str) -> UnitResult:
    found = results.unit(code)
    if found is None:
        raise LookupError(code)
    return found


def _tried(
    leaves: list[Node], values: Mapping[str, Entry], tried: Mapping[str, str], lang: str
) -> tuple[dict[str, Entry], dict[str, str]]:
    changed: dict[str, Entry] = {}
    problems: dict[str, str] = {}
    for leaf in leaves:
        text = tried.get(leaf.code, "").strip()
        now = values[leaf.code].text if leaf.code in values else ""
        if not text or text == now:
            continue
        try:
            changed[leaf.code] = Entry(parse_leaf_value(leaf, text), text, "")
        except ScoringError as error:
            problems[leaf.code] = error.message.render(lang)
    return changed, problems


def points_gained(plan: Plan) -> Decimal | None:
    if plan.what_if is None:
        return None
    return plan.what_if.index - plan.current.index
