"""Overdue and due-soon lists at fixed dates, completion rates by hand, the metric source."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from parindex.assessments.models import Assessment, Cycle, Phase
from parindex.criteria.services import criteria_set_import
from parindex.plans.models import Plan, Task
from parindex.plans.selectors import (
    completion_by_unit,
    due_soon,
    overdue,
    plan_completion_metrics,
)
from parindex.plans.services import tasks_import
from parindex.results.services import METRIC_SOURCES, metrics_for, results_compute
from parindex.units.models import UnitGroup
from tests.plans.plans_factories import EXAMPLE, Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(kh: Province) -> Province:
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    return kh


def codes(tasks) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(task.code for task in tasks)


def test_overdue_and_due_soon_at_fixed_dates(imported: Province) -> None:
    tasks = Task.objects.filter(plan=imported.plan)
    # 1 Oct 2017: quarter III is over; NV-02 was done in time
    assert codes(overdue(tasks, dt.date(2017, 10, 1))) == ["NV-11", "NV-12", "NV-14"]
    # 30 Sep 2017 is the due day itself: not yet overdue, due soon
    assert codes(overdue(tasks, dt.date(2017, 9, 30))) == []
    assert codes(due_soon(tasks, dt.date(2017, 9, 30))) == ["NV-11", "NV-12", "NV-14"]
    # 17 Dec 2017: 14 days before 31 Dec (NV-04, NV-16) — both inside, bounds included
    assert codes(due_soon(tasks, dt.date(2017, 12, 17))) == ["NV-04", "NV-16"]
    assert codes(due_soon(tasks, dt.date(2017, 12, 16))) == []
    # ongoing tasks are never overdue
    assert "NV-21" not in codes(overdue(tasks, dt.date(2030, 1, 1)))


def test_completion_rate_per_lead_unit_by_hand(imported: Province) -> None:
    found = {code: (c.due, c.on_time) for code, c in completion_by_unit(
        authority_id=imported.authority.pk, year=2017).items()}  # fmt: skip
    assert found == {
        "SO_KHDT": (1, 1),  # NV-02 done 28/09 before 30/09
        "SO_NV": (4, 1),  # NV-11, 12, 14 in progress; NV-18 done
        "SO_TP": (2, 2),  # NV-07 done on its due day counts as on time
        "SO_TTTT": (2, 2),
        "SO_YT": (1, 0),
        "TTR": (1, 0),
    }  # ongoing tasks, and KHCN's task due 2018, do not count in 2017
    assert completion_by_unit(authority_id=imported.authority.pk, year=2019) == {}


def test_a_task_done_late_does_not_count_and_a_unit_without_tasks_has_no_rate(
    kh: Province,
) -> None:
    lead = kh.units["SO_TC"]
    for code, due, done in (
        ("A", dt.date(2024, 3, 31), dt.date(2024, 4, 1)),  # one day late
        ("B", dt.date(2024, 6, 30), dt.date(2024, 6, 30)),
        ("C", dt.date(2024, 12, 31), None),
    ):
        Task.objects.create(
            plan=kh.plan, code=code, title=code, lead=lead, deadline="x", due_date=due,
            status="done" if done else "in_progress", completed_at=done,
        )  # fmt: skip
    cycle = Cycle(authority=kh.authority, year=2024)
    metrics = plan_completion_metrics(cycle)
    assert metrics == {"SO_TC": {"plan_completion_rate": Decimal(1) / Decimal(3)}}
    assert "SO_NV" not in metrics  # no task due: no rate rather than 0 or 1


def test_another_authoritys_tasks_never_count(kh: Province) -> None:
    from tests.plans.plans_factories import province

    other = province("ninh_thuan")
    Task.objects.create(
        plan=other.plan, code="X", title="x", lead=other.units["SO_TC"], deadline="x",
        due_date=dt.date(2017, 5, 1), status="done", completed_at=dt.date(2017, 5, 1),
    )  # fmt: skip
    assert completion_by_unit(authority_id=kh.authority.pk, year=2017) == {}


SET = """\
code: KH
title: Bộ tiêu chí có kế hoạch
year: 2017
unit_group: so_nganh
max_points: 2
decimals: 2
classes: [{code: tot, label: Tốt, min: 90}, {code: yeu, label: Yếu, min: 0}]
nodes:
  - code: "1"
    title: Công tác chỉ đạo điều hành
    children:
      - code: "1.1"
        title: Mức độ hoàn thành kế hoạch CCHC năm
        max: 1.5
        source: data
        rule:
          type: data
          metric: plan_completion_rate
          then: {type: ratio, zero_denominator: zero}
      - {code: "1.2", title: Báo cáo, max: 0.5, source: self, rule: {type: manual, step: 0.25}}
"""


def test_the_metric_source_feeds_the_cycles_computation(imported: Province) -> None:
    assert plan_completion_metrics in METRIC_SOURCES
    version = criteria_set_import(authority=imported.authority, yaml_text=SET)
    group = UnitGroup.objects.get(authority=imported.authority, code="so_nganh")
    cycle = Cycle.objects.create(
        authority=imported.authority, unit_group=group, criteria_set=version, year=2017,
        title="Chỉ số CCHC 2017", phase=Phase.FINALISATION,
    )  # fmt: skip
    for code in ("SO_NV", "SO_TP", "TTR"):
        Assessment.objects.create(cycle=cycle, unit=imported.units[code])
    assert metrics_for(cycle)["SO_NV"] == {"plan_completion_rate": Decimal("0.25")}
    result = results_compute(cycle=cycle)
    leaves = {unit["unit"]: _leaf_points(unit, "1.1") for unit in result.document["units"]}
    # 1.5 × 1/4 = 0.375, rounded by the set to 2 decimals; units outside the cycle are left out
    assert leaves == {"SO_NV": Decimal("0.38"), "SO_TP": Decimal("1.5"), "TTR": Decimal("0")}


def _leaf_points(unit: dict, code: str) -> Decimal:  # type: ignore[type-arg]
    (leaf,) = [leaf for leaf in unit["leaves"] if leaf["code"] == code]
    assert leaf["metric"] == "plan_completion_rate"
    return Decimal(str(leaf["points"]))


def test_plans_of_no_task_give_no_metric(kh: Province) -> None:
    Plan.objects.create(authority=kh.authority, year=2020, title="Trống")
    assert plan_completion_metrics(Cycle(authority=kh.authority, year=2020)) == {}
