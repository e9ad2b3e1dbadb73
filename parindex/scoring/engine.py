"""`compute`: criteria set + inputs → ranked, classed results for every unit."""

from __future__ import annotations

import decimal
import gc

from parindex.scoring.model import CriteriaSet, Inputs
from parindex.scoring.numbers import CONTEXT
from parindex.scoring.ranking import (
    apply_caps,
    class_of,
    competition_ranks,
    previous_of,
    summarise,
)
from parindex.scoring.results import Delta, Results, SurveyCount, UnitResult
from parindex.scoring.survey import SurveyScores
from parindex.scoring.tree import UnitScore, prepare, score_unit

ENGINE_VERSION = "1.0.0"


def compute(criteria: CriteriaSet, inputs: Inputs) -> Results:
    """Score, class and rank every unit of `inputs` against `criteria`."""
    # Hundreds of thousands of small result tuples and no reference cycles: the cyclic
    # collector would only rescan them again and again (it tripled the national benchmark).
    collecting = gc.isenabled()
    gc.disable()
    try:
        with decimal.localcontext(CONTEXT):
            return _compute(criteria, inputs)
    finally:
        if collecting:
            gc.enable()


def _compute(criteria: CriteriaSet, inputs: Inputs) -> Results:
    leaves = prepare(criteria)
    survey = None
    if criteria.survey is not None and inputs.survey is not None:
        survey = SurveyScores(criteria.survey, inputs.survey)
    scores = [score_unit(criteria, leaves, unit, inputs, survey) for unit in inputs.units]
    ranks = competition_ranks([s.index for s in scores])
    units = [
        _rank_and_class(criteria, inputs, score, rank)
        for score, rank in zip(scores, ranks, strict=True)
    ]
    units.sort(key=lambda u: (u.rank, u.unit.code))
    tally = inputs.survey
    return Results(
        criteria_set=criteria.code,
        year=criteria.year,
        unit_group=criteria.unit_group,
        decimals=criteria.decimals,
        units=tuple(units),
        summary=summarise(criteria, units),
        survey=SurveyCount(tally.accepted, tally.rejected) if tally is not None else None,
    )


def _rank_and_class(
    criteria: CriteriaSet, inputs: Inputs, score: UnitScore, rank: int
) -> UnitResult:
    before_caps = class_of(criteria, score.index)
    final, caps = apply_caps(criteria, before_caps, inputs.metrics.get(score.unit.code, {}))
    previous, previous_from = previous_of(score.unit, inputs.previous, criteria.decimals)
    delta = None
    if previous is not None:
        moved = previous.rank - rank if previous.rank is not None else None
        delta = Delta(score.index - previous.index, moved)
    return UnitResult(
        unit=score.unit,
        points=score.points,
        applicable_max=score.applicable_max,
        index=score.index,
        index_exact=score.index_exact,
        rank=rank,
        class_code=final,
        class_before_caps=before_caps,
        caps=caps,
        by_source=score.by_source,
        bonus=score.bonus,
        penalty=score.penalty,
        fields=score.fields,
        leaves=score.leaves,
        previous=previous,
        previous_from=previous_from,
        delta=delta,
        warnings=score.warnings,
    )
