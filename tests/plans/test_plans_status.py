"""Who moves a task's status, and the history that keeps who, when, from what, to what, why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from parindex.demo.services import _pdf
from parindex.plans.errors import PlanError
from parindex.plans.models import ProgressReport, ReportFile, Task, TaskStatus
from parindex.plans.services import plan_create, progress_report_add, task_status_update
from tests.plans.plans_factories import Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(kh: Province) -> Task:
    return Task.objects.create(
        plan=kh.plan,
        code="NV-11",
        title="Đề xuất giải pháp",
        lead=kh.units["SO_NV"],
        deadline="trong quý III/2017",
        due_date=dt.date(2017, 9, 30),
        status=TaskStatus.IN_PROGRESS,
    )


def test_the_lead_units_people_and_the_secretariat_change_the_status(
    kh: Province, task: Task
) -> None:
    task_status_update(
        task=task, status="done", reason="Đã trình", by=kh.nv_focal, on=dt.date(2017, 9, 20)
    )
    task.refresh_from_db()
    assert (task.status, task.completed_at) == ("done", dt.date(2017, 9, 20))
    task_status_update(task=task, status="in_progress", reason="Trả lại", by=kh.secretariat)
    task.refresh_from_db()
    assert (task.status, task.completed_at) == ("in_progress", None)
    task_status_update(task=task, status="done", reason="Hoàn thành", by=kh.nv_head)
    history = [
        (e.old_status, e.new_status, e.reason, e.by) for e in task.events.order_by("at", "pk")
    ]
    assert history == [
        ("in_progress", "done", "Đã trình", kh.nv_focal),
        ("done", "in_progress", "Trả lại", kh.secretariat),
        ("in_progress", "done", "Hoàn thành", kh.nv_head),
    ]


@pytest.mark.parametrize("who", ["tp_focal", "leader", "appraiser", "other_secretariat"])
def test_nobody_else_changes_the_status(kh: Province, task: Task, who: str) -> None:
    with pytest.raises(PlanError):
        task_status_update(task=task, status="done", reason="x", by=getattr(kh, who))
    task.refresh_from_db()
    assert task.status == "in_progress"
    assert not task.events.exists()


def test_a_status_change_needs_a_reason_and_a_real_change(kh: Province, task: Task) -> None:
    with pytest.raises(PlanError, match="lý do"):
        task_status_update(task=task, status="done", reason="  ", by=kh.nv_focal)
    with pytest.raises(PlanError, match="đã ở trạng thái"):
        task_status_update(task=task, status="in_progress", reason="x", by=kh.nv_focal)
    with pytest.raises(PlanError, match="tương lai"):
        task_status_update(
            task=task,
            status="done",
            reason="x",
            by=kh.nv_focal,
            on=timezone.localdate() + dt.timedelta(days=2),
        )
    assert not task.events.exists()


def test_a_progress_report_keeps_its_evidence_by_hash_and_sniffed_type(
    kh: Province, task: Task, settings, tmp_path
) -> None:
    settings.MEDIA_ROOT = tmp_path
    report = progress_report_add(
        task=task,
        period="q3",
        text="Đã xây dựng dự thảo",
        percent=60,
        files=[ContentFile(_pdf("Báo cáo"), name="../bao-cao.docx")],
        by=kh.nv_focal,
    )
    stored = ReportFile.objects.get(report=report)
    assert stored.content_type == "application/pdf"
    assert stored.original_name == "bao-cao.docx.pdf"
    assert len(stored.sha256) == 64 and stored.size > 0
    assert stored.file.name.startswith("plans/")


def test_a_progress_report_with_a_refused_file_is_not_kept(kh: Province, task: Task) -> None:
    with pytest.raises(PlanError):
        progress_report_add(
            task=task, period="q3", text="x", percent=10,
            files=[ContentFile(b"<script>alert(1)</script>", name="a.pdf")], by=kh.nv_focal,
        )  # fmt: skip
    with pytest.raises(PlanError):
        progress_report_add(task=task, period="q3", text="x", percent=10, by=kh.tp_focal)
    assert not ProgressReport.objects.exists()


def test_only_the_secretariat_creates_plans(kh: Province) -> None:
    plan = plan_create(
        authority=kh.authority, year=2018, title="Kế hoạch 2018", number="", by=kh.secretariat
    )
    assert plan.authority == kh.authority
    with pytest.raises(PlanError):
        plan_create(authority=kh.authority, year=2018, title="x", number="", by=kh.leader)
