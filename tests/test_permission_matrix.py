"""The authorisation matrix: every route that takes an id, asked by every kind of outsider.

A route that names an object (a sheet, a piece of evidence, a cycle, a criteria set, an
authority) is listed in ROUTES with how to reach the object of unit U1 in authority A. For each
one the owner must get through (so the URL is right and the test can fail), and the outsiders
must not: a focal point of another unit of the same authority, and the secretariat of another
authority, get 404 for anything of U1 or of authority A they may not see, and never a success
for an action. A new id-bearing route that is not listed here makes the test fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from parindex.accounts.models import Membership, Role, User
from parindex.accounts.tokens import api_token_create
from parindex.assessments.models import (
    Assessment,
    AssessmentStatus,
    Cycle,
    Evidence,
    Explanation,
    ExplanationDecision,
    LeafEntry,
    Phase,
)
from parindex.assessments.services import cycle_advance, cycle_create, evidence_upload
from parindex.criteria.models import CriteriaSetVersion
from parindex.criteria.services import criteria_set_import, criteria_set_revise
from parindex.demo.services import _pdf
from parindex.units.models import Authority, Unit
from tests.consequences.consequences_matrix import routes as consequence_routes
from tests.dossiers.dossiers_matrix import routes as dossier_routes
from tests.indices.indices_matrix import routes as indices_routes
from tests.plans.plans_matrix import routes as plan_routes
from tests.survey.survey_matrix import routes as survey_routes

pytestmark = pytest.mark.django_db

SET = """\
code: MATRIX
title: Bộ tiêu chí thử quyền
year: 2024
unit_group: so_nganh
max_points: 2
decimals: 2
classes: [{code: tot, label: Tốt, min: 90}, {code: yeu, label: Yếu, min: 0}]
nodes:
  - code: "1"
    title: Lĩnh vực 1
    children:
      - {code: "1.1", title: Kế hoạch, max: 1, source: self, appraiser: noi_vu,
         evidence: Quyết định, rule: {type: boolean, "yes": 1, "no": 0}}
      - {code: "1.2", title: Báo cáo, max: 1, source: self, appraiser: noi_vu,
         rule: {type: manual, step: 0.5}}
