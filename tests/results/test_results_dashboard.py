"""The leaders' dashboard of an authority: where each group stands, who moved, the fields that
hold the authority back, the units late in the current cycle; authority-wide roles only."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.models import Assessment, AssessmentStatus, Cycle, Phase
from parindex.criteria.services import criteria_set_import
from parindex.formats.results_pdf import VIETNAM
from parindex.results.dashboard import dashboard_for
from parindex.results.services import publication_publish, results_compute
from parindex.scoring.model import Entry, Inputs
from parindex.scoring.model import Unit as EngineUnit
from parindex.units.models import Authority, Unit, UnitGroup

pytestmark = pytest.mark.django_db

DEPARTMENTS = """\
code: SO-{year}
title: Bộ tiêu chí các sở năm {year}
year: {year}
unit_group: so_nganh
max_points: 20
decimals: 2
classes:
  - {{code: tot, label: Tốt, min: 90}}
  - {{code: kha, label: Khá, min: 70}}
  - {{code: yeu, label: Yếu, min: 0}}
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    children:
      - {{code: "1.1", title: Kế hoạch, max: 10, source: self, rule: {{type: manual, step: 0.5}}}}
  - code: "2"
    title: Cải cách thủ tục hành chính
    children:
      - {{code: "2.1", title: Một cửa, max: 10, source: self, rule: {{type: manual, step: 0.5}}}}
"""

DISTRICTS = """\
code: HUYEN-2024
title: Bộ tiêu chí các huyện năm 2024
year: 2024
unit_group: huyen
max_points: 10
classes: [{code: tot, label: Tốt, min: 90}, {code: yeu, label: Yếu, min: 0}]
nodes:
  - code: "1"
    title: Chỉ đạo điều hành
    children:
      - {code: "1.1", title: Kế hoạch, max: 10, source: self, rule: {type: manual, step: 0.5}}
