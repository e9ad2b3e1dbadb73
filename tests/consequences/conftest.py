"""A province with three published years of a unit group, a merged unit, dossier figures of
the last year and the people who read the consequences."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.models import Cycle, Phase
from parindex.criteria.services import criteria_set_import
from parindex.dossiers.models import DossierImport, DossierStat, StatKind
from parindex.results.services import publication_publish, results_compute
from parindex.scoring.model import Entry, Inputs
from parindex.scoring.model import Unit as EngineUnit
from parindex.units.models import Authority, Unit, UnitGroup

SET = """\
code: HQ-{year}
title: Bộ tiêu chí thử hệ quả {year}
year: {year}
unit_group: so_nganh
max_points: 100
decimals: 2
classes:
  - {{code: tot, label: Tốt, min: 90}}
  - {{code: kha, label: Khá, min: 80}}
  - {{code: trung_binh, label: Trung bình, min: 65}}
  - {{code: yeu, label: Yếu, min: 0}}
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    children:
      - {{code: "1.1", title: Kết quả, max: 100, source: self, rule: {{type: manual, step: 0.5}}}}
"""

# the points of each unit in each year: U1 Trung bình, Yếu, Trung bình (flagged: 3 years);
# U2 Tốt throughout; X and Y were merged into M in 2025 (2024: X Yếu, Y Khá → Yếu;
# 2025: M Yếu → two years Yếu).
POINTS = {
    2023: {"U1": "70", "U2": "95", "X": "60", "Y": "85"},
    2024: {"U1": "50", "U2": "95", "X": "55", "Y": "82"},
    2025: {"U1": "66", "U2": "92", "M": "60"},
}
NAMES = {"U1": "Sở Một", "U2": "Sở Hai", "X": "Sở X", "Y": "Sở Y", "M": "Sở Hợp nhất"}


@dataclass
class Province:
    authority: Authority
    other: Authority
    group: UnitGroup
    cycles: dict[int, Cycle]
    units: dict[str, Unit]
    secretary: User
    chair: User
    leader: User
    focal_u1: User
    head_u2: User
    appraiser: User
    other_secretary: User


def _user(name: str, authority: Authority, role: Role, unit: Unit | None = None) -> User:
    user = User.objects.create_user(name, password="consequences-pw-1")
    Membership.objects.create(user=user, authority=authority, role=role, unit=unit, agency="")
    return user


def _publish(cycle: Cycle, by: User) -> None:
    points = POINTS[cycle.year]

    def build(_cycle: Cycle) -> Inputs:
        return Inputs(
            units=tuple(EngineUnit(code, NAMES[code]) for code in points),
            values={code: {"1.1": Entry(Decimal(v), v)} for code, v in points.items()},
        )

    results_compute(cycle=cycle, build=build)
    publication_publish(cycle=cycle, by=by)


def _stat(source: DossierImport, kind: str, unit: str, key: str, late: int, of: int) -> None:
    DossierStat.objects.create(
        dossier_import=source, kind=kind, unit_code=unit, key=key, received=of, finished=of,
        pending=0, withdrawn=0, early=0, on_time=of - late, late=late, overdue=0, online=0,
        late_rate=Decimal(late) / Decimal(of), ontime_rate=Decimal(of - late) / Decimal(of),
        online_rate=Decimal(0), late_noncompliant=0,
    )  # fmt: skip


def build_province(*, publish_last: bool = True) -> Province:
    authority = Authority.objects.create(code="khanh-hoa", name="Khánh Hòa")
    other = Authority.objects.create(code="lao-cai", name="Lào Cai")
    secretary = _user("thu_ky", authority, Role.SECRETARIAT)
    cycles: dict[int, Cycle] = {}
    for year in POINTS:
        version = criteria_set_import(authority=authority, yaml_text=SET.format(year=year))
        cycles[year] = Cycle.objects.create(
            authority=authority, unit_group=version.unit_group, criteria_set=version, year=year,
            title=f"Chỉ số CCHC các sở năm {year}", phase=Phase.FINALISATION,
        )  # fmt: skip
    group = cycles[2025].unit_group
    units = {
        code: Unit.objects.create(authority=authority, code=code, name=name, group=group)
        for code, name in NAMES.items()
    }
    units["M"].predecessors.set([units["X"], units["Y"]])
    for year, cycle in cycles.items():
        if year < 2025 or publish_last:
            _publish(cycle, secretary)
    source = DossierImport.objects.create(
        authority=authority, year=2025, file_name="mot-cua.csv", sha256="0" * 64,
        as_of=timezone.now(),
    )  # fmt: skip
    _stat(source, StatKind.UNIT, "U1", "U1", 10, 100)  # exactly 10%: not Tốt
    _stat(source, StatKind.UNIT, "U2", "U2", 5, 100)
    _stat(source, StatKind.OFFICIAL, "U1", "Trần Thị B", 10, 100)  # exactly 10%: not listed
    _stat(source, StatKind.OFFICIAL, "U1", "Lê Văn C", 11, 100)
    _stat(source, StatKind.OFFICIAL, "U2", "Phạm Văn D", 3, 10)
    return Province(
        authority=authority,
        other=other,
        group=group,
        cycles=cycles,
        units=units,
        secretary=secretary,
        chair=_user("chu_tich", authority, Role.COUNCIL_CHAIR),
        leader=_user("lanh_dao", authority, Role.LEADER),
        focal_u1=_user("dau_moi_u1", authority, Role.FOCAL_POINT, units["U1"]),
        head_u2=_user("thu_truong_u2", authority, Role.UNIT_HEAD, units["U2"]),
        appraiser=_user("tham_dinh", authority, Role.APPRAISER),
        other_secretary=_user("thu_ky_lc", other, Role.SECRETARIAT),
    )


@pytest.fixture
def kh(db: None) -> Province:
    return build_province()
