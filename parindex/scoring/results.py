"""What a computation gives back: per-leaf, per-field and per-unit results, and the summary.

Numbers are exact Decimals except `UnitResult.index`, which is already rounded to the set's
decimals because classes and ranks are decided on the published index. Writers round the rest
with `numbers.quantize` when they publish.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from typing import NamedTuple

from parindex.scoring.messages import Message
from parindex.scoring.model import Cap, LeafValue, NodeKind, PreviousResult, Source, Unit
from parindex.scoring.numbers import CONTEXT
from parindex.scoring.survey import SurveyOutcome


class LeafStatus(StrEnum):
    OK = "ok"
    MISSING = "missing"
    NA = "na"
    LOW_SAMPLE = "low_sample"
    NO_SURVEY_DATA = "no_survey_data"


class LeafResult(NamedTuple):  # a tuple: one is built per leaf per unit, 400,000 nationally
    code: str
    kind: NodeKind
    source: Source
    max: Decimal
    points: Decimal
    status: LeafStatus
    excluded: bool = False  # its max left the unit's denominator
    value: LeafValue | None = None
    text: str | None = None  # the value as written, for self and data leaves
    metric: str | None = None  # the metric a data leaf took its number from
    survey: SurveyOutcome | None = None


@dataclass(frozen=True, slots=True)
class FieldResult:
    code: str
    title: str
    points: Decimal
    max: Decimal  # applicable max

    @property
    def percent(self) -> Decimal | None:
        """points / applicable max × 100; None when nothing in the field applies."""
        if self.max <= 0:
            return None
        with decimal.localcontext(CONTEXT):
            return self.points / self.max * 100


@dataclass(frozen=True, slots=True)
class Delta:
    index: Decimal
    rank: int | None  # previous rank − current rank; negative: fell


@dataclass(frozen=True, slots=True)
class UnitResult:
    unit: Unit
    points: Decimal  # leaf points + bonus − penalty, before the index is clamped
    applicable_max: Decimal
    index: Decimal  # clamped and rounded to the set's decimals
    index_exact: Decimal  # clamped, not yet rounded
    rank: int
    class_code: str | None
    class_before_caps: str | None
    caps: tuple[Cap, ...]
    by_source: dict[str, Decimal]
    bonus: Decimal
    penalty: Decimal
    fields: tuple[FieldResult, ...]
    leaves: tuple[LeafResult, ...]
    previous: PreviousResult | None = None
    previous_from: tuple[str, ...] = ()  # predecessors whose mean stands in for last year
    delta: Delta | None = None
    warnings: tuple[Message, ...] = ()

    def leaf(self, code: str) -> LeafResult | None:
        return next((leaf for leaf in self.leaves if leaf.code == code), None)


@dataclass(frozen=True, slots=True)
class WeakField:
    code: str
    title: str
    percent: Decimal


@dataclass(frozen=True, slots=True)
class Summary:
    units: int
    mean: Decimal | None
    median: Decimal | None
    min: Decimal | None
    max: Decimal | None
    classes: dict[str, int]
    weak_fields: tuple[WeakField, ...]


@dataclass(frozen=True, slots=True)
class SurveyCount:
    accepted: int
    rejected: int


@dataclass(frozen=True, slots=True)
class Results:
    criteria_set: str
    year: int
    unit_group: str
    decimals: int
    units: tuple[UnitResult, ...]  # by rank, then unit code
    summary: Summary
    survey: SurveyCount | None = None

    def unit(self, code: str) -> UnitResult | None:
        return next((u for u in self.units if u.unit.code == code), None)