"""

NAMES = {"A": "Sở Tư pháp", "B": "Sở Nội vụ", "C": "Sở Y tế"}


@dataclass
class Province:
    authority: Authority
    published: Cycle  # the departments' 2024 cycle, published after 2023's
    running: Cycle  # the districts' 2024 cycle, in appraisal, both deadlines past
    leader: User


def published_year(authority: Authority, year: int, values: dict[str, tuple[str, str]],
                   by: User) -> Cycle:  # fmt: skip
    version = criteria_set_import(authority=authority, yaml_text=DEPARTMENTS.format(year=year))
    cycle = Cycle.objects.create(
        authority=authority,
        unit_group=version.unit_group,
        criteria_set=version,
        year=year,
        title=f"Chỉ số CCHC các sở năm {year}",
        phase=Phase.FINALISATION,
    )

    def build(_cycle: Cycle) -> Inputs:
        return Inputs(
            units=tuple(EngineUnit(code, NAMES[code]) for code in values),
            values={
                code: {"1.1": Entry(Decimal(a), a), "2.1": Entry(Decimal(b), b)}
                for code, (a, b) in values.items()
            },
        )

    results_compute(cycle=cycle, build=build)
    publication_publish(cycle=cycle, by=by)
    return cycle


def member(username: str, role: Role, authority: Authority, unit: Unit | None = None) -> User:
    user = User.objects.create_user(username, password="x")
    Membership.objects.create(user=user, authority=authority, role=role, unit=unit)
    return user


@pytest.fixture
def province() -> Province:
    authority = Authority.objects.create(code="son-la", name="Sơn La")
    UnitGroup.objects.create(authority=authority, code="so_nganh", name="Khối sở, ban, ngành")
    districts = UnitGroup.objects.create(authority=authority, code="huyen", name="Khối huyện")
    secretary = member("thu_ky", Role.SECRETARIAT, authority)
    # 2023: B 90 (1st), A 80 (2nd), C 50 (3rd)
    published_year(authority, 2023, {"A": ("8", "8"), "B": ("9", "9"), "C": ("5", "5")}, secretary)
    # 2024: A 95 (1st, +15, +1), B 70 (2nd, −20, −1), C 55 (3rd, +5, =)
    published = published_year(
        authority, 2024, {"A": ("10", "9"), "B": ("8", "6"), "C": ("7", "4")}, secretary
    )
    now = timezone.now()
    version = criteria_set_import(authority=authority, yaml_text=DISTRICTS)
    running = Cycle.objects.create(
        authority=authority,
        unit_group=districts,
        criteria_set=version,
        year=2024,
        title="Chỉ số CCHC các huyện năm 2024",
        phase=Phase.APPRAISAL,
        self_assessment_closes=now - dt.timedelta(days=5, hours=1),
        appraisal_closes=now - dt.timedelta(days=2, hours=1),
    )
    for code, name, status in (
        ("H1", "Huyện Mai Sơn", AssessmentStatus.DRAFT),
        ("H2", "Huyện Mộc Châu", AssessmentStatus.SUBMITTED),
        ("H3", "Huyện Yên Châu", AssessmentStatus.APPRAISED),
    ):
        unit = Unit.objects.create(authority=authority, code=code, name=name, group=districts)
        Assessment.objects.create(cycle=running, unit=unit, status=status)
    running.assessments.get(unit__code="H1").entries.create(code="1.1", value="5")
    return Province(authority, published, running, member("lanh_dao", Role.LEADER, authority))


def page_text(user: User, lang: str = "vi") -> str:
    client = Client()
    client.force_login(user)
    answer = client.get("/results/dashboard/son-la/", HTTP_ACCEPT_LANGUAGE=lang)
    assert answer.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", answer.content.decode()).split())


def test_results_dashboard_assembles_the_published_figures_and_the_late_sheets(province):
    board = dashboard_for(
        authority=province.authority, user=province.leader, now=timezone.now(), lang="vi"
    )
    departments, districts = sorted(board.groups, key=lambda g: g.group)[::-1]
    assert departments.group == "Khối sở, ban, ngành"
    assert (departments.cycle.pk, departments.published.pk) == (province.published.pk,) * 2
    assert (departments.units, departments.mean, departments.median) == (
        3,
        Decimal("73.33"),
        Decimal("70"),
    )
    assert departments.classes == [("Tốt", 1), ("Khá", 1), ("Yếu", 1)]
    assert departments.revision == 1 and not departments.earlier
    assert (districts.group, districts.published, districts.units) == ("Khối huyện", None, 0)
    assert [(m.name, m.delta_index, m.delta_rank) for m in board.risers] == [
        ("Sở Tư pháp", Decimal(15), 1),
        ("Sở Y tế", Decimal(5), 0),
    ]
    assert [(m.name, m.delta_index, m.delta_rank) for m in board.fallers] == [
        ("Sở Nội vụ", Decimal(-20), -1)
    ]
    # field 2: A 90 %, B 60 %, C 40 % → 63.33 %, C below half; field 1: 100, 80, 70 → 83.33
    assert [(f.code, round(f.percent, 2), f.low, f.units) for f in board.weak] == [
        ("2", Decimal("63.33"), 1, 3),
        ("1", Decimal("83.33"), 0, 3),
    ]
    assert [(s.code, s.stage, s.days, s.filled) for s in board.late] == [
        ("H1", "self_assessment", 5, 1),
        ("H2", "appraisal", 2, 0),
    ]


def test_results_dashboard_page_shows_the_numbers_and_unit_names_in_vietnamese(province):
    text = page_text(province.leader)
    assert "Bảng điều hành của lãnh đạo: Sơn La" in text
    assert "Khối sở, ban, ngành — 2024" in text
    assert "Giai đoạn: Đã công bố · đã công bố (lần 1)" in text
    assert "Đơn vị: 3 · Chỉ số trung bình: 73,33 · trung vị: 70" in text
    assert "Xếp loại: Tốt 1, Khá 1, Yếu 1" in text
    assert "Khối huyện — 2024 Giai đoạn: Thẩm định · chưa công bố" in text
    rises = text[text.index("Tăng nhiều nhất") : text.index("Giảm nhiều nhất")]
    assert "Đơn vị Xếp hạng Chỉ số ± chỉ số ± hạng" in rises
    assert "Sở Tư pháp · Khối sở, ban, ngành 1 95 +15 +1" in rises
    assert "Sở Y tế · Khối sở, ban, ngành 3 55 +5 +0" in rises
    assert "Sở Nội vụ" not in rises
    falls = text[text.index("Giảm nhiều nhất") : text.index("Các lĩnh vực còn hạn chế")]
    assert "Sở Nội vụ · Khối sở, ban, ngành 2 70 -20 -1" in falls
    fields = text[text.index("Các lĩnh vực còn hạn chế") : text.index("Chậm tiến độ")]
    assert "Tỷ lệ điểm đạt bình quân Số đơn vị đạt dưới một nửa" in fields
    assert "2. Cải cách thủ tục hành chính · Khối sở, ban, ngành 2024 63,33% 1/3" in fields
    assert fields.index("2. Cải cách") < fields.index("1. Chỉ đạo điều hành")
    late = text[text.index("Chậm tiến độ trong kỳ đánh giá hiện tại") :]
    deadline = timezone.localtime(province.running.self_assessment_closes, VIETNAM)
    assert (
        "Huyện Mai Sơn · Khối huyện chưa gửi phiếu tự đánh giá (đã nhập 1 tiêu chí) "
        f"{deadline:%d/%m/%Y %H:%M} 5"
    ) in late
    assert "Huyện Mộc Châu · Khối huyện chưa thẩm định xong" in late
    assert "Huyện Yên Châu" not in late
    english = page_text(province.leader, "en")
    assert "Leaders' dashboard: Sơn La" in english.replace("&#x27;", "'")
    assert "Mean index: 73.33 · median: 70" in english


def test_results_dashboard_is_for_the_authority_wide_roles_only(province):
    authority = province.authority
    unit = Unit.objects.get(code="H1")
    for role in (Role.SECRETARIAT, Role.COUNCIL_CHAIR, Role.SYSTEM_ADMIN):
        assert "Sở Tư pháp" in page_text(member(f"r_{role}", role, authority))
    other = Authority.objects.create(code="lai-chau", name="Lai Châu")
    refused = [
        member("dau_moi", Role.FOCAL_POINT, authority, unit),
        member("thu_truong", Role.UNIT_HEAD, authority, unit),
        member("tham_dinh", Role.APPRAISER, authority),
        member("lanh_dao_khac", Role.LEADER, other),
        User.objects.create_user("khong_vai_tro"),
    ]
    for user in refused:
        client = Client()
        client.force_login(user)
        assert client.get("/results/dashboard/son-la/").status_code == 404, user.username
    leader = Client()
    leader.force_login(province.leader)
    assert leader.get("/results/dashboard/lai-chau/").status_code == 404  # not theirs
    assert leader.get("/results/dashboard/khong-co/").status_code == 404
    anonymous = Client().get("/results/dashboard/son-la/")
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]


def test_results_dashboard_is_linked_from_the_ranking_for_those_who_may_see_it(province):
    url = f"/results/{province.published.pk}/"
    link = 'href="/results/dashboard/son-la/"'
    leader = Client()
    leader.force_login(province.leader)
    assert link in leader.get(url).content.decode()
    focal = Client()
    focal.force_login(
        member("dau_moi", Role.FOCAL_POINT, province.authority, Unit.objects.get(code="H1"))
    )
    assert link not in focal.get(url).content.decode()
    assert link not in Client().get(url).content.decode()


def test_results_dashboard_shows_an_earlier_years_figures_until_the_new_cycle_is_published(
    province,
):
    version = criteria_set_import(
        authority=province.authority, yaml_text=DEPARTMENTS.format(year=2025)
    )
    Cycle.objects.create(
        authority=province.authority,
        unit_group=version.unit_group,
        criteria_set=version,
        year=2025,
        title="Chỉ số CCHC các sở năm 2025",
        phase=Phase.SELF_ASSESSMENT,
        self_assessment_closes=timezone.now() + dt.timedelta(days=3),
    )
    board = dashboard_for(
        authority=province.authority, user=province.leader, now=timezone.now(), lang="vi"
    )
    departments = next(g for g in board.groups if g.group == "Khối sở, ban, ngành")
    assert (departments.cycle.year, departments.published.year, departments.earlier) == (
        2025,
        2024,
        True,
    )
    assert departments.mean == Decimal("73.33")
    text = page_text(province.leader)
    assert "Khối sở, ban, ngành — 2025" in text
    assert "chưa công bố Kết quả công bố gần nhất: 2024" in text
    assert [s.code for s in board.late] == ["H1", "H2"]  # the 2025 deadline has not passed


def test_results_dashboard_shows_the_external_indices_beside(province):
    from decimal import Decimal

    from parindex.accounts.models import Membership, Role
    from parindex.indices.services import index_value_save

    secretary = User.objects.create_user("thu_ky_chi_so")
    Membership.objects.create(user=secretary, authority=province.authority, role=Role.SECRETARIAT)
    for year, value, rank in ((2023, "41.87", 30), (2024, "43.12", 21)):
        index_value_save(
            authority=province.authority, year=year, index="papi", value=Decimal(value),
            rank=rank, ranked_of=63, source="Báo cáo PAPI", by=secretary,
        )  # fmt: skip
    text = page_text(province.leader)
    beside = text[text.index("Các chỉ số bên ngoài") : text.index("Tăng nhiều nhất")]
    assert "2022 2023 2024" in beside
    assert "PAPI — 41,87 (30/63) 43,12 (21/63)" in beside
