"""Thành phố Sơn La (*UBND thành phố*), a district-level authority of the demo province,
evaluating its 7 wards and 5 communes: a 2014 cycle in the explanation round.
"""

from __future__ import annotations

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from parindex.accounts.models import Role, User
from parindex.accounts.services import membership_grant
from parindex.assessments.appraisal import (
    agency_of,
    entry_appraise,
    explanation_decide,
    explanation_submit,
    is_corrected,
    leaves_to_appraise,
)
from parindex.assessments.models import (
    AssessmentStatus,
    Cycle,
    Explanation,
    LeafEntry,
    Phase,
)
from parindex.assessments.selectors import criteria_for
from parindex.assessments.services import (
    cycle_advance,
    cycle_create,
    evidence_upload,
)
from parindex.criteria.models import CriterionNode
from parindex.criteria.services import criteria_set_import
from parindex.demo.build import (
    DATA,
    Say,
    evidence_leaves_by_field,
    example_inputs,
    lower_value,
    pdf,
    sheet_fill,
    unit_people,
    user_make,
)
from parindex.demo.city_survey import city_survey_load
from parindex.units.models import Authority, UnitGroup
from parindex.units.services import units_import

CITY_GROUP_NAMES = {"thanh_pho": "UBND thành phố", "xa": "Khối UBND các xã, phường"}
# the city's offices that appraise its communes, by the agency codes of `data/communes.yaml`
CITY_AGENCIES = {
    "noi_vu": "Phòng Nội vụ",
    "tu_phap": "Phòng Tư pháp",
    "van_phong": "Văn phòng HĐND và UBND thành phố",
    "tai_chinh": "Phòng Tài chính - Kế hoạch",
    "van_hoa_tt": "Phòng Văn hóa và Thông tin",
}


CITY_CORRECTED = ("P_CHIENG_AN", "P_TO_HIEU", "X_CHIENG_XOM")  # a Home Affairs value each
CITY_EXPLAINED = {  # unit: (argument, with a new document, accepted on second appraisal)
    "P_TO_HIEU": (
        "Kế hoạch CCHC năm 2014 của phường ban hành ngày 20/01/2014, trước thời hạn; gửi kèm "
        "quyết định ban hành và trang sổ văn bản đi (bổ sung khi giải trình). "
        "Đề nghị giữ mức tự chấm.",
        True,
        False,
    ),
    "X_CHIENG_XOM": (
        "Xã có ban hành kế hoạch CCHC năm 2014 (chậm so với hướng dẫn): quyết định ban hành đã "
        "nộp cùng phiếu tự đánh giá, trang 3 tài liệu kiểm chứng lĩnh vực 1. "
        "Đề nghị giữ mức tự chấm.",
        False,
        True,
    ),
}
CITY_ACCEPTED = (
    "Phúc tra: quyết định ban hành kế hoạch có trong tài liệu đã nộp; chấp nhận giải trình."
)


def city_load(*, province: Authority, admin: User, say: Say) -> None:
    """Thành phố Sơn La evaluates its wards and communes: a cycle in the explanation round."""
    city = Authority.objects.create(
        code="tp_son_la", name="Ủy ban nhân dân thành phố Sơn La", parent=province
    )
    membership_grant(user=admin, authority=city, role=Role.SYSTEM_ADMIN, by=None)
    units_import(
        authority=city,
        path=DATA / "communes-units.csv",
        display_name="communes-units.csv",
        by=admin,
    )
    for code, label in CITY_GROUP_NAMES.items():
        UnitGroup.objects.filter(authority=city, code=code).update(name=label)
    people = _city_people(city)
    secretary = people["tpsl.thu_ky"]
    now = timezone.now()
    version = criteria_set_import(
        authority=city,
        yaml_text=(DATA / "communes.yaml").read_text(encoding="utf-8"),
        created_by=secretary,
    )
    cycle = cycle_create(
        authority=city,
        unit_group=version.unit_group,
        criteria_set=version,
        year=2014,
        title="Chỉ số CCHC UBND các xã, phường thành phố Sơn La năm 2014",
        self_assessment_opens=now - dt.timedelta(days=60),
        self_assessment_closes=now + dt.timedelta(hours=1),  # past soon after loading
        appraisal_closes=now + dt.timedelta(hours=2),
        explanation_closes=now + dt.timedelta(days=10),
        finalisation_due=now + dt.timedelta(days=20),
        by=secretary,
    )
    cycle_advance(cycle=cycle, to_phase=Phase.SELF_ASSESSMENT, by=secretary)
    city_survey_load(cycle=cycle, secretary=people["tpsl.khao_sat"], say=say)
    inputs = example_inputs("communes", version.yaml_text)
    evidence_leaves = evidence_leaves_by_field(version.pk)
    for assessment in cycle.assessments.select_related("unit").order_by("unit__code"):
        sheet_fill(assessment, inputs, people, evidence_leaves)
    submitted = cycle.assessments.exclude(status=AssessmentStatus.DRAFT).count()
    say(f"  thành phố Sơn La: {submitted}/{cycle.assessments.count()} xã, phường đã nộp phiếu")
    cycle_advance(cycle=cycle, to_phase=Phase.APPRAISAL, by=secretary)
    corrected = _appraise_all(cycle, people)
    say(f"  thành phố Sơn La: thẩm định xong, {corrected} giá trị được điều chỉnh")
    cycle_advance(cycle=cycle, to_phase=Phase.EXPLANATION, by=secretary)
    for unit_code, (argument, document, accepted) in CITY_EXPLAINED.items():
        _explain(cycle, unit_code, argument, document=document, accepted=accepted, people=people)
    say(f"  thành phố Sơn La: đang giải trình ({len(CITY_EXPLAINED)} đơn vị đã giải trình)")