"""

PUBLIC = {
    "accounts:activate",  # the token is the permission
    "results:ranking",  # published results are public; unpublished ones are 404 for all
    "results:snapshot",
    "results:snapshot_pdf",
    "results:snapshot_docx",
    "results:analysis",
    "api:published_results",
    "survey:answer",  # the one-use code is the permission
    "survey:answer_save",
}
SKIPPED_PREFIXES = ("admin/",)  # Django's admin checks staff status itself


@dataclass
class World:
    authority: Authority
    other_authority: Authority
    unit: Unit
    version: CriteriaSetVersion
    revised: CriteriaSetVersion  # a second version, for the diff
    cycle: Cycle
    sheet: Assessment
    evidence: Evidence
    owner: User  # focal point of U1
    head: User
    secretariat: User
    other_unit: User  # focal point of U2, same authority
    other_authority_user: User  # secretariat of authority B
    appraiser: User  # of agency noi_vu, belongs to no unit
    chair: User  # council chair of authority A
    explanation: Explanation  # U1's explanation on leaf 1.1


def _user(name: str) -> User:
    return User.objects.create_user(name, password="matrix-password-1")


@pytest.fixture
def world() -> World:
    authority = Authority.objects.create(code="tinh_a", name="Tỉnh A")
    other = Authority.objects.create(code="tinh_b", name="Tỉnh B")
    version = criteria_set_import(authority=authority, yaml_text=SET)
    group = version.unit_group
    unit = Unit.objects.create(authority=authority, code="U1", name="Sở U1", group=group)
    unit2 = Unit.objects.create(authority=authority, code="U2", name="Sở U2", group=group)
    Unit.objects.create(authority=other, code="V1", name="Sở V1")
    owner, head, secretariat = _user("u1_dau_moi"), _user("u1_thu_truong"), _user("thu_ky_a")
    other_unit, other_authority_user = _user("u2_dau_moi"), _user("thu_ky_b")
    Membership.objects.create(user=owner, authority=authority, role=Role.FOCAL_POINT, unit=unit)
    Membership.objects.create(user=head, authority=authority, role=Role.UNIT_HEAD, unit=unit)
    Membership.objects.create(user=secretariat, authority=authority, role=Role.SECRETARIAT)
    Membership.objects.create(
        user=other_unit, authority=authority, role=Role.FOCAL_POINT, unit=unit2
    )
    Membership.objects.create(user=other_authority_user, authority=other, role=Role.SECRETARIAT)
    now = timezone.now()
    cycle = cycle_create(
        authority=authority,
        unit_group=group,
        criteria_set=version,
        year=2024,
        title="Kỳ thử quyền",
        self_assessment_opens=now - dt.timedelta(days=1),
        self_assessment_closes=now + dt.timedelta(days=10),
        by=secretariat,
    )
    cycle_advance(cycle=cycle, to_phase=Phase.SELF_ASSESSMENT, by=secretariat)
    sheet = Assessment.objects.get(cycle=cycle, unit=unit)
    evidence = evidence_upload(
        assessment=sheet,
        file=ContentFile(_pdf("U1 evidence"), name="u1.pdf"),
        codes=["1.1"],
        by=owner,
    )
    version.refresh_from_db()
    revised = criteria_set_revise(
        version=version, yaml_text=SET.replace("Kế hoạch", "Kế hoạch năm"), by=secretariat
    )
    appraiser, chair = _user("tham_dinh"), _user("chu_tich")
    Membership.objects.create(
        user=appraiser, authority=authority, role=Role.APPRAISER, agency="noi_vu"
    )
    Membership.objects.create(user=chair, authority=authority, role=Role.COUNCIL_CHAIR)
    entry = LeafEntry.objects.create(assessment=sheet, code="1.1", value="không")
    explanation = Explanation.objects.create(entry=entry, argument="Đã ban hành", by=owner)
    return World(
        authority, other, unit, version, revised, cycle, sheet, evidence, owner, head,
        secretariat, other_unit, other_authority_user, appraiser, chair, explanation,
    )  # fmt: skip


@dataclass(frozen=True)
class Route:
    """How to ask for U1's (or authority A's) object, and who must be able to."""

    url: Callable[[World], str]
    method: str = "GET"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    owner: Callable[[World], User] = lambda w: w.owner
    # may a focal point of another unit of the same authority see it (an authority-wide
    # object such as a cycle or a criteria set)? If not, it must get 404.
    same_authority_may_view: bool = False
    # for an action an outsider may be turned back with a message (a redirect): what must
    # then be left exactly as it was
    state: Callable[[World], Any] = lambda w: None
    # the API's JSON body (a form otherwise)
    json: bool = False
    # puts the world where the owner's action succeeds (a phase, a complete sheet); everyone
    # asks after it, so that the outsiders are refused on an action that would succeed
    prepare: Callable[[World], None] = lambda w: None


def _leader(w: World) -> User:
    """Authority A's leader (*lãnh đạo*, read-only across the authority), made when asked."""
    leader, made = User.objects.get_or_create(username="lanh_dao_a")
    if made:
        Membership.objects.create(user=leader, authority=w.authority, role=Role.LEADER)
    return leader


def _complete(w: World) -> None:
    LeafEntry.objects.create(assessment=w.sheet, code="1.2", value="0.5")


def _phase(phase: str, **sheet: Any) -> Callable[[World], None]:
    def prepare(w: World) -> None:
        Cycle.objects.filter(pk=w.cycle.pk).update(phase=phase)
        if sheet:
            Assessment.objects.filter(pk=w.sheet.pk).update(**sheet)

    return prepare


