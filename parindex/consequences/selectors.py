"""Reads of the consequences app: who sees which lines, and the `Situation` the pure rules
(`parindex.consequences.rules`) read, built from published snapshots and dossier statistics.

- The years: the latest published revision of every cycle of the same authority and unit
  group up to the cycle's year; each year's class bands come from that cycle's criteria set.
- Lineage: every stored predecessor link of the authority's units, by code; the rules walk it.
- Metrics: `metrics_for(cycle)` (dossier rates, plan completion...), plus `satisfaction`
  (a share 0..1) where no source gives one: the unit's survey points over the maximum of its
  survey leaves that were scored (status `ok`) in the published snapshot.
- Officials: the `official` rows of the latest dossier import of the cycle's year.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex.accounts.models import User
from parindex.accounts.permissions import AUTHORITY_WIDE, authority_ids, unit_ids
from parindex.assessments.models import Cycle
from parindex.consequences.rules import (
    ClassBand,
    Lineal,
    Official,
    RuleSet,
    Situation,
    Subject,
    UnitYear,
    Verdict,
    YearResults,
    evaluate,
    lineage_of,
)
from parindex.consequences.rules_yaml import rules_from_yaml
from parindex.criteria.services import criteria_set_of
from parindex.dossiers.models import DossierStat, StatKind
from parindex.dossiers.selectors import latest_import
from parindex.results.models import Publication
from parindex.results.selectors import snapshot_of
from parindex.results.services import metrics_for
from parindex.units.models import Unit

DEFAULT_RULES = Path(__file__).with_name("default_rules.yaml")
OFFICIAL_METRICS = ("late_rate", "ontime_rate", "online_rate")


@functools.lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    return rules_from_yaml(DEFAULT_RULES.read_text(encoding="utf-8"), DEFAULT_RULES.name)


def rules_for(cycle: Cycle) -> RuleSet:
    """The rules a cycle is read with: the default file (an authority's own text is future
    work, ADR 0009)."""
    return default_rules()


# ---------------------------------------------------------------- who sees what


@dataclass(frozen=True, slots=True)
class Scope:
    """The units whose lines a user sees in a cycle; None for every unit."""

    units: frozenset[str] | None

    def sees(self, unit_code: str) -> bool:
        return self.units is None or unit_code in self.units


def scope_for(user: User | object, cycle: Cycle) -> Scope | None:
    """Secretariat, council chair, leader (and system admin) of the cycle's authority see
    every line; a unit's focal point or head sees their unit's lines, when the unit is of the
    cycle's group; anyone else: None (the view answers 404)."""
    if cycle.authority_id in authority_ids(user, AUTHORITY_WIDE):
        return Scope(None)
    codes = frozenset(
        Unit.objects.filter(
            pk__in=unit_ids(user), authority_id=cycle.authority_id, group_id=cycle.unit_group_id
        ).values_list("code", flat=True)
    )
    return Scope(codes) if codes else None


# ---------------------------------------------------------------- the situation


def _decimal(value: Any) -> Decimal:
    return Decimal(str(value))


def _latest(cycle_ids: list[int]) -> dict[int, Publication]:
    latest: dict[int, Publication] = {}
    for publication in Publication.objects.filter(cycle_id__in=cycle_ids).order_by(
        "cycle_id", "-revision"
    ):
        latest.setdefault(publication.cycle_id, publication)
    return latest


def history_for(cycle: Cycle) -> tuple[tuple[YearResults, ...], dict[str, Any] | None]:
    """Every published year of the cycle's authority and group up to its year, and the
    cycle's own published results document (None when not published yet)."""
    cycles = list(
        Cycle.objects.filter(
            authority_id=cycle.authority_id, unit_group_id=cycle.unit_group_id, year__lte=cycle.year
        ).select_related("criteria_set")
    )
    latest = _latest([c.pk for c in cycles])
    years: list[YearResults] = []
    current: dict[str, Any] | None = None
    for each in cycles:
        publication = latest.get(each.pk)
        if publication is None:
            continue
        results = snapshot_of(publication)["results"]
        if each.pk == cycle.pk:
            current = results
        bands = tuple(
            ClassBand(band.code, band.label, band.min)
            for band in criteria_set_of(each.criteria_set).classes
        )
        units = {
            u["unit"]: UnitYear(
                u["unit"], u.get("name", u["unit"]), u.get("class"), _decimal(u["index"])
            )
            for u in results["units"]
        }
        years.append(YearResults(each.year, bands, units))
    return tuple(sorted(years, key=lambda y: y.year)), current


