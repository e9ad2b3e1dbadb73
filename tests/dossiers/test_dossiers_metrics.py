"""The import's rates feed a cycle's `data` leaves and caps through `results_compute`."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from parindex.accounts.models import Role
from parindex.assessments.models import Cycle, Phase
from parindex.assessments.services import cycle_advance, cycle_create
from parindex.criteria.services import criteria_set_import
from parindex.dossiers.selectors import dossier_metrics, metric_source_of
from parindex.dossiers.services import dossiers_import
from parindex.results.services import METRIC_SOURCES, results_compute
from parindex.units.models import Authority, Unit
from tests.dossiers.conftest import AS_OF, member, vietnamese_csv

pytestmark = pytest.mark.django_db

SET = """\
code: MC-2024
title: Bộ tiêu chí thử một cửa
year: 2024
unit_group: so_nganh
max_points: 2
decimals: 2
classes:
  - {code: tot, label: Tốt, min: 90}
  - {code: kha, label: Khá, min: 70}
  - {code: yeu, label: Yếu, min: 0}
caps:
  - {metric: late_rate, op: ">=", value: 0.10, max_class: kha,
     reason: "Từ 10% hồ sơ trễ hạn trở lên không được xếp loại Tốt"}
nodes:
  - code: "1"
    title: Thủ tục hành chính
    children:
      - code: "1.1"
        title: Tỷ lệ hồ sơ giải quyết đúng hạn và trước hạn
        max: 2
        source: data
        rule:
          type: data
          metric: ontime_rate
          then:
            type: brackets
            brackets:
              - {min: 70%, points: 2}
              - {min: 50%, points: 1}
              - {min: 0%, points: 0}
"""


def test_the_metric_source_is_registered_once():
    assert METRIC_SOURCES.count(dossier_metrics) == 1


def test_the_latest_import_of_the_year_feeds_data_leaves_and_caps(authority: Authority):
    version = criteria_set_import(authority=authority, yaml_text=SET)
    Unit.objects.filter(authority=authority).update(group=version.unit_group)
    now, secretary = timezone.now(), member(authority, Role.SECRETARIAT)
    cycle = cycle_create(
        authority=authority,
        unit_group=version.unit_group,
        criteria_set=version,
        year=2024,
        title="Chỉ số CCHC 2024",
        self_assessment_opens=now - dt.timedelta(days=1),
        self_assessment_closes=now + dt.timedelta(days=10),
        by=secretary,
    )
    cycle_advance(cycle=cycle, to_phase=Phase.SELF_ASSESSMENT, by=secretary)  # opens the sheets
    Cycle.objects.filter(pk=cycle.pk).update(phase=Phase.FINALISATION)
    assert dossier_metrics(cycle) == {}
    record = dossiers_import(
        authority=authority,
        year=2024,
        file=io.BytesIO(vietnamese_csv()),
        file_name="mot-cua-2024.csv",
        by=None,
        as_of=AS_OF,
    ).dossier_import
    metrics = dossier_metrics(cycle)
    assert metrics["SO_CT"] == {
        "late_rate": Decimal("0.0000"),
        "ontime_rate": Decimal("1.0000"),
        "online_rate": Decimal("0.8571"),
    }
    assert metric_source_of(cycle) == record
    document = results_compute(cycle=cycle).document
    units = {unit["unit"]: unit for unit in document["units"]}
    # SO_CT: 100% on time → 2 points, no late dossier → Tốt; SO_TP: 75% → 2 points too,
    # but 25% late → capped at Khá; XA_CHIENG_MUNG: 62.5% → 1 point.
    assert Decimal(str(units["SO_CT"]["points"])) == Decimal("2")
    assert units["SO_CT"]["class"] == "tot"
    assert Decimal(str(units["SO_TP"]["points"])) == Decimal("2")
    assert Decimal(str(units["XA_CHIENG_MUNG"]["points"])) == Decimal("1")
    assert units["SO_TP"]["class"] == "kha"
    assert units["SO_TP"]["class_before_caps"] == "tot"


def test_the_sheet_shows_where_a_data_leaf_figure_comes_from(authority: Authority):
    from django.test import Client

    from parindex.assessments.models import Assessment

    version = criteria_set_import(authority=authority, yaml_text=SET)
    Unit.objects.filter(authority=authority).update(group=version.unit_group)
    now, secretary = timezone.now(), member(authority, Role.SECRETARIAT)
    cycle = cycle_create(
        authority=authority,
        unit_group=version.unit_group,
        criteria_set=version,
        year=2024,
        title="Chỉ số CCHC 2024",
        self_assessment_opens=now - dt.timedelta(days=1),
        self_assessment_closes=now + dt.timedelta(days=10),
        by=secretary,
    )
    cycle_advance(cycle=cycle, to_phase=Phase.SELF_ASSESSMENT, by=secretary)
    dossiers_import(
        authority=authority,
        year=2024,
        file=io.BytesIO(vietnamese_csv()),
        file_name="mot-cua-2024.csv",
        by=None,
        as_of=AS_OF,
    )
    sheet = Assessment.objects.get(cycle=cycle, unit__code="SO_TP")
    client = Client()
    client.force_login(member(authority, Role.FOCAL_POINT, "SO_TP"))
    client.cookies["django_language"] = "en"
    page = client.get(f"/cycles/sheets/{sheet.pk}/").content.decode()
    # SO_TP: 11 received, 8 finished of which 6 on time (75%) and 2 late, 7 online
    found = page.split("data-metric-source>")[1].split("<")[0]
    assert found.startswith("ontime_rate = 75.00% — file mot-cua-2024.csv imported ")
    assert found.endswith(": 11 dossiers received, 8 finished, 2 late, 7 online")