def _corrected(w: World) -> None:
    """1.1 corrected by the appraiser, U1's first explanation rejected, the window open."""
    _phase(Phase.EXPLANATION, status=AssessmentStatus.APPRAISED)(w)
    LeafEntry.objects.filter(assessment=w.sheet, code="1.1").update(
        appraised_value="có", appraisal_reason="Có quyết định", appraised_at=timezone.now()
    )
    Explanation.objects.filter(pk=w.explanation.pk).update(
        decision=ExplanationDecision.REJECTED, decision_reason="Chưa đủ"
    )


ROUTES: dict[str, Route] = {
    "api:units_list": Route(
        lambda w: f"/api/authorities/{w.authority.code}/units", same_authority_may_view=True
    ),
    "accounts:unit_accounts": Route(
        lambda w: f"/accounts/unit-accounts/{w.authority.code}/", owner=lambda w: w.secretariat
    ),
    "units:list": Route(lambda w: f"/units/{w.authority.code}/", owner=lambda w: w.secretariat),
    "units:import": Route(
        lambda w: f"/units/{w.authority.code}/import/", owner=lambda w: w.secretariat
    ),
    "criteria:detail": Route(
        lambda w: f"/criteria/v/{w.version.pk}/", same_authority_may_view=True
    ),
    "criteria:revise": Route(
        lambda w: f"/criteria/v/{w.version.pk}/revise/", owner=lambda w: w.secretariat
    ),
    "criteria:appraisers": Route(
        lambda w: f"/criteria/v/{w.version.pk}/appraisers/", owner=lambda w: w.secretariat
    ),
    "criteria:diff": Route(
        lambda w: f"/criteria/v/{w.revised.pk}/diff/?against={w.version.pk}",
        same_authority_may_view=True,
    ),
    "criteria:yaml": Route(
        lambda w: f"/criteria/v/{w.version.pk}/download.yaml", same_authority_may_view=True
    ),
    "criteria:xlsx": Route(
        lambda w: f"/criteria/v/{w.version.pk}/download.xlsx", same_authority_may_view=True
    ),
    "criteria:upload": Route(
        lambda w: f"/criteria/{w.authority.code}/upload/", owner=lambda w: w.secretariat
    ),
    # dossiers: an import of U1's dossiers, made by the secretariat through the page; a unit
    # of the same authority sees the import with its own rows only (none here)
    "dossiers:imports": Route(
        lambda w: f"/dossiers/{w.authority.code}/", same_authority_may_view=True
    ),
    "dossiers:import": Route(
        lambda w: f"/dossiers/{w.authority.code}/import/", owner=lambda w: w.secretariat
    ),
    "dossiers:holidays": Route(
        lambda w: f"/dossiers/{w.authority.code}/holidays/", same_authority_may_view=True
    ),
    "dossiers:officials": Route(
        lambda w: f"/dossiers/{w.authority.code}/officials/", same_authority_may_view=True
    ),
    "dossiers:import_detail": Route(
        lambda w: f"/dossiers/imports/{getattr(w.authority.dossier_imports.first(), 'pk', 0)}/",
        same_authority_may_view=True,
        prepare=lambda w: as_user(w.secretariat).post(
            f"/dossiers/{w.authority.code}/import/",
            {
                "year": "2024",
                "mapping": "default",
                "file": ContentFile(
                    "Mã hồ sơ,Đơn vị,Thủ tục,Cán bộ xử lý,Ngày tiếp nhận,Ngày hẹn trả,"
                    "Ngày có kết quả,Trạng thái,Trực tuyến,Ngày xin lỗi,Ngày hẹn mới,"
                    "Số lần hẹn lại\nHS-1,U1,1.001,cb1,2024-03-01,2024-03-05,2024-03-08,"
                    "finished,1,,,\n".encode(),
                    name="mot-cua.csv",
                ),
            },
        ),
    ),
    "dossiers:late": Route(
        lambda w: (
            f"/dossiers/imports/{getattr(w.authority.dossier_imports.first(), 'pk', 0)}/late/"
        ),
        same_authority_may_view=True,
        prepare=lambda w: as_user(w.secretariat).post(
            f"/dossiers/{w.authority.code}/import/",
            {
                "year": "2024",
                "mapping": "default",
                "file": ContentFile(
                    "Mã hồ sơ,Đơn vị,Thủ tục,Cán bộ xử lý,Ngày tiếp nhận,Ngày hẹn trả,"
                    "Ngày có kết quả,Trạng thái,Trực tuyến,Ngày xin lỗi,Ngày hẹn mới,"
                    "Số lần hẹn lại\nHS-1,U1,1.001,cb1,2024-03-01,2024-03-05,2024-03-08,"
                    "finished,1,,,\n".encode(),
                    name="mot-cua.csv",
                ),
            },
        ),
    ),
    "dossiers:holiday_delete": Route(
        lambda w: f"/dossiers/holidays/{getattr(w.authority.holidays.first(), 'pk', 0)}/delete/",
        method="POST",
        owner=lambda w: w.secretariat,
        prepare=lambda w: as_user(w.secretariat).post(
            f"/dossiers/{w.authority.code}/holidays/", {"date": "2024-09-02", "name": "Quốc khánh"}
        ),
        state=lambda w: w.authority.holidays.count(),
    ),
    "assessments:cycle_detail": Route(
        lambda w: f"/cycles/{w.cycle.pk}/", same_authority_may_view=True
    ),
    "assessments:cycle_advance": Route(
        lambda w: f"/cycles/{w.cycle.pk}/advance/",
        method="POST",
        data=lambda w: {"to_phase": Phase.APPRAISAL},
        owner=lambda w: w.secretariat,
        state=lambda w: Cycle.objects.get(pk=w.cycle.pk).phase,
    ),
    # reform plans and tasks: U1 leads a task of authority A's plan (tests/plans/plans_matrix.py)
    **plan_routes(Route),
    # consequences of a cycle (tests/consequences/consequences_matrix.py)
    **consequence_routes(Route),
    # the survey of a 2025 cycle of authority A (tests/survey/survey_matrix.py)
    **survey_routes(Route),
    # external indices of authority A (tests/indices/indices_matrix.py)
    **indices_routes(Route),
    # dossiers: the saved column mappings (tests/dossiers/dossiers_matrix.py)
    **dossier_routes(Route),
    "assessments:sheet": Route(lambda w: f"/cycles/sheets/{w.sheet.pk}/"),
    "assessments:entry_save": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/entries/1.2/",
        method="POST",
        data=lambda w: {"value": "0.5", "note": "", "expected_version": "0"},
    ),
    "assessments:sheet_export": Route(lambda w: f"/cycles/sheets/{w.sheet.pk}/export.xlsx"),
    "results:planner": Route(lambda w: f"/results/{w.cycle.pk}/planner/U1/"),
    # the leaders' dashboard of authority A: its leader (and the other authority-wide roles)
    "results:dashboard": Route(lambda w: f"/results/dashboard/{w.authority.code}/", owner=_leader),
    "assessments:entry_history": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/entries/1.2/history/"
    ),
    "assessments:evidence_upload": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/evidence/",
        method="POST",
        data=lambda w: {"codes": ["1.2"], "file": ContentFile(_pdf("x"), name="x.pdf")},
    ),
    "assessments:evidence_link": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/evidence/link/",
        method="POST",
        data=lambda w: {"evidence": str(w.evidence.pk), "code": "1.2"},
    ),
    "assessments:evidence_unlink": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/evidence/unlink/",
        method="POST",
        data=lambda w: {"evidence": str(w.evidence.pk), "code": "1.1"},
    ),
    "assessments:sheet_submit": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/submit/", method="POST", owner=lambda w: w.head
    ),
    "assessments:evidence_download": Route(lambda w: f"/cycles/evidence/{w.evidence.pk}/"),
    "appraisal:worklist": Route(
        lambda w: f"/cycles/{w.cycle.pk}/appraisal/", owner=lambda w: w.appraiser
    ),
    "appraisal:explanations": Route(
        lambda w: f"/cycles/{w.cycle.pk}/explanations/", owner=lambda w: w.chair
    ),
    "appraisal:finalise": Route(
        lambda w: f"/cycles/{w.cycle.pk}/finalise/",
        method="POST",
        owner=lambda w: w.chair,
        state=lambda w: Cycle.objects.get(pk=w.cycle.pk).phase,
    ),
    "appraisal:publish": Route(
        lambda w: f"/cycles/{w.cycle.pk}/publish/",
        method="POST",
        owner=lambda w: w.chair,
        state=lambda w: Cycle.objects.get(pk=w.cycle.pk).publications.count(),
    ),
    "appraisal:appraise": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/appraise/1.2/",
        method="POST",
        data=lambda w: {"value": "1", "reason": "", "expected_version": "0"},
        owner=lambda w: w.appraiser,
        state=lambda w: list(LeafEntry.objects.values_list("appraised_value", flat=True)),
    ),
    "appraisal:confirm_remaining": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/confirm-remaining/",
        method="POST",
        owner=lambda w: w.appraiser,
        state=lambda w: list(LeafEntry.objects.values_list("appraised_value", flat=True)),
    ),
    "appraisal:sheet_changes": Route(lambda w: f"/cycles/sheets/{w.sheet.pk}/changes/"),
    "appraisal:explain": Route(
        lambda w: f"/cycles/sheets/{w.sheet.pk}/explain/1.1/",
        method="POST",
        data=lambda w: {"argument": "Có quyết định", "proposed_value": "có"},
        state=lambda w: Explanation.objects.count(),
    ),
    "api:cycle_get": Route(lambda w: f"/api/cycles/{w.cycle.pk}", same_authority_may_view=True),
    "api:cycle_advance": Route(
        lambda w: f"/api/cycles/{w.cycle.pk}/advance",
        method="POST",
        json=True,
        data=lambda w: {"to_phase": Phase.APPRAISAL},
        owner=lambda w: w.secretariat,
        state=lambda w: Cycle.objects.get(pk=w.cycle.pk).phase,
    ),
    "api:sheet_get": Route(lambda w: f"/api/assessments/{w.sheet.pk}"),
    "api:entry_put": Route(
        lambda w: f"/api/assessments/{w.sheet.pk}/entries/1.2",
        method="PUT",
        json=True,
        data=lambda w: {"value": "0.5", "note": "", "version": 0},
        state=lambda w: list(LeafEntry.objects.values_list("code", "value", "version")),
    ),
    "api:sheet_submit": Route(
        lambda w: f"/api/assessments/{w.sheet.pk}/submit",
        method="POST",
        owner=lambda w: w.head,
        prepare=_complete,
        state=lambda w: Assessment.objects.get(pk=w.sheet.pk).status,
    ),
    "api:evidence_list": Route(lambda w: f"/api/assessments/{w.sheet.pk}/evidence"),
    "api:evidence_add": Route(
        lambda w: f"/api/assessments/{w.sheet.pk}/evidence",
        method="POST",
        data=lambda w: {"codes": ["1.2"], "file": ContentFile(_pdf("x"), name="x.pdf")},
        state=lambda w: Evidence.objects.count(),
    ),
    "api:evidence_file": Route(lambda w: f"/api/evidence/{w.evidence.pk}"),
    "api:worklist_get": Route(
        lambda w: f"/api/cycles/{w.cycle.pk}/worklist", owner=lambda w: w.appraiser
    ),
    "api:appraisal_put": Route(
        lambda w: f"/api/assessments/{w.sheet.pk}/appraisals/1.2",
        method="PUT",
        json=True,
        data=lambda w: {"value": "1", "reason": "Đủ báo cáo", "version": 0},
        owner=lambda w: w.appraiser,
        prepare=_phase(Phase.APPRAISAL, status=AssessmentStatus.SUBMITTED),
        state=lambda w: list(LeafEntry.objects.values_list("appraised_value", flat=True)),
    ),
    "api:changes_list": Route(lambda w: f"/api/assessments/{w.sheet.pk}/changes"),
    "api:explanation_add": Route(
        lambda w: f"/api/assessments/{w.sheet.pk}/explanations/1.1",
        method="POST",
        json=True,
        data=lambda w: {"argument": "Quyết định số 12 đã ban hành", "proposed_value": "không"},
        prepare=_corrected,
        state=lambda w: Explanation.objects.count(),
    ),
    "api:explanation_decide": Route(
        lambda w: f"/api/explanations/{w.explanation.pk}/decision",
        method="POST",
        json=True,
        data=lambda w: {"accept": True, "reason": "Đồng ý"},
        owner=lambda w: w.chair,
        prepare=_phase(Phase.EXPLANATION),
        state=lambda w: Explanation.objects.get(pk=w.explanation.pk).decision,
    ),
    "appraisal:decide": Route(
        lambda w: f"/cycles/explanations/{w.explanation.pk}/decide/",
        method="POST",
        data=lambda w: {"accept": "1", "reason": "Đồng ý"},
        owner=lambda w: w.chair,
        state=lambda w: Explanation.objects.get(pk=w.explanation.pk).decision,
    ),
}