def predecessors_of(cycle: Cycle) -> dict[str, tuple[str, ...]]:
    through = Unit.predecessors.through
    found: dict[str, list[str]] = {}
    for successor, predecessor in through.objects.filter(
        from_unit__authority_id=cycle.authority_id
    ).values_list("from_unit__code", "to_unit__code"):
        found.setdefault(successor, []).append(predecessor)
    return {code: tuple(sorted(codes)) for code, codes in found.items()}


def survey_share(unit: dict[str, Any]) -> Decimal | None:
    """The unit's survey points over the maximum of its scored survey leaves (0..1)."""
    leaves = [
        leaf
        for leaf in unit.get("leaves", [])
        if leaf.get("source") == "survey" and leaf.get("status") == "ok"
    ]
    top = sum((_decimal(leaf["max"]) for leaf in leaves), Decimal(0))
    if not leaves or top <= 0:
        return None
    return sum((_decimal(leaf["points"]) for leaf in leaves), Decimal(0)) / top


def officials_for(cycle: Cycle) -> tuple[Official, ...]:
    source = latest_import(cycle.authority_id, cycle.year)
    if source is None:
        return ()
    rows = DossierStat.objects.filter(dossier_import=source, kind=StatKind.OFFICIAL).values_list(
        "key", "unit_code", *OFFICIAL_METRICS
    )
    officials = []
    for key, unit_code, *rates in rows:
        metrics = {n: v for n, v in zip(OFFICIAL_METRICS, rates, strict=True) if v is not None}
        officials.append(Official(key, unit_code, metrics))
    return tuple(officials)


def situation_for(cycle: Cycle) -> Situation | None:
    """What the rules read for the cycle; None until the cycle is published."""
    history, current = history_for(cycle)
    if current is None:
        return None
    metrics = {unit: dict(values) for unit, values in metrics_for(cycle).items()}
    for unit in current["units"]:
        share = survey_share(unit)
        found = metrics.setdefault(unit["unit"], {})
        if share is not None and "satisfaction" not in found:
            found["satisfaction"] = share
    return Situation(
        year=cycle.year,
        history=history,
        predecessors=predecessors_of(cycle),
        metrics=metrics,
        officials=officials_for(cycle),
    )


# ---------------------------------------------------------------- the report


@dataclass(frozen=True, slots=True)
class Line:
    verdict: Verdict
    history: tuple[Lineal, ...]  # the unit's classes over the years (units and heads)


@dataclass(frozen=True, slots=True)
class Report:
    cycle: Cycle
    rules: RuleSet
    published: bool
    lines: tuple[Line, ...]

    def of(self, subject: Subject) -> list[Line]:
        return [line for line in self.lines if line.verdict.subject is subject]

    @property
    def units(self) -> list[Line]:
        return self.of(Subject.UNIT)

    @property
    def heads(self) -> list[Line]:
        return self.of(Subject.HEAD)

    @property
    def officials(self) -> list[Line]:
        return self.of(Subject.OFFICIAL)

    @property
    def flagged(self) -> list[Line]:
        return [line for line in self.heads if line.verdict.flags]


def consequences_for(cycle: Cycle, scope: Scope) -> Report:
    """The lines the scope sees: every unit and its head; the officials with a reason."""
    rules = rules_for(cycle)
    situation = situation_for(cycle)
    if situation is None:
        return Report(cycle, rules, False, ())
    histories: dict[str, tuple[Lineal, ...]] = {}
    lines = []
    for verdict in evaluate(rules, situation):
        if not scope.sees(verdict.unit):
            continue
        if verdict.subject is Subject.OFFICIAL:
            if verdict.reasons:
                lines.append(Line(verdict, ()))
            continue
        if verdict.unit not in histories:
            histories[verdict.unit] = tuple(lineage_of(rules, situation, verdict.unit))
        lines.append(Line(verdict, histories[verdict.unit]))
    return Report(cycle, rules, True, tuple(lines))
