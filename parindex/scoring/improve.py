"""The improvement planner: what a unit needs to reach a target rank, others held fixed."""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from decimal import Decimal

from parindex.scoring.model import CriteriaSet, NodeKind, Source
from parindex.scoring.numbers import CONTEXT
from parindex.scoring.ranking import code_key
from parindex.scoring.results import LeafStatus, Results

HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class LostLeaf:
    code: str
    title: str
    points: Decimal
    max: Decimal

    @property
    def lost(self) -> Decimal:
        return self.max - self.points


@dataclass(frozen=True, slots=True)
class Improvement:
    unit: str
    index: Decimal
    rank: int
    target_rank: int
    target_index: Decimal
    index_needed: Decimal
    points_needed: Decimal  # exact; writers round it
    leaves: tuple[LostLeaf, ...]
    reachable: bool  # False when even every lost point is not enough


def improve(
    criteria: CriteriaSet, results: Results, unit_code: str, target_rank: int
) -> Improvement:
    """FORMATS `improve`: the target index is the N-th highest index among the other units
    (0 when there are fewer than N); the leaves are the shortest list of the unit's self and
    data leaves, not NA, with lost points, largest first (ties by code), that covers the gap.
    """
    with decimal.localcontext(CONTEXT):
        return _improve(criteria, results, unit_code, target_rank)


def _improve(
    criteria: CriteriaSet, results: Results, unit_code: str, target_rank: int
) -> Improvement:
    if target_rank < 1:
        raise ValueError("target rank must be ≥ 1")
    unit = results.unit(unit_code)
    if unit is None:
        raise KeyError(unit_code)
    others = sorted((u.index for u in results.units if u.unit.code != unit_code), reverse=True)
    target_index = others[target_rank - 1] if len(others) >= target_rank else Decimal(0)
    index_needed = max(Decimal(0), target_index - unit.index)
    points_needed = index_needed * unit.applicable_max / HUNDRED
    titles = {leaf.code: leaf.title for leaf in criteria.leaves()}
    candidates = sorted(
        (
            LostLeaf(leaf.code, titles.get(leaf.code, ""), leaf.points, leaf.max)
            for leaf in unit.leaves
            if leaf.kind is NodeKind.NORMAL
            and leaf.source in (Source.SELF, Source.DATA)
            and leaf.status is not LeafStatus.NA
            and leaf.max - leaf.points > 0
        ),
        key=lambda leaf: (-leaf.lost, code_key(leaf.code)),
    )
    chosen: list[LostLeaf] = []
    covered = Decimal(0)
    for leaf in candidates:
        if covered >= points_needed:
            break
        chosen.append(leaf)
        covered += leaf.lost
    return Improvement(
        unit=unit_code,
        index=unit.index,
        rank=unit.rank,
        target_rank=target_rank,
        target_index=target_index,
        index_needed=index_needed,
        points_needed=points_needed,
        leaves=tuple(chosen),
        reachable=covered >= points_needed,
    )
