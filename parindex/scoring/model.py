"""The engine's vocabulary: a criteria set (*bộ tiêu chí*) and the inputs it is scored on.

Everything here is a frozen dataclass of plain values; `Decimal` for every number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Source(StrEnum):
    """Where a leaf's points come from."""

    SELF = "self"  # tự đánh giá, then appraised
    SURVEY = "survey"  # điều tra xã hội học
    DATA = "data"  # computed from imported data (dossiers, plan tasks)


class NodeKind(StrEnum):
    NORMAL = "normal"
    BONUS = "bonus"  # điểm thưởng
    PENALTY = "penalty"  # điểm trừ


class NotApplicable(StrEnum):
    """What a not-applicable leaf (*không phát sinh*) scores."""

    EXCLUDE = "exclude"  # leaves the unit's denominator
    FULL = "full"  # scores its max
    ZERO = "zero"  # scores 0, max stays


class ZeroDenominator(StrEnum):
    FULL = "full"
    ZERO = "zero"
    NA = "na"


class NoSurveyData(StrEnum):
    ZERO = "zero"
    EXCLUDE = "exclude"


# ---------------------------------------------------------------- rules


@dataclass(frozen=True, slots=True)
class Option:
    code: str
    label: str
    points: Decimal


@dataclass(frozen=True, slots=True)
class ChoiceRule:
    options: tuple[Option, ...]
    type: str = "choice"

    def option(self, code: str) -> Option | None:
        for opt in self.options:
            if opt.code == code:
                return opt
        folded = code.casefold()
        for opt in self.options:
            if opt.code.casefold() == folded:
                return opt
        return None


@dataclass(frozen=True, slots=True)
class BooleanRule:
    yes: Decimal
    no: Decimal
    type: str = "boolean"


@dataclass(frozen=True, slots=True)
class Bracket:
    min: Decimal
    points: Decimal


@dataclass(frozen=True, slots=True)
class BracketsRule:
    brackets: tuple[Bracket, ...]  # descending min, each min inclusive
    type: str = "brackets"


@dataclass(frozen=True, slots=True)
class RatioRule:
    zero_denominator: ZeroDenominator = ZeroDenominator.NA  # as the YAML reader defaults
    type: str = "ratio"


@dataclass(frozen=True, slots=True)
class DeductionRule:
    per: Decimal
    type: str = "deduction"


@dataclass(frozen=True, slots=True)
class ManualRule:
    step: Decimal | None = None
    type: str = "manual"


@dataclass(frozen=True, slots=True)
class SurveyRule:
    questions: tuple[str, ...]
    groups: tuple[str, ...] = ()  # empty: every group of the set's survey
    type: str = "survey"


@dataclass(frozen=True, slots=True)
class DataRule:
    metric: str
    then: BracketsRule | RatioRule
    type: str = "data"


Rule = (
    ChoiceRule
    | BooleanRule
    | BracketsRule
    | RatioRule
    | DeductionRule
    | ManualRule
    | SurveyRule
    | DataRule
)


# ---------------------------------------------------------------- tree


@dataclass(frozen=True, slots=True)
class Node:
    """A field (*lĩnh vực*), criterion (*tiêu chí*) or sub-criterion (*tiêu chí thành phần*).

    A node with children is a group; a node without children is a leaf and has a rule.
    """

    code: str
    title: str
    max: Decimal
    kind: NodeKind = NodeKind.NORMAL
    children: tuple[Node, ...] = ()
    source: Source | None = None
    rule: Rule | None = None
    appraiser: str | None = None
    evidence: str | None = None
    not_applicable: NotApplicable | None = None  # leaf override of the set's policy

    @property
    def is_leaf(self) -> bool:
        return not self.children

    def leaves(self) -> list[Node]:
        if self.is_leaf:
            return [self]
        found: list[Node] = []
        for child in self.children:
            found.extend(child.leaves())
        return found


@dataclass(frozen=True, slots=True)
class ClassRule:
    """A classification band (*xếp loại*): index ≥ min."""

    code: str
    label: str
    min: Decimal


@dataclass(frozen=True, slots=True)
class Cap:
    """Lowers the class when a unit metric crosses a line (e.g. ≥10% late dossiers)."""

    metric: str
    op: str  # one of OPERATORS
    value: Decimal
    max_class: str
    reason: str


