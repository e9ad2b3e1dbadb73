"""The demo province (*tỉnh mẫu*), built through the same services the application uses.

Two evaluating authorities:

- the province of Sơn La (`son_la`): 19 departments and 12 districts; last year's (2013)
  results of both groups computed and published; this year's departments cycle in
  **appraisal** (19 sheets filled with evidence, 16 submitted; Home Affairs has confirmed
  some values of three of them and corrected one each, with a reason); the districts cycle
  just opened for **self-assessment** (empty sheets: `benchmarks/sheet_load.py` saves into
  them); the province's 2014 one-stop dossiers of the departments (`one_stop.py`: the 2014
  holidays and a generated export of 20,000 dossiers, two departments above 10% late), its
  2014 reform plan (`reform_plan.py`: 27 tasks, done, overdue, progress reports) and its
  external indices of 2012–2014 (`external_indices.py`: illustrative PCI, PAPI, SIPAS), which
  feed the 2014 departments' `data` leaves (online_rate, ontime_rate, plan_completion_rate)
  and their late_rate cap;
- Thành phố Sơn La (`tp_son_la`, `city.py`), a district-level authority under the province
  evaluating its 7 wards and 5 communes with its own 2014 set (`data/communes.yaml`, adapted
  from `examples/2025/communes.yaml`): its cycle has gone through self-assessment (10 of 12
  sheets submitted, two lack a value and stay drafts) and a complete appraisal by the city's
  five offices, and is in the **explanation** round: three units had a value corrected, two
  of them explained (one with a new document, awaiting a decision; one accepted on second
  appraisal, *phúc tra*), the third accepted the correction.

Why the explanation round is in the city's cycle: a unit can only contest a correction once
the cycle has left appraisal, so one cycle cannot show both; moving the departments on would
leave the appraisers nothing to appraise, and the districts must stay open for the sheet
benchmark. So every phase is on show: appraisal (departments), self-assessment (districts),
explanation (communes), published (2013).

The services refuse work after a deadline, so the deadlines of the phases the city's cycle
has passed are set just after the moment of loading: they are past an hour or two later, as
in a real cycle. Everything else is deterministic: the data are files (`data/`: the province's
copied from `examples/son-la-2014/`, the city's written by `tests/demo/generate_communes.py`),
and which units are corrected and explain is fixed by name (`APPRAISED_UNITS`, `city.py`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import Role, User
from parindex.accounts.services import membership_grant
from parindex.assessments.appraisal import entry_appraise
from parindex.assessments.models import AssessmentStatus, Cycle, Phase
from parindex.assessments.selectors import criteria_for
from parindex.assessments.services import cycle_advance, cycle_create
from parindex.criteria.models import CriterionNode
from parindex.criteria.services import criteria_set_import
from parindex.demo.build import DATA as DATA  # the names the command and tests know here
from parindex.demo.build import PASSWORD as PASSWORD
from parindex.demo.build import (
    Say,
    evidence_leaves_by_field,
    example_inputs,
    lower_value,
    sheet_fill,
    unit_people,
    user_make,
)
from parindex.demo.build import pdf as _pdf  # noqa: F401  (the permission matrix test's PDF)
from parindex.demo.city import city_load
from parindex.demo.external_indices import external_indices_load
from parindex.demo.one_stop import one_stop_load
from parindex.demo.reform_plan import reform_plan_load
from parindex.results.services import publication_publish, results_compute
from parindex.scoring.model import Inputs
from parindex.units.models import Authority, Unit, UnitGroup
from parindex.units.services import units_import

LAST_YEAR_DROPPED = 9  # every 9th value row of a unit is missing from last year's results

GROUP_NAMES = {
    "tinh": "UBND tỉnh",
    "so_nganh": "Khối sở, ban, ngành",
    "huyen": "Khối UBND các huyện, thành phố",
}


@dataclass(frozen=True)
class Login:
    role: str
    username: str
    note: str


def demo_exists() -> bool:
    return Authority.objects.filter(code="son_la").exists()


def demo_load(*, say: Say = print) -> list[Login]:
    """Build the demo province (once); returns one login per role."""
    if demo_exists():
        return demo_logins()
    with transaction.atomic():
        admin = user_make("quan_tri", "Quản trị hệ thống", superuser=True)
        authority = Authority.objects.create(code="son_la", name="Ủy ban nhân dân tỉnh Sơn La")
        membership_grant(user=admin, authority=authority, role=Role.SYSTEM_ADMIN, by=None)
        for name in ("departments-units.csv", "districts-units.csv"):
            units_import(authority=authority, path=DATA / name, display_name=name, by=admin)
        for code, label in GROUP_NAMES.items():
            UnitGroup.objects.filter(authority=authority, code=code).update(name=label)
        say(f"  đơn vị: {Unit.objects.filter(authority=authority).count()}")
        people = _people(authority)
        _last_year(authority, people["thu_ky"], say)
        _this_year(authority, people, say)
        secretary = people["thu_ky"]
        one_stop_load(authority=authority, secretary=secretary, say=say)
        reform_plan_load(authority=authority, secretary=secretary, people=people, say=say)
        external_indices_load(authority=authority, secretary=secretary, say=say)
        city_load(province=authority, admin=admin, say=say)
    return demo_logins()


def demo_logins() -> list[Login]:
    city = "TP Sơn La"
    return [
        Login("Quản trị hệ thống / system admin", "quan_tri", ""),
        Login("Thư ký (Sở Nội vụ) / secretariat", "thu_ky", ""),
        Login("Đầu mối đơn vị / unit focal point", "so_tp.dau_moi", "Sở Tư pháp"),
        Login("Thủ trưởng đơn vị / unit head", "so_tp.thu_truong", "Sở Tư pháp"),
        Login("Thẩm định viên / appraiser", "tham_dinh.noi_vu", "Sở Nội vụ: lĩnh vực 1, 4, 5, 8"),
        Login("Chủ tịch Hội đồng / council chair", "chu_tich_hd", ""),
        Login("Lãnh đạo (xem) / leader", "lanh_dao", ""),
        Login("Thư ký / secretariat", "tpsl.thu_ky", f"{city}: Phòng Nội vụ, các xã, phường"),
        Login("Thẩm định viên / appraiser", "tpsl.tham_dinh.noi_vu", f"{city}: Phòng Nội vụ"),
        Login("Chủ tịch Hội đồng / council chair", "tpsl.chu_tich_hd", city),
        Login("Quản trị khảo sát / survey admin", "tpsl.khao_sat", f"{city}: điều tra xã hội học"),
        Login("Đầu mối đơn vị / unit focal point", "p_to_hieu.dau_moi", "Phường Tô Hiệu"),
    ]


# ---------------------------------------------------------------- people


def _people(authority: Authority) -> dict[str, User]:
    people = {
        "thu_ky": user_make("thu_ky", "Thư ký Hội đồng thẩm định"),
        "chu_tich_hd": user_make("chu_tich_hd", "Chủ tịch Hội đồng"),
        "lanh_dao": user_make("lanh_dao", "Lãnh đạo UBND tỉnh"),
        "tham_dinh.noi_vu": user_make("tham_dinh.noi_vu", "Thẩm định viên Sở Nội vụ"),
    }
    grants = [
        ("thu_ky", Role.SECRETARIAT, None, ""),
        ("chu_tich_hd", Role.COUNCIL_CHAIR, None, ""),
        ("lanh_dao", Role.LEADER, None, ""),
        ("tham_dinh.noi_vu", Role.APPRAISER, "SO_NV", "noi_vu"),
    ]
    for username, role, unit_code, agency in grants:
        unit = Unit.objects.get(authority=authority, code=unit_code) if unit_code else None
        membership_grant(
            user=people[username], authority=authority, role=role, unit=unit, agency=agency,
            by=None,
        )  # fmt: skip
    people.update(unit_people(authority, ["so_nganh", "huyen"]))
    return people


# ---------------------------------------------------------------- last year, published


def _last_year(authority: Authority, secretary: User, say: Say) -> None:
    """2013: the same sets, some values missing, computed and published (for the deltas)."""
    for stem, title in (
        ("departments", "Chỉ số CCHC các sở, ban, ngành năm 2013"),
        ("districts", "Chỉ số CCHC UBND các huyện, thành phố năm 2013"),
    ):
        this_year = (DATA / f"{stem}.yaml").read_text(encoding="utf-8")
        yaml_text = this_year.replace("year: 2014", "year: 2013").replace("-2014", "-2013")
        version = criteria_set_import(
            authority=authority, yaml_text=yaml_text, created_by=secretary
        )
        cycle = Cycle.objects.create(
            authority=authority,
            unit_group=version.unit_group,
            criteria_set=version,
            year=2013,
            title=title,
            phase=Phase.FINALISATION,
        )
        inputs = example_inputs(stem, yaml_text)
        fewer = {
            unit: {
                code: entry
                for position, (code, entry) in enumerate(sorted(entries.items()))
                if _keep(unit, position)
            }
            for unit, entries in inputs.values.items()
        }
        last = dataclasses.replace(inputs, values=fewer)
        results_compute(cycle=cycle, by=secretary, build=functools.partial(_fixed, last))
        publication_publish(cycle=cycle, by=secretary)
        say(f"  đã công bố: {title}")


def _fixed(inputs: Inputs, _cycle: Cycle) -> Inputs:
    return inputs


def _keep(unit: str, position: int) -> bool:
    """Deterministically drop about one value in LAST_YEAR_DROPPED, differently per unit."""
    digest = hashlib.sha256(f"{unit}:{position}".encode()).digest()
    return digest[0] % LAST_YEAR_DROPPED != 0


# ---------------------------------------------------------------- this year, in appraisal


def _this_year(authority: Authority, people: dict[str, User], say: Say) -> None:
    secretary = people["thu_ky"]
    now = timezone.now()
    version = criteria_set_import(
        authority=authority,
        yaml_text=(DATA / "departments.yaml").read_text(encoding="utf-8"),
        created_by=secretary,
    )
    cycle = cycle_create(
        authority=authority,
        unit_group=version.unit_group,
        criteria_set=version,
        year=2014,
        title="Chỉ số CCHC các sở, ban, ngành năm 2014",
        self_assessment_opens=now - dt.timedelta(days=40),
        self_assessment_closes=now + dt.timedelta(days=1),
        appraisal_closes=now + dt.timedelta(days=20),
        explanation_closes=now + dt.timedelta(days=30),
        finalisation_due=now + dt.timedelta(days=40),
        by=secretary,
    )
    cycle_advance(cycle=cycle, to_phase=Phase.SELF_ASSESSMENT, by=secretary)
    inputs = example_inputs("departments", version.yaml_text)
    evidence_leaves = evidence_leaves_by_field(version.pk)
    for assessment in cycle.assessments.select_related("unit").order_by("unit__code"):
        sheet_fill(assessment, inputs, people, evidence_leaves)
    submitted = cycle.assessments.exclude(status=AssessmentStatus.DRAFT).count()
    say(f"  phiếu tự đánh giá đã nộp: {submitted}/{cycle.assessments.count()}")
    cycle_advance(cycle=cycle, to_phase=Phase.APPRAISAL, by=secretary)
    corrected = _appraise(cycle, people["tham_dinh.noi_vu"])
    say(f"  thẩm định: {corrected} giá trị được điều chỉnh, có lý do")
    districts = criteria_set_import(
        authority=authority,
        yaml_text=(DATA / "districts.yaml").read_text(encoding="utf-8"),
        created_by=secretary,
    )
    district_cycle = cycle_create(
        authority=authority,
        unit_group=districts.unit_group,
        criteria_set=districts,
        year=2014,
        title="Chỉ số CCHC UBND các huyện, thành phố năm 2014",
        self_assessment_opens=now - dt.timedelta(days=5),
        self_assessment_closes=now + dt.timedelta(days=25),
        by=secretary,
    )
    cycle_advance(cycle=district_cycle, to_phase=Phase.SELF_ASSESSMENT, by=secretary)
    say("  kỳ đánh giá các huyện: đang tự đánh giá")


# a few units' first values appraised by Home Affairs: the first choice/yes-no leaf corrected
# with a reason, the others confirmed (the appraiser's page then shows both kinds)
APPRAISED_UNITS = ("SO_TP", "SO_TC", "SO_YT")
APPRAISED_LEAVES = 6  # per unit: the appraisal is under way


def _appraise(cycle: Cycle, appraiser: User) -> int:
    criteria = criteria_for(cycle.criteria_set)
    leaves = {leaf.code: leaf for leaf in criteria.leaves()}
    agency = dict(
        CriterionNode.objects.filter(criteria_set=cycle.criteria_set, is_leaf=True)
        .exclude(appraiser="")
        .values_list("code", "appraiser")
    )
    corrected = 0
    sheets = cycle.assessments.filter(
        unit__code__in=APPRAISED_UNITS, status=AssessmentStatus.SUBMITTED
    ).select_related("unit", "cycle")
    for sheet in sheets.order_by("unit__code"):
        done = False
        mine = [e for e in sheet.entries.order_by("code") if agency.get(e.code) == "noi_vu"]
        for entry in mine[:APPRAISED_LEAVES]:
            if not entry.value:
                continue
            other = "" if done else lower_value(leaves[entry.code].rule, entry.value)
            entry_appraise(
                entry=entry,
                value=other or entry.value,
                reason="Tài liệu kiểm chứng không thể hiện đúng mức đã tự chấm" if other else "",
                expected_version=entry.version,
                by=appraiser,
            )
            if other:
                done = True
                corrected += 1
    return corrected


# ---------------------------------------------------------------- the city, in explanation
