"""Survey leaf shares (*điều tra xã hội học*) from counted answers.

1. question score per group: mean normalised score of the answers of that group;
2. group score: mean of its question scores over the leaf's questions that have one;
3. leaf share: weighted mean of the group scores over the leaf's groups that have one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from parindex.scoring.model import SurveyRule, SurveySpec, SurveyTally


class GroupScore(NamedTuple):  # a tuple: built for every survey leaf of every unit
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
    """Question scores of every unit, computed once per unit from a tally, reused by every leaf."""

    def __init__(self, spec: SurveySpec, tally: SurveyTally) -> None:
        self.spec = spec
        self.tally = tally
        self._weights = {g.code: g.weight for g in spec.groups}
        self._all_groups = tuple(g.code for g in spec.groups)
        self._by_unit: dict[str, list[tuple[str, str, Mapping[int | str, int]]]] = {}
        for (unit, group, question), counts in tally.answers.items():
            self._by_unit.setdefault(unit, []).append((group, question, counts))
        self._unit: str | None = None
        self._scores: dict[str, dict[str, tuple[Decimal, int]]] = {}

    def question_score(self, unit: str, group: str, question: str) -> tuple[Decimal, int] | None:
        """Mean normalised score and number of answers of one question from one group."""
        return self._unit_scores(unit).get(group, {}).get(question)

    def _unit_scores(self, unit: str) -> dict[str, dict[str, tuple[Decimal, int]]]:
        if unit != self._unit:  # units are scored one after the other: keep only the current
            scores: dict[str, dict[str, tuple[Decimal, int]]] = {}
            for group, question, counts in self._by_unit.get(unit, ()):
                mean = self._mean(counts)
                if mean is not None:
                    scores.setdefault(group, {})[question] = mean
            self._unit, self._scores = unit, scores
        return self._scores

    def _mean(self, counts: Mapping[int | str, int]) -> tuple[Decimal, int] | None:
        scale = self.spec.scale
        if scale is not None:
            # whole numbers on a scale: sum in integers, divide once
            steps = answered = 0
            for answer, count in counts.items():
                if isinstance(answer, int) and scale.min <= answer <= scale.max and count > 0:
                    steps += (answer - scale.min) * count
                    answered += count
            if not answered:
                return None
            return Decimal(steps) / (answered * (scale.max - scale.min)), answered
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
        scores = self._unit_scores(unit)
        groups = rule.groups or self._all_groups
        responses_of = self.tally.responses
        scored: list[GroupScore] = []
        responses = 0
        weighted = total_weight = Decimal(0)
        for group in groups:
            responses += responses_of.get((unit, group), 0)
            by_question = scores.get(group)
            if not by_question:
                continue
            score_sum = Decimal(0)
            questions = answers = 0
            for question in rule.questions:
                found = by_question.get(question)
                if found is not None:
                    score_sum += found[0]
                    answers += found[1]
                    questions += 1
            if not questions:
                continue
            score = score_sum / questions
            weight = self._weights.get(group, ONE)
            scored.append(GroupScore(group, score, weight, questions, answers))
            weighted += score * weight
            total_weight += weight
        if not scored or total_weight == 0:
            return SurveyOutcome(None, tuple(scored), responses)
        return SurveyOutcome(weighted / total_weight, tuple(scored), responses)


ONE = Decimal(1)