OPERATORS = (">=", ">", "<=", "<", "==")


@dataclass(frozen=True, slots=True)
class Scale:
    min: int
    max: int


@dataclass(frozen=True, slots=True)
class RespondentGroup:
    code: str
    label: str
    weight: Decimal = Decimal(1)


@dataclass(frozen=True, slots=True)
class SurveySpec:
    groups: tuple[RespondentGroup, ...]
    scale: Scale | None = None
    answers: Mapping[str, Decimal] | None = None  # named answer → share of the points
    min_sample: int = 0
    no_data: NoSurveyData = NoSurveyData.ZERO
    questions: Mapping[str, str] = field(default_factory=dict)  # code → text, when declared

    def group(self, code: str) -> RespondentGroup | None:
        for grp in self.groups:
            if grp.code == code:
                return grp
        return None


@dataclass(frozen=True, slots=True)
class IndexBounds:
    min: Decimal | None = Decimal(0)
    max: Decimal | None = Decimal(100)


@dataclass(frozen=True, slots=True)
class CriteriaSet:
    """A criteria set (*bộ tiêu chí*) for one year and one unit group (*khối*)."""

    code: str
    title: str
    year: int
    unit_group: str
    max_points: Decimal
    decimals: int
    nodes: tuple[Node, ...]
    not_applicable: NotApplicable = NotApplicable.EXCLUDE
    index_bounds: IndexBounds = field(default_factory=IndexBounds)
    classes: tuple[ClassRule, ...] = ()
    caps: tuple[Cap, ...] = ()
    survey: SurveySpec | None = None

    @property
    def fields(self) -> tuple[Node, ...]:
        """The top-level normal nodes (*lĩnh vực*)."""
        return tuple(n for n in self.nodes if n.kind is NodeKind.NORMAL)

    def leaves(self) -> list[Node]:
        found: list[Node] = []
        for node in self.nodes:
            found.extend(node.leaves())
        return found

    def leaf(self, code: str) -> Node | None:
        for leaf in self.leaves():
            if leaf.code == code:
                return leaf
        return None

    def class_label(self, code: str | None) -> str | None:
        for cls in self.classes:
            if cls.code == code:
                return cls.label
        return None


# ---------------------------------------------------------------- inputs


class _NotApplicableValue:
    """The value `NA`: the leaf does not arise for this unit."""

    _instance: _NotApplicableValue | None = None

    def __new__(cls) -> _NotApplicableValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NA"


NA = _NotApplicableValue()


@dataclass(frozen=True, slots=True)
class Fraction:
    """A `numerator/denominator` value of a ratio leaf."""

    numerator: Decimal
    denominator: Decimal


# What a leaf value may be once read: an option code, yes/no, a number, a count, a fraction, NA.
LeafValue = str | bool | Decimal | int | Fraction | _NotApplicableValue


@dataclass(frozen=True, slots=True)
class Entry:
    """One leaf value of one unit, with the text it was read from."""

    value: LeafValue
    text: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Unit:
    code: str
    name: str
    group: str = ""
    type: str = ""
    parent: str = ""
    predecessors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SurveyTally:
    """Survey answers counted per unit, group, question and answer.

    `answers[(unit, group, question)]` maps an answer key (an int on a scale, or a named
    answer code) to how many accepted responses gave it; `responses[(unit, group)]` counts the
    accepted responses. Counting first keeps the engine fast for national-scale surveys and
    lets the web app build the same input with one GROUP BY.
    """

    answers: Mapping[tuple[str, str, str], Mapping[int | str, int]]
    responses: Mapping[tuple[str, str], int]
    accepted: int = 0
    rejected: int = 0


@dataclass(frozen=True, slots=True)
class PreviousResult:
    index: Decimal
    rank: int | None


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything one computation needs besides the criteria set."""

    units: tuple[Unit, ...]
    values: Mapping[str, Mapping[str, Entry]]  # unit → leaf code → entry
    metrics: Mapping[str, Mapping[str, Decimal]] = field(default_factory=dict)  # unit → metric
    survey: SurveyTally | None = None
    previous: Mapping[str, PreviousResult] | None = None  # unit code → last year's result
