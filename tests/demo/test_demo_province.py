"""The demo province: built through the application's services, once, with a login per role.

The demo is loaded once for the module (it takes seconds) inside a transaction that is rolled
back at the end; each test runs in a savepoint of it.
"""

from __future__ import annotations

import datetime as dt
import filecmp
import importlib.util
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone

from parindex.accounts.models import Membership, Role, User
from parindex.assessments.appraisal import is_corrected, leaves_to_appraise
from parindex.assessments.models import (
    Assessment,
    AssessmentStatus,
    Change,
    ChangeKind,
    Cycle,
    Evidence,
    Explanation,
    ExplanationDecision,
    LeafEntry,
    Phase,
)
from parindex.assessments.selectors import criteria_for
from parindex.demo.services import DATA, PASSWORD, Login, demo_load
from parindex.dossiers.models import DossierImport, DossierStat, Holiday, LateDossier
from parindex.dossiers.selectors import officials_over_limit
from parindex.indices.models import IndexValue
from parindex.plans.models import Plan, ProgressReport, ReportFile, TaskStatus
from parindex.plans.selectors import completion_by_unit, overdue, plan_counts
from parindex.results.models import Publication
from parindex.results.planner import cycle_inputs
from parindex.results.services import metric_notes_for
from parindex.scoring import compute
from parindex.scoring.model import DataRule
from parindex.scoring.ranking import apply_caps
from parindex.units.models import Authority, Unit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "son-la-2014"
PROVINCE_FILES = [  # the province's 2014 holidays, reform plan and external indices
    "chi-so-ngoai-2012-2014.csv",
    "holidays-2014.csv",
    "ke-hoach-cchc-2014.csv",
]
COMMUNE_FILES = [
    "communes-answers.csv",
    "communes-metrics.csv",
    "communes-units.csv",
    "communes-values.csv",
    "communes.yaml",
]


def _generator() -> ModuleType:
    path = Path(__file__).with_name("generate_communes.py")
    spec = importlib.util.spec_from_file_location("demo_generate_communes", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_provinces_demo_data_are_the_shipped_examples():
    names = sorted(p.name for p in EXAMPLES.iterdir())
    assert sorted(p.name for p in DATA.iterdir()) == sorted(names + COMMUNE_FILES + PROVINCE_FILES)
    _, mismatch, errors = filecmp.cmpfiles(EXAMPLES, DATA, names, shallow=False)
    assert (mismatch, errors) == ([], [])


def test_the_commune_data_are_what_their_generator_writes(tmp_path):
    _generator().generate(tmp_path)
    _, mismatch, errors = filecmp.cmpfiles(tmp_path, DATA, COMMUNE_FILES, shallow=False)
    assert (mismatch, errors) == ([], [])


# ---------------------------------------------------------------- the loaded demo


@dataclass(frozen=True)
class Demo:
    logins: list[Login]
    messages: list[str]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Demo]:
    media = tmp_path_factory.mktemp("demo-media")  # never ./demo-data
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        messages: list[str] = []
        yield Demo(demo_load(say=messages.append), messages)
        transaction.set_rollback(True)


def _sheet(unit_code: str, group: str) -> Assessment:
    return Assessment.objects.get(
        cycle__year=2014, cycle__unit_group__code=group, unit__code=unit_code
    )


