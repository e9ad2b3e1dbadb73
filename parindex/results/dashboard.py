"""The leaders' dashboard (*bảng điều hành của lãnh đạo*) of one authority: where each unit
group stands, who moved since last year, which fields hold the authority back, which units
are late in the current cycle.

Reads only. The figures are the published ones (each group's latest published revision, read
through `analyse`); the lateness is the sheets' status against the cycle's deadlines. Who may
see it: the authority-wide roles (leader, secretariat, council chair, system administrator).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from parindex.accounts.models import User
from parindex.accounts.permissions import authorities_seen_whole_by
from parindex.assessments.models import AssessmentStatus, Cycle, Phase
from parindex.assessments.selectors import status_board
from parindex.criteria.services import criteria_set_of
from parindex.results import selectors
from parindex.results.analysis import Analysis, analyse
from parindex.units.models import Authority

MOVERS = 5  # rises and falls listed
WEAK_FIELDS = 3  # per group
LOW_PERCENT = Decimal(50)  # a unit below this share of a field's points is weak in it
# a cycle in these phases has deadlines that may have passed with work not done
RUNNING = (Phase.SELF_ASSESSMENT, Phase.APPRAISAL, Phase.EXPLANATION, Phase.FINALISATION)


@dataclass(frozen=True)
class GroupStanding:
    """A unit group: its latest cycle, and the figures of its latest published cycle (the
    same one once it is published, else an earlier year's; none before any publication)."""

    group: str
    cycle: Cycle
    published: Cycle | None
    revision: int | None
    units: int
    mean: Decimal | None
    median: Decimal | None
    classes: list[tuple[str, int]]
    decimals: int

    @property
    def earlier(self) -> bool:
        """Whether the figures are of an earlier cycle than the group's latest."""
        return self.published is not None and self.published.pk != self.cycle.pk


@dataclass(frozen=True)
class Mover:
    """A unit whose index or rank changed against last year (the published deltas)."""

    group: str
    cycle: Cycle
    code: str
    name: str
    rank: int
    index: Decimal
    delta_index: Decimal
    delta_rank: int | None
    merged: bool  # compared with the mean of the units merged into it
    decimals: int


@dataclass(frozen=True)
class WeakField:
    """A field of a group's criteria with a low mean share of points over the group's units."""

    group: str
    cycle: Cycle
    code: str
    title: str
    percent: Decimal  # the mean of the units' percent achieved
    low: int  # units below LOW_PERCENT in it
    units: int
    decimals: int


@dataclass(frozen=True)
class LateSheet:
    """A sheet past a deadline of its cycle: not submitted after the self-assessment closed,
    or submitted but not appraised after the appraisal closed."""

    group: str
    cycle: Cycle
    code: str
    name: str
    stage: str  # "self_assessment" or "appraisal"
    deadline: dt.datetime
    days: int  # whole days since the deadline
    filled: int  # leaves with a value


@dataclass(frozen=True)
class Dashboard:
    authority: Authority
    groups: list[GroupStanding]
    risers: list[Mover]
    fallers: list[Mover]
    weak: list[WeakField]
    late: list[LateSheet]

    @property
    def merged(self) -> bool:
        """Whether a listed unit is compared with the mean of the units merged into it."""
        return any(m.merged for m in (*self.risers, *self.fallers))


def dashboard_authorities(user: User | object) -> QuerySet[Authority]:
    """The authorities whose dashboard the user may see: the authority-wide roles'."""
    return authorities_seen_whole_by(user)


def dashboard_for(
    *, authority: Authority, user: User | object, now: dt.datetime, lang: str
) -> Dashboard:
    """The dashboard of `authority` as `user` sees it at `now`: the late sheets are those
    `status_board` shows the user (the caller checks `dashboard_authorities` first)."""
    latest = _latest_cycles(authority)
    published = _latest_published(authority)
    groups: list[GroupStanding] = []
    movers: list[Mover] = []
    weak: list[WeakField] = []
    late: list[LateSheet] = []
    for cycle in latest:
        shown = published.get(cycle.unit_group_id)
        analysis, decimals, revision, order = None, 2, None, []
        if shown is not None:
            publication = selectors.publication_latest(shown)
            if publication is not None:
                criteria = criteria_set_of(shown.criteria_set)
                decimals, revision = criteria.decimals, publication.revision
                order = [rule.label for rule in criteria.classes]
                document = selectors.snapshot_of(publication)["results"]
                analysis = analyse(document, criteria, lang)
                movers += _movers(shown, analysis, decimals)
                weak += _weak_fields(shown, analysis, decimals)
        groups.append(
            _standing(cycle, shown if analysis else None, revision, analysis, decimals, order)
        )
        late += _late_sheets(cycle, user, now)
    return Dashboard(
        authority=authority,
        groups=groups,
        risers=sorted(
            (m for m in movers if _direction(m) > 0),
            key=lambda m: (-m.delta_index, -(m.delta_rank or 0), m.name),
        )[:MOVERS],
        fallers=sorted(
            (m for m in movers if _direction(m) < 0),
            key=lambda m: (m.delta_index, m.delta_rank or 0, m.name),
        )[:MOVERS],
        weak=weak,
        late=sorted(late, key=lambda s: (s.group, s.stage != "self_assessment", -s.days, s.code)),
    )


def _latest_cycles(authority: Authority) -> list[Cycle]:
    """Each unit group's latest cycle, by the group's name."""
    found: dict[int, Cycle] = {}
    cycles = (
        Cycle.objects.filter(authority=authority)
        .select_related("unit_group", "criteria_set")
        .order_by("unit_group__name", "unit_group_id", "-year", "-pk")
    )
    for cycle in cycles:
        found.setdefault(cycle.unit_group_id, cycle)
    return list(found.values())


def _latest_published(authority: Authority) -> dict[int, Cycle]:
    """Each unit group's latest published cycle."""
    found: dict[int, Cycle] = {}
    for cycle in (
        selectors.published_cycles()
        .filter(authority=authority)
        .select_related("criteria_set")
        .order_by("-year", "-pk")
    ):
        found.setdefault(cycle.unit_group_id, cycle)
    return found


def _standing(
    cycle: Cycle,
    shown: Cycle | None,
    revision: int | None,
    analysis: Analysis | None,
    decimals: int,
    order: list[str],
) -> GroupStanding:
    """The group's figures; its classes in the criteria set's order (best first), as a
    snapshot's sorted keys do not keep it."""
    classes = sorted(
        analysis.classes if analysis else [],
        key=lambda pair: order.index(pair[0]) if pair[0] in order else len(order),
    )
    return GroupStanding(
        group=cycle.unit_group.name,
        cycle=cycle,
        published=shown,
        revision=revision,
        units=analysis.units if analysis else 0,
        mean=analysis.mean if analysis else None,
        median=analysis.median if analysis else None,
        classes=classes,
        decimals=decimals,
    )


def _movers(cycle: Cycle, analysis: Analysis, decimals: int) -> list[Mover]:
    return [
        Mover(
            group=cycle.unit_group.name,
            cycle=cycle,
            code=line.code,
            name=line.name,
            rank=line.rank,
            index=line.index,
            delta_index=line.delta_index,
            delta_rank=line.delta_rank,
            merged=line.merged,
            decimals=decimals,
        )
        for line in analysis.lines
        if line.delta_index is not None
    ]


def _direction(mover: Mover) -> int:
    """Up (1), down (-1) or unmoved (0): by the index, else by the rank."""
    if mover.delta_index:
        return 1 if mover.delta_index > 0 else -1
    rank = mover.delta_rank or 0
    return (rank > 0) - (rank < 0)


def _weak_fields(cycle: Cycle, analysis: Analysis, decimals: int) -> list[WeakField]:
    """The group's fields with the lowest mean percent achieved over its units."""
    found: list[WeakField] = []
    for position, column in enumerate(analysis.fields):
        cells = [line.cells[position] for line in analysis.lines if position < len(line.cells)]
        percents = [cell.percent for cell in cells if cell.percent is not None]
        if not percents:
            continue
        found.append(
            WeakField(
                group=cycle.unit_group.name,
                cycle=cycle,
                code=column.code,
                title=column.title,
                percent=sum(percents, Decimal(0)) / len(percents),
                low=sum(1 for p in percents if p < LOW_PERCENT),
                units=len(percents),
                decimals=decimals,
            )
        )
    return sorted(found, key=lambda f: (f.percent, f.code))[:WEAK_FIELDS]


def _late_sheets(cycle: Cycle, user: User | object, now: dt.datetime) -> list[LateSheet]:
    if cycle.phase not in RUNNING:
        return []
    missed: list[tuple[str, dt.datetime | None, str]] = [
        ("self_assessment", cycle.self_assessment_closes, AssessmentStatus.DRAFT),
        ("appraisal", cycle.appraisal_closes, AssessmentStatus.SUBMITTED),
    ]
    found: list[LateSheet] = []
    for stage, deadline, status in missed:
        if deadline is None or now <= deadline:
            continue
        for sheet in status_board(cycle, user).filter(status=status):
            found.append(
                LateSheet(
                    group=cycle.unit_group.name,
                    cycle=cycle,
                    code=sheet.unit.code,
                    name=sheet.unit.name,
                    stage=stage,
                    deadline=deadline,
                    days=(now - deadline).days,
                    filled=getattr(sheet, "filled", 0),  # annotated by status_board
                )
            )
    return found