def _city_people(city: Authority) -> dict[str, User]:
    people = {
        "tpsl.thu_ky": user_make("tpsl.thu_ky", "Thư ký Hội đồng thẩm định thành phố"),
        "tpsl.chu_tich_hd": user_make("tpsl.chu_tich_hd", "Chủ tịch Hội đồng thẩm định thành phố"),
        "tpsl.khao_sat": user_make("tpsl.khao_sat", "Cán bộ phụ trách điều tra xã hội học"),
    }
    for username, role in (
        ("tpsl.thu_ky", Role.SECRETARIAT),
        ("tpsl.chu_tich_hd", Role.COUNCIL_CHAIR),
        ("tpsl.khao_sat", Role.SURVEY_ADMIN),
    ):
        membership_grant(user=people[username], authority=city, role=role, by=None)
    for agency, office in CITY_AGENCIES.items():
        user = user_make(f"tpsl.tham_dinh.{agency}", f"Thẩm định viên {office}")
        membership_grant(user=user, authority=city, role=Role.APPRAISER, agency=agency, by=None)
        people[user.username] = user
    people.update(unit_people(city, ["xa"]))
    return people


def _appraise_all(cycle: Cycle, people: dict[str, User]) -> int:
    """Every submitted sheet appraised by the city's offices, each leaf by its agency: values
    confirmed, and on the sheets of CITY_CORRECTED the first Home Affairs choice or yes/no
    value that can go lower corrected, with a reason. Returns the number of corrections."""
    leaves = {leaf.code: leaf for leaf in criteria_for(cycle.criteria_set).leaves()}
    agency = dict(
        CriterionNode.objects.filter(criteria_set=cycle.criteria_set, is_leaf=True)
        .exclude(appraiser="")
        .values_list("code", "appraiser")
    )
    corrected = 0
    sheets = cycle.assessments.filter(status=AssessmentStatus.SUBMITTED)
    for sheet in sheets.select_related("unit", "cycle").order_by("unit__code"):
        to_correct = sheet.unit.code in CITY_CORRECTED
        for entry in sheet.entries.order_by("code"):
            office = agency.get(entry.code)
            if not office:
                continue
            other = ""
            if to_correct and office == "noi_vu":
                other = lower_value(leaves[entry.code].rule, entry.value)
            entry_appraise(
                entry=entry,
                value=other or entry.value,
                reason="Tài liệu kiểm chứng chưa thể hiện đúng mức đã tự chấm" if other else "",
                expected_version=entry.version,
                by=people[f"tpsl.tham_dinh.{office}"],
            )
            if other:
                to_correct = False
                corrected += 1
        if leaves_to_appraise(sheet):  # the data changed: a leaf of an agency has no value
            raise RuntimeError(f"demo: {sheet.unit.code} not fully appraised")
    return corrected


def _explain(
    cycle: Cycle,
    unit_code: str,
    argument: str,
    *,
    document: bool,
    accepted: bool,
    people: dict[str, User],
) -> Explanation:
    """The unit contests its correction, with a new document when `document`; when
    `accepted`, the appraiser of the leaf's agency accepts it (*phúc tra*)."""
    sheet = cycle.assessments.select_related("unit", "cycle").get(unit__code=unit_code)
    entry = next(
        e for e in LeafEntry.objects.filter(assessment=sheet).order_by("code") if is_corrected(e)
    )
    focal = people[f"{unit_code.lower()}.dau_moi"]
    explanation = explanation_submit(entry=entry, argument=argument, by=focal)
    if document:
        document_bytes = pdf(f"{unit_code}: tai lieu bo sung khi giai trinh, tieu chi {entry.code}")
        name = f"{unit_code}-giai-trinh-{entry.code}.pdf"
        evidence_upload(
            assessment=sheet,
            file=ContentFile(document_bytes, name=name),
            codes=[entry.code],
            by=focal,
        )
    if accepted:
        office = agency_of(sheet, entry.code)
        explanation = explanation_decide(
            explanation=explanation,
            accept=True,
            reason=CITY_ACCEPTED,
            by=people[f"tpsl.tham_dinh.{office}"],
        )
    return explanation
