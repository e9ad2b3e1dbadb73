"""The demo province: Sơn La's departments and districts, last year's published results, and
this year's cycle in appraisal, built through the same services the application uses.

Everything comes from `examples/` (shipped inside the package as `parindex/demo/data/`): the
units, the 2014 criteria sets and their values, survey answers and metrics.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import Role, User
from parindex.accounts.services import membership_grant
from parindex.assessments.appraisal import entry_appraise
from parindex.assessments.errors import SheetIncompleteError
from parindex.assessments.models import Assessment, AssessmentStatus, Cycle, Phase
from parindex.assessments.selectors import criteria_for, entered_leaves
from parindex.assessments.services import (
    assessment_submit,
    cycle_advance,
    cycle_create,
    entry_save,
    evidence_upload,
)
from parindex.criteria.models import CriterionNode
from parindex.criteria.services import criteria_set_import
from parindex.formats.answers import read_answers
from parindex.formats.criteria import parse_criteria
from parindex.formats.inputs import read_metrics, read_units, read_values, units_for
from parindex.results.services import publication_publish, results_compute
from parindex.scoring.model import BooleanRule, ChoiceRule, Inputs
from parindex.units.models import Authority, Unit, UnitGroup
from parindex.units.services import units_import

DATA = Path(__file__).resolve().parent / "data"
PASSWORD = "demo-parindex-2024"  # printed on start: a local demo, not a secret
LAST_YEAR_DROPPED = 9  # every 9th value row of a unit is missing from last year's results

GROUP_NAMES = {
    "tinh": "UBND tỉnh",
    "so_nganh": "Khối sở, ban, ngành",
    "huyen": "Khối UBND các huyện, thành phố",
}

Say = Callable[[str], None]


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
        admin = _user("quan_tri", "Quản trị hệ thống", superuser=True)
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
    return demo_logins()


def demo_logins() -> list[Login]:
    return [
        Login("Quản trị hệ thống / system admin", "quan_tri", ""),
        Login("Thư ký (Sở Nội vụ) / secretariat", "thu_ky", ""),
        Login("Đầu mối đơn vị / unit focal point", "so_tp.dau_moi", "Sở Tư pháp"),
        Login("Thủ trưởng đơn vị / unit head", "so_tp.thu_truong", "Sở Tư pháp"),
        Login("Thẩm định viên / appraiser", "tham_dinh.noi_vu", "Sở Nội vụ: lĩnh vực 1, 4, 5, 8"),
        Login("Chủ tịch Hội đồng / council chair", "chu_tich_hd", ""),
        Login("Lãnh đạo (xem) / leader", "lanh_dao", ""),
    ]


# ---------------------------------------------------------------- people


@functools.cache
def _password_hash() -> str:
    return make_password(PASSWORD)  # hashed once: sixty PBKDF2 runs would take half a minute


def _user(username: str, name: str, *, superuser: bool = False) -> User:
    user = User(username=username, first_name=name, is_staff=superuser, is_superuser=superuser)
    user.password = _password_hash()
    user.save()
    return user


def _people(authority: Authority) -> dict[str, User]:
    people = {
        "thu_ky": _user("thu_ky", "Thư ký Hội đồng thẩm định"),
        "chu_tich_hd": _user("chu_tich_hd", "Chủ tịch Hội đồng"),
        "lanh_dao": _user("lanh_dao", "Lãnh đạo UBND tỉnh"),
        "tham_dinh.noi_vu": _user("tham_dinh.noi_vu", "Thẩm định viên Sở Nội vụ"),
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
    for unit in Unit.objects.filter(authority=authority, group__code__in=["so_nganh", "huyen"]):
        for role, suffix, title in (
            (Role.FOCAL_POINT, "dau_moi", "Đầu mối CCHC"),
            (Role.UNIT_HEAD, "thu_truong", "Thủ trưởng"),
        ):
            user = _user(f"{unit.code.lower()}.{suffix}", f"{title} {unit.name}")
            membership_grant(user=user, authority=authority, role=role, unit=unit, by=None)
            people[user.username] = user
    return people


# ---------------------------------------------------------------- last year, published


def _example_inputs(stem: str, yaml_text: str) -> Inputs:
    criteria = parse_criteria(yaml_text)
    records = read_units(DATA / f"{stem}-units.csv")
    units = units_for(records, unit_group=criteria.unit_group, year=criteria.year)
    codes = {u.code for u in units}
    values = read_values(DATA / f"{stem}-values.csv", criteria, codes)
    metrics = read_metrics(DATA / f"{stem}-metrics.csv", codes)
    tally, _ = read_answers(DATA / f"{stem}-answers.csv", criteria, codes)
    return Inputs(units=units, values=values, metrics=metrics, survey=tally)


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
        inputs = _example_inputs(stem, yaml_text)
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
    inputs = _example_inputs("departments", version.yaml_text)
    evidence_leaves = _evidence_leaves_by_field(version.pk)
    for assessment in cycle.assessments.select_related("unit").order_by("unit__code"):
        _fill(assessment, inputs, people, evidence_leaves)
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
            other = "" if done else _other_value(leaves[entry.code].rule, entry.value)
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


def _other_value(rule: object, value: str) -> str:
    """A lower value of the same rule (a choice's next option, yes → no), or '' if none."""
    if isinstance(rule, ChoiceRule):
        codes = [option.code for option in rule.options]
        if value in codes and codes.index(value) + 1 < len(codes):
            return codes[codes.index(value) + 1]
    if isinstance(rule, BooleanRule) and value.casefold() in ("có", "co", "yes", "1", "true"):
        return "không"
    return ""


def _evidence_leaves_by_field(version_id: int) -> dict[str, list[str]]:
    leaves: dict[str, list[str]] = {}
    for node in CriterionNode.objects.filter(
        criteria_set_id=version_id, is_leaf=True, evidence_required=True
    ):
        leaves.setdefault(node.code.split(".")[0], []).append(node.code)
    return leaves


def _fill(
    assessment: Assessment,
    inputs: Inputs,
    people: dict[str, User],
    evidence_leaves: dict[str, list[str]],
) -> None:
    code = assessment.unit.code.lower()
    focal, head = people[f"{code}.dau_moi"], people[f"{code}.thu_truong"]
    entered = entered_leaves(criteria_for(assessment.cycle.criteria_set))
    for leaf, entry in sorted(inputs.values.get(assessment.unit.code, {}).items()):
        if leaf not in entered:  # data leaves come from imported data, not from the unit
            continue
        entry_save(
            assessment=assessment,
            code=leaf,
            value=entry.text,
            note=entry.note,
            expected_version=0,
            by=focal,
        )
    for field, leaves in sorted(evidence_leaves.items()):
        document = ContentFile(
            _pdf(f"{assessment.unit.name}: tai lieu kiem chung linh vuc {field}"),
            name=f"{assessment.unit.code}-linh-vuc-{field}.pdf",
        )
        evidence_upload(assessment=assessment, file=document, codes=leaves, by=focal)
    with contextlib.suppress(SheetIncompleteError):  # incomplete sheets stay in draft, as in life
        assessment_submit(assessment=assessment, by=head)


def _pdf(text: str) -> bytes:
    """A small, valid one-page PDF saying `text` (ASCII), with a correct xref table."""
    stream = f"BT /F1 12 Tf 72 760 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Times-Roman >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