def id_bearing_routes() -> Iterator[str]:
    def walk(patterns: list[Any], prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), namespace + (pattern.name or "")

    for route, name in walk(get_resolver().url_patterns, "", ""):
        if "<" in route and not route.startswith(SKIPPED_PREFIXES):
            yield name


def test_every_id_bearing_route_is_in_the_matrix():
    missing = sorted(set(id_bearing_routes()) - set(ROUTES) - PUBLIC)
    assert missing == [], f"add these routes to ROUTES (or PUBLIC): {missing}"


def ask(client: Client, route: Route, world: World) -> int:
    url = route.url(world)
    if route.method == "GET":
        return client.get(url).status_code
    send = getattr(client, route.method.lower())
    if route.json:
        return send(url, route.data(world), content_type="application/json").status_code
    return send(url, route.data(world)).status_code


def as_user(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def as_api(user: User) -> Client:
    _, key = api_token_create(user=user, name="matrix")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_outsiders_never_reach_unit_u1_or_authority_a(name: str, world: World):
    route = ROUTES[name]
    route.prepare(world)
    login = as_api if name.startswith("api:") else as_user
    other_authority = ask(login(world.other_authority_user), route, world)
    assert other_authority == 404, f"{name}: another authority got {other_authority}"
    before = route.state(world)
    other_unit = ask(login(world.other_unit), route, world)
    assert route.state(world) == before, f"{name}: another unit changed something"
    if route.method == "GET" and route.same_authority_may_view:
        assert other_unit == 200, f"{name}: the authority's object should be visible"
    elif route.owner(world) == world.secretariat:
        allowed = (302, 403, 404) if route.method == "POST" else (403, 404)
        assert other_unit in allowed, f"{name}: another unit got {other_unit}"
    else:
        assert other_unit == 404, f"{name}: another unit of the authority got {other_unit}"
    owner = ask(login(route.owner(world)), route, world)
    assert owner < 400, f"{name}: the owner got {owner}; the matrix URL must be wrong"


def test_anonymous_visitors_are_sent_to_sign_in_or_refused(world: World):
    for name, route in ROUTES.items():
        status = ask(Client(), route, world)
        assert status in (302, 401, 403, 404), f"{name}: anonymous got {status}"
