"""Survey leaf shares (*điều tra xã hội học*) from counted answers.

1. question score per group: mean normalised score of the answers of that group;
2. group score: mean of its question scores over the leaf's questions that have one;
3. leaf share: weighted mean of the group scores over the leaf's groups that have one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from parindex.scoring.model import SurveyRule, SurveySpec, SurveyTally


@dataclass(frozen=True, slots=True)
class GroupScore:
    group: str
    score: Decimal
    weight: Decimal
    questions: int  # the leaf's questions this group answered
    answers: int  # non-empty answers behind the score


@dataclass(frozen=True, slots=True)
class SurveyOutcome:
    share: Decimal | None  # None: no answer at all to the leaf's questions
    groups: tuple[GroupScore, ...]
    responses: int  # accepted responses of the unit in the leaf's groups


def answer_share(spec: SurveySpec, answer: int | str) -> Decimal | None:
    """The normalised score of one answer: (a − min)/(max − min) or the named answer's share."""
    if spec.scale is not None and isinstance(answer, int):
        if spec.scale.min <= answer <= spec.scale.max:
            span = spec.scale.max - spec.scale.min
            return Decimal(answer - spec.scale.min) / Decimal(span)
        return None
    if spec.answers is not None:
        return spec.answers.get(str(answer))
    return None


class SurveyScores:
    """Question scores of every unit, computed once from a tally and reused by every leaf."""

    def __init__(self, spec: SurveySpec, tally: SurveyTally) -> None:
        self.spec = spec
        self.tally = tally
        self._questions: dict[tuple[str, str, str], tuple[Decimal, int] | None] = {}
        self._weights = {g.code: g.weight for g in spec.groups}

    def question_score(self, unit: str, group: str, question: str) -> tuple[Decimal, int] | None:
        key = (unit, group, question)
        if key not in self._questions:
            self._questions[key] = self._mean(self.tally.answers.get(key))
        return self._questions[key]

    def _mean(self, counts: Mapping[int | str, int] | None) -> tuple[Decimal, int] | None:
        if not counts:
            return None
        total = Decimal(0)
        answered = 0
        for answer, count in counts.items():
            share = answer_share(self.spec, answer)
            if share is None or count <= 0:
                continue
            total += share * count
            answered += count
        return (total / answered, answered) if answered else None

    def leaf(self, unit: str, rule: SurveyRule) -> SurveyOutcome:
        groups = rule.groups or tuple(g.code for g in self.spec.groups)
        scored: list[GroupScore] = []
        responses = 0
        for group in groups:
            responses += self.tally.responses.get((unit, group), 0)
            found = [self.question_score(unit, group, q) for q in rule.questions]
            answered = [s for s in found if s is not None]
            if not answered:
                continue
            score = sum((s for s, _ in answered), Decimal(0)) / len(answered)
            weight = self._weights.get(group, Decimal(1))
            scored.append(
                GroupScore(group, score, weight, len(answered), sum(n for _, n in answered))
            )
        total_weight = sum((g.weight for g in scored), Decimal(0))
        if not scored or total_weight == 0:
            return SurveyOutcome(None, tuple(scored), responses)
        share = sum((g.score * g.weight for g in scored), Decimal(0)) / total_weight
        return SurveyOutcome(share, tuple(scored), responses)
