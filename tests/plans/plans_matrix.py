"""The plan routes of tests/test_permission_matrix.py: U1 leads task T-1 of authority A's plan,
with a progress report and its evidence file (made on first use, once per world)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile

from parindex.demo.services import _pdf
from parindex.plans.models import Plan, ProgressReport, ReportFile, Task
from parindex.plans.services import progress_report_add


@dataclass
class PlanWorld:
    plan: Plan
    task: Task
    file: ReportFile


def made(w: Any) -> PlanWorld:
    found: PlanWorld | None = getattr(w, "plans_world", None)
    if found is None:
        plan = Plan.objects.create(authority=w.authority, year=2024, title="Kế hoạch CCHC 2024")
        task = Task.objects.create(
            plan=plan,
            code="T-1",
            title="Rà soát thủ tục",
            lead=w.unit,
            deadline="quý III/2024",
            due_date=dt.date(2024, 9, 30),
        )
        report = progress_report_add(
            task=task,
            period="q1",
            text="Đã rà soát",
            percent=30,
            files=[ContentFile(_pdf("T-1"), name="t1.pdf")],
            by=w.owner,
        )
        found = PlanWorld(plan, task, report.files.get())
        w.plans_world = found
    return found


def routes(route: Any) -> dict[str, Any]:
    """`route` is the matrix's `Route`."""
    return {
        "plans:create": route(
            lambda w: f"/plans/new/{w.authority.code}/", owner=lambda w: w.secretariat
        ),
        "plans:detail": route(lambda w: f"/plans/{made(w).plan.pk}/"),
        "plans:import": route(
            lambda w: f"/plans/{made(w).plan.pk}/import/", owner=lambda w: w.secretariat
        ),
        "plans:report": route(lambda w: f"/plans/{made(w).plan.pk}/report/year.xlsx"),
        "plans:report_pdf": route(lambda w: f"/plans/{made(w).plan.pk}/report/q3.pdf"),
        "plans:task": route(lambda w: f"/plans/tasks/{made(w).task.pk}/"),
        "plans:task_status": route(
            lambda w: f"/plans/tasks/{made(w).task.pk}/status/",
            method="POST",
            data=lambda w: {"status": "in_progress", "reason": "Đang làm"},
            state=lambda w: list(Task.objects.values_list("status", flat=True)),
        ),
        "plans:task_progress": route(
            lambda w: f"/plans/tasks/{made(w).task.pk}/progress/",
            method="POST",
            data=lambda w: {"period": "q2", "percent": "50", "text": "Tiếp tục"},
            state=lambda w: ProgressReport.objects.count(),
        ),
        "plans:file": route(lambda w: f"/plans/files/{made(w).file.pk}/"),
    }