def _client(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


@pytest.mark.django_db
def test_a_second_start_reuses_the_demo_and_prints_one_login_per_role(demo):
    assert demo_load(say=demo.messages.append) == demo.logins
    usernames = [login.username for login in demo.logins]
    assert len(usernames) == len(set(usernames)) == 12
    roles = {m.role for m in Membership.objects.filter(user__username__in=usernames)}
    assert roles == set(Role.values)
    users = User.objects.filter(username__in=usernames)
    assert users.count() == len(usernames)
    assert users.values("password").distinct().count() == 1  # one hash: checked once
    assert users.first().check_password(PASSWORD)
    city = Authority.objects.get(code="tp_son_la")
    city_logins = {
        "tpsl.thu_ky", "tpsl.tham_dinh.noi_vu", "tpsl.chu_tich_hd", "tpsl.khao_sat",
        "p_to_hieu.dau_moi",
    }  # fmt: skip
    assert city_logins <= set(usernames)
    for username in city_logins:  # every city login is a member of the city only
        authorities = set(
            Membership.objects.filter(user__username=username).values_list("authority", flat=True)
        )
        assert authorities == {city.pk}


@pytest.mark.django_db
def test_the_province_has_its_units_and_last_years_results_published(demo):
    province = Authority.objects.get(code="son_la")
    assert Unit.objects.filter(authority=province, group__code="so_nganh").count() == 19
    assert Unit.objects.filter(authority=province, group__code="huyen").count() == 12
    published = Publication.objects.filter(cycle__year=2013)
    assert published.count() == 2
    assert set(published.values_list("cycle__authority__code", flat=True)) == {"son_la"}
    departments = published.get(cycle__unit_group__code="so_nganh")
    page = Client().get(f"/results/{departments.cycle_id}/")
    assert page.status_code == 200
    assert "Sở Tư pháp" in page.content.decode()


@pytest.mark.django_db
def test_the_departments_are_in_appraisal_with_evidence_and_three_corrections(demo):
    cycle = Cycle.objects.get(year=2014, unit_group__code="so_nganh")
    assert cycle.phase == Phase.APPRAISAL
    sheets = cycle.assessments
    assert sheets.count() == 19
    assert sheets.filter(status=AssessmentStatus.SUBMITTED).count() == 16
    assert sheets.filter(status=AssessmentStatus.DRAFT).count() == 3
    assert sheets.filter(entries__isnull=False).distinct().count() == 19
    assert (
        Evidence.objects.filter(assessment__cycle=cycle).count() == 19 * 10
    )  # 8 fields, bonus, penalty
    corrected = [
        e
        for e in LeafEntry.objects.filter(assessment__cycle=cycle).select_related(
            "assessment__unit"
        )
        if is_corrected(e)
    ]
    assert sorted((e.assessment.unit.code, e.code) for e in corrected) == [
        ("SO_TC", "1.1.1"),
        ("SO_TP", "1.1.1"),
        ("SO_YT", "1.1.1"),
    ]
    assert all(e.appraisal_reason for e in corrected)
    assert not Explanation.objects.filter(entry__assessment__cycle=cycle).exists()


@pytest.mark.django_db
def test_the_districts_are_open_for_self_assessment(demo):
    cycle = Cycle.objects.get(year=2014, unit_group__code="huyen")
    assert cycle.phase == Phase.SELF_ASSESSMENT
    assert cycle.assessments.count() == 12
    assert cycle.assessments.filter(status=AssessmentStatus.DRAFT).count() == 12


@pytest.mark.django_db
def test_the_city_evaluates_its_wards_and_communes_in_the_explanation_round(demo):
    city = Authority.objects.get(code="tp_son_la")
    assert city.parent == Authority.objects.get(code="son_la")
    assert Unit.objects.filter(authority=city, group__code="xa").count() == 12
    assert Unit.objects.filter(authority=city, group__code="xa", type="phuong").count() == 7
    cycle = Cycle.objects.get(authority=city)
    assert (cycle.year, cycle.unit_group.code, cycle.phase) == (2014, "xa", Phase.EXPLANATION)
    assert cycle.criteria_set.code == "SL-TPSL-XA-2014"
    statuses = dict(cycle.assessments.values_list("unit__code", "status").order_by("unit__code"))
    assert statuses == {
        "P_CHIENG_AN": AssessmentStatus.APPRAISED,
        "P_CHIENG_COI": AssessmentStatus.APPRAISED,
        "P_CHIENG_LE": AssessmentStatus.DRAFT,  # a value missing: not submitted
        "P_CHIENG_SINH": AssessmentStatus.APPRAISED,
        "P_QUYET_TAM": AssessmentStatus.APPRAISED,
        "P_QUYET_THANG": AssessmentStatus.APPRAISED,
        "P_TO_HIEU": AssessmentStatus.EXPLAINED,
        "X_CHIENG_CO": AssessmentStatus.APPRAISED,
        "X_CHIENG_DEN": AssessmentStatus.APPRAISED,
        "X_CHIENG_NGAN": AssessmentStatus.DRAFT,
        "X_CHIENG_XOM": AssessmentStatus.EXPLAINED,
        "X_HUA_LA": AssessmentStatus.APPRAISED,
    }
    appraised = LeafEntry.objects.filter(assessment__cycle=cycle, appraised_at__isnull=False)
    assert appraised.values("assessment").distinct().count() == 10  # every submitted sheet
    assert not any(
        leaves_to_appraise(sheet)
        for sheet in cycle.assessments.exclude(status=AssessmentStatus.DRAFT)
    )
    corrected = sorted(
        (c.assessment.unit.code, c.code, c.old, c.new)
        for c in _changes(cycle, ChangeKind.APPRAISAL)
        if c.reason and c.by.username.startswith("tpsl.tham_dinh.")
    )
    assert corrected == [
        ("P_CHIENG_AN", "1.1.1", "dung_han", "cham"),
        ("P_TO_HIEU", "1.1.1", "dung_han", "cham"),
        ("X_CHIENG_XOM", "1.1.1", "cham", "khong"),
        ("X_CHIENG_XOM", "1.1.1", "khong", "cham"),  # the explanation accepted
    ]


def _changes(cycle: Cycle, kind: str):
    return Change.objects.filter(assessment__cycle=cycle, kind=kind).select_related(
        "assessment__unit", "by"
    )


@pytest.mark.django_db
def test_two_communes_explained_their_correction_one_with_a_new_document(demo):
    explanations = {
        e.entry.assessment.unit.code: e
        for e in Explanation.objects.select_related("entry__assessment__unit", "by", "decided_by")
    }
    assert sorted(explanations) == ["P_TO_HIEU", "X_CHIENG_XOM"]

    pending = explanations["P_TO_HIEU"]
    assert (pending.entry.code, pending.decision) == ("1.1.1", ExplanationDecision.PENDING)
    assert pending.by.username == "p_to_hieu.dau_moi"
    assert pending.argument and pending.proposed_value == ""
    assert (pending.entry.value, pending.entry.appraised_value) == ("dung_han", "cham")
    document = Evidence.objects.get(
        assessment=pending.entry.assessment, original_name="P_TO_HIEU-giai-trinh-1.1.1.pdf"
    )
    assert list(document.links.values_list("code", flat=True)) == ["1.1.1"]

    accepted = explanations["X_CHIENG_XOM"]
    assert accepted.decision == ExplanationDecision.ACCEPTED
    assert accepted.decided_by.username == "tpsl.tham_dinh.noi_vu"
    assert accepted.decision_reason
    assert accepted.entry.appraised_value == accepted.entry.value == "cham"

    untouched = _sheet("P_CHIENG_AN", "xa").entries.get(code="1.1.1")
    assert is_corrected(untouched) and not untouched.explanations.exists()

    page = _client("p_to_hieu.dau_moi").get(
        f"/cycles/sheets/{pending.entry.assessment_id}/changes/"
    )
    assert page.status_code == 200
    assert "20/01/2014" in page.content.decode()
    chair = _client("tpsl.chu_tich_hd").get(
        f"/cycles/{pending.entry.assessment.cycle_id}/explanations/"
    )
    assert chair.status_code == 200
    assert "Phường Tô Hiệu" in chair.content.decode()


@pytest.mark.django_db
def test_a_commune_user_sees_its_own_sheet_and_nothing_of_the_province(demo):
    commune = _client("p_to_hieu.dau_moi")
    own = _sheet("P_TO_HIEU", "xa")
    assert commune.get(f"/cycles/sheets/{own.pk}/").status_code == 200
    department = _sheet("SO_TP", "so_nganh")
    neighbour = _sheet("P_CHIENG_AN", "xa")
    for sheet in (department, neighbour, _sheet("TP_SON_LA", "huyen")):
        assert commune.get(f"/cycles/sheets/{sheet.pk}/").status_code == 404
        assert commune.get(f"/cycles/sheets/{sheet.pk}/changes/").status_code == 404
    assert commune.get(f"/cycles/{department.cycle_id}/").status_code == 404

    city_secretary = _client("tpsl.thu_ky")
    assert city_secretary.get(f"/cycles/sheets/{neighbour.pk}/").status_code == 200
    assert city_secretary.get(f"/cycles/sheets/{department.pk}/").status_code == 404
    assert city_secretary.get(f"/cycles/{department.cycle_id}/").status_code == 404

    department_user = _client("so_tp.dau_moi")
    assert department_user.get(f"/cycles/sheets/{own.pk}/").status_code == 404
    province_appraiser = _client("tham_dinh.noi_vu")
    assert province_appraiser.get(f"/cycles/{own.cycle_id}/appraisal/").status_code == 404


# ---------------------------------------------------------------- dossiers, plan, indices 2014


def _province() -> Authority:
    return Authority.objects.get(code="son_la")


@pytest.mark.django_db
def test_the_2014_holidays_are_the_official_days_off_with_nine_days_of_tet(demo):
    days = dict(Holiday.objects.filter(authority=_province()).values_list("date", "name"))
    assert len(days) == 16
    tet = [day for day, name in days.items() if name.startswith("Tết Nguyên đán")]
    assert (min(tet), max(tet), len(tet)) == (dt.date(2014, 1, 28), dt.date(2014, 2, 5), 9)
    for day in ("2014-01-01", "2014-04-09", "2014-04-30", "2014-05-01", "2014-09-02"):
        assert dt.date.fromisoformat(day) in days
    assert not Holiday.objects.filter(authority__code="tp_son_la").exists()


@pytest.mark.django_db
def test_twenty_thousand_dossiers_of_2014_two_departments_above_ten_percent_late(demo):
    record = DossierImport.objects.get(authority=_province(), year=2014)
    assert record.file_name == "mot-cua-so-nganh-2014.csv"
    assert record.uploaded_by.username == "thu_ky"
    assert record.as_of == dt.datetime(2014, 12, 31, 10, 0, tzinfo=dt.UTC)  # 17:00 in Vietnam
    assert (record.received, record.finished, record.pending, record.withdrawn) == (
        20000, 19226, 544, 230,
    )  # fmt: skip
    assert (record.late, record.overdue, record.holidays) == (772, 6, 16)
    units = {row.key: row for row in DossierStat.objects.filter(dossier_import=record, kind="unit")}
    assert len(units) == 19
    above = {code: row.late_rate for code, row in units.items() if row.late_rate >= Decimal("0.1")}
    assert above == {"SO_TNMT": Decimal("0.1338"), "SO_KHCN": Decimal("0.1228")}
    assert units["SO_TP"].late_rate == Decimal("0.0051")
    online = sum(row.online for row in units.values())
    assert online / (record.finished + record.pending) == pytest.approx(0.33, abs=0.02)
    # late dossiers with a proper apology and new date, and without one (kept one by one)
    noncompliant = LateDossier.objects.filter(dossier_import=record)
    assert 0 < noncompliant.count() == record.late_noncompliant < record.late
    assert record.late_noncompliant == 385
    assert any(m.startswith("  hồ sơ một cửa năm 2014: 20.000 hồ sơ") for m in demo.messages)


@pytest.mark.django_db
def test_officials_above_ten_percent_late_are_listed_for_the_secretariat(demo):
    source, officials = officials_over_limit(_province(), 2014, None)
    assert source is not None
    assert officials.count() == 9
    worst = officials.first()
    assert (worst.unit_code, worst.late_rate) == ("SO_TNMT", Decimal("0.2766"))
    page = _client("thu_ky").get("/dossiers/son_la/officials/")
    assert page.status_code == 200
    assert worst.key in page.content.decode()
    detail = _client("thu_ky").get(f"/dossiers/imports/{source.pk}/")
    assert detail.status_code == 200
    assert "SO_KHCN" in detail.content.decode()


@pytest.mark.django_db
def test_the_dossiers_and_the_plan_feed_the_departments_data_leaves_and_the_late_cap(demo):
    cycle = Cycle.objects.get(year=2014, unit_group__code="so_nganh")
    criteria = criteria_for(cycle.criteria_set)
    data_leaves = {
        leaf.code: leaf.rule.metric for leaf in criteria.leaves() if isinstance(leaf.rule, DataRule)
    }
    assert data_leaves == {
        "1.1.3": "plan_completion_rate",
        "7.2.3": "online_rate",
        "8.2.1": "ontime_rate",
    }
    inputs = cycle_inputs(cycle)
    assert len(inputs.metrics) == 19
    tnmt = inputs.metrics["SO_TNMT"]
    assert tnmt == {
        "late_rate": Decimal("0.1338"),
        "ontime_rate": Decimal("0.8662"),
        "online_rate": Decimal("0.1298"),
        "plan_completion_rate": Decimal(0),
    }
    unit = compute(criteria, inputs).unit("SO_TNMT")
    assert unit is not None
    points = {code: unit.leaf(code).points for code in data_leaves}
    assert points == {"1.1.3": 0, "7.2.3": Decimal("0.5"), "8.2.1": Decimal("0.5")}
    # no department reaches Tốt while the survey is not in: the cap lowers nothing yet...
    assert unit.class_code == unit.class_before_caps and unit.caps == ()
    # ...but a Tốt would be capped at Khá by the imported late rate
    capped, caps = apply_caps(criteria, "tot", tnmt)
    assert (capped, [cap.metric for cap in caps]) == ("kha", ["late_rate"])
    assert apply_caps(criteria, "tot", inputs.metrics["SO_TP"]) == ("tot", ())
    notes = metric_notes_for(cycle, "SO_TNMT")
    assert "mot-cua-so-nganh-2014.csv" in notes["late_rate"]
    assert notes["plan_completion_rate"].startswith("plan_completion_rate = 0,00% — 0 ")


@pytest.mark.django_db
def test_the_2014_reform_plan_has_done_overdue_and_reported_tasks(demo):
    plan = Plan.objects.get(authority=_province(), year=2014)
    assert plan.title == "Kế hoạch cải cách hành chính năm 2014 của UBND tỉnh Sơn La"
    tasks = plan.tasks.all()
    counts = plan_counts(tasks, timezone.localdate())
    assert (counts["total"], counts["done"], counts["overdue"]) == (27, 19, 6)
    assert sorted(overdue(tasks, timezone.localdate()).values_list("code", flat=True)) == [
        "KH-05", "KH-13", "KH-14", "KH-21", "KH-26", "KH-27",
    ]  # fmt: skip
    assert tasks.filter(due_date__isnull=True).count() == 2  # thường xuyên, từ quý II/2014
    iso = tasks.get(code="KH-18")
    assert (iso.status, iso.completed_at) == (TaskStatus.DONE, dt.date(2014, 12, 19))
    last = iso.events.order_by("at", "pk").last()
    assert (last.old_status, last.by.username) == (TaskStatus.IN_PROGRESS, "so_yt.thu_truong")
    reports = ProgressReport.objects.filter(task__plan=plan)
    assert reports.count() == 4
    files = ReportFile.objects.filter(report__task__plan=plan)
    assert sorted(files.values_list("content_type", flat=True)) == ["application/pdf"] * 3
    rates = completion_by_unit(authority_id=plan.authority_id, year=2014)
    assert len(rates) == 19  # every department leads a task due in 2014
    assert (rates["SO_NV"].due, rates["SO_NV"].on_time) == (5, 3)
    page = _client("thu_ky").get(f"/plans/{plan.pk}/")
    assert page.status_code == 200
    assert "KH-14" in page.content.decode()
    task = _client("so_tnmt.dau_moi").get(f"/plans/tasks/{tasks.get(code='KH-14').pk}/")
    assert task.status_code == 200
    assert "SO_TNMT-bao-cao-tien-do-quy-III-2014.pdf" in task.content.decode()


@pytest.mark.django_db
def test_the_external_indices_are_illustrative_and_shown_to_the_secretariat(demo):
    values = IndexValue.objects.filter(authority=_province())
    assert values.count() == 9
    assert set(values.values_list("index", flat=True)) == {"pci", "papi", "sipas"}
    assert set(values.values_list("year", flat=True)) == {2012, 2013, 2014}
    assert set(values.values_list("source", flat=True)) == {"Số liệu minh họa (demo)"}
    pci = values.get(year=2014, index="pci")
    assert (pci.value, pci.rank, pci.ranked_of) == (Decimal("57.46"), 44, 63)
    assert not values.filter(index="sipas", rank__isnull=False).exists()
    page = _client("thu_ky").get("/indices/son_la/")
    assert page.status_code == 200
    assert "57,46" in page.content.decode()


@pytest.mark.django_db
def test_every_login_still_opens_its_start_page(demo):
    for login in demo.logins:
        client = Client()
        client.force_login(User.objects.get(username=login.username))
        assert client.get("/").status_code == 200, login.username
    assert _client("thu_ky").get("/dossiers/son_la/").status_code == 200
