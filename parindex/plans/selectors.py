"""Reading plans and tasks: who sees what, overdue and due-soon lists, completion rates.

Visibility (SPEC §4): the authority-wide roles (secretariat, council chair, leader, system
administrator) see every plan and task of their authority; a unit's focal point and head see
the tasks their unit leads and the plans holding them; nobody else sees anything (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from parindex.accounts.models import Role, User
from parindex.accounts.permissions import (
    ADMINISTERING,
    AUTHORITY_WIDE,
    authority_ids,
    unit_ids,
)
from parindex.plans.models import Plan, ProgressReport, Task, TaskEvent, TaskStatus
from parindex.units.models import Authority, Unit

if TYPE_CHECKING:
    from parindex.assessments.models import Cycle

DUE_SOON_DAYS = 14
METRIC = "plan_completion_rate"  # a fraction 0–1, as in examples/*/…-metrics.csv


# ---------------------------------------------------------------- permissions


def task_scope(user: User | object) -> Q:
    return Q(plan__authority_id__in=authority_ids(user, AUTHORITY_WIDE)) | Q(
        lead_id__in=unit_ids(user)
    )


def tasks_visible_to(user: User | object) -> QuerySet[Task]:
    return Task.objects.filter(task_scope(user)).select_related("plan", "lead")


def plans_visible_to(user: User | object) -> QuerySet[Plan]:
    wide = authority_ids(user, AUTHORITY_WIDE)
    led = Plan.objects.filter(tasks__lead_id__in=unit_ids(user)).values("pk")
    return Plan.objects.filter(Q(authority_id__in=wide) | Q(pk__in=led)).select_related("authority")


def authorities_managed_by(user: User | object) -> QuerySet[Authority]:
    """Where the user creates plans and imports tasks: secretariat, system admin."""
    return Authority.objects.filter(pk__in=authority_ids(user, ADMINISTERING))


def can_manage_plans(user: User | object, authority_id: int) -> bool:
    return authority_id in authority_ids(user, ADMINISTERING)


def sees_whole_authority(user: User | object, authority_id: int) -> bool:
    return authority_id in authority_ids(user, AUTHORITY_WIDE)


def can_update_task(user: User | object, task: Task) -> bool:
    """The lead unit's focal point or head, or the authority's secretariat (or admin)."""
    return task.lead_id in unit_ids(user, (Role.FOCAL_POINT, Role.UNIT_HEAD)) or (
        can_manage_plans(user, task.plan.authority_id)
    )


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class TaskFilter:
    overdue: bool = False
    due_soon: bool = False
    lead_id: int | None = None
    status: str = ""


def overdue(tasks: QuerySet[Task], today: dt.date) -> QuerySet[Task]:
    """Due before `today` and not done (*quá hạn*)."""
    return tasks.filter(due_date__lt=today).exclude(status=TaskStatus.DONE)


def due_soon(tasks: QuerySet[Task], today: dt.date, days: int = DUE_SOON_DAYS) -> QuerySet[Task]:
    """Not done and due from `today` to `today + days` inclusive (*sắp đến hạn*)."""
    return tasks.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=days)).exclude(
        status=TaskStatus.DONE
    )


def task_list_for(
    *, plan: Plan, user: User | object, today: dt.date, filters: TaskFilter
) -> QuerySet[Task]:
    tasks = tasks_visible_to(user).filter(plan=plan)
    if filters.overdue:
        tasks = overdue(tasks, today)
    if filters.due_soon:
        tasks = due_soon(tasks, today)
    if filters.lead_id is not None:
        tasks = tasks.filter(lead_id=filters.lead_id)
    if filters.status in TaskStatus.values:
        tasks = tasks.filter(status=filters.status)
    return tasks.order_by("code")


def task_history(task: Task) -> QuerySet[TaskEvent]:
    return task.events.select_related("by").order_by("at", "pk")


def task_reports(task: Task) -> QuerySet[ProgressReport]:
    return task.reports.select_related("by").prefetch_related("files").order_by("at", "pk")


def lead_units_of(tasks: QuerySet[Task]) -> QuerySet[Unit]:
    """The units leading some of `tasks`, for the lead filter."""
    return Unit.objects.filter(pk__in=tasks.values("lead_id")).order_by("code")


def plan_counts(tasks: QuerySet[Task], today: dt.date) -> dict[str, int]:
    return {
        "total": tasks.count(),
        "done": tasks.filter(status=TaskStatus.DONE).count(),
        "overdue": overdue(tasks, today).count(),
        "due_soon": due_soon(tasks, today).count(),
    }


# ---------------------------------------------------------------- completion rate


@dataclass(frozen=True)
class Completion:
    due: int  # tasks led by the unit with a due date in the year
    on_time: int  # of those, done on or before the due date

    @property
    def rate(self) -> Decimal:
        return Decimal(self.on_time) / Decimal(self.due)


def completion_by_unit(*, authority_id: int, year: int) -> dict[str, Completion]:
    """Per lead unit code: tasks due in `year` (any plan of the authority) and those done on
    time. Ongoing tasks (no due date) do not count; a unit with no task due is absent
    (docs/decisions/0007-plan-task-completion-rate.md)."""
    rows = (
        Task.objects.filter(plan__authority_id=authority_id, due_date__year=year)
        .values("lead__code")
        .annotate(
            due=Count("pk"),
            on_time=Count(
                "pk",
                filter=Q(status=TaskStatus.DONE, completed_at__lte=F("due_date")),
            ),
        )
        .order_by("lead__code")
    )
    return {row["lead__code"]: Completion(row["due"], row["on_time"]) for row in rows}


def plan_completion_metrics(cycle: Cycle) -> Mapping[str, Mapping[str, Decimal]]:
    """The metric source of `parindex.results`: `plan_completion_rate` of each unit with a
    task due in the cycle's year, as a fraction 0–1."""
    return {
        code: {METRIC: completion.rate}
        for code, completion in completion_by_unit(
            authority_id=cycle.authority_id, year=cycle.year
        ).items()
    }


def tasks_for_period(
    *, plan: Plan, first: dt.date, last: dt.date, user: User | object
) -> list[Task]:
    """The plan's tasks (those the user sees) a report on [first, last] covers: due within it,
    due earlier and not done before it began, and the ongoing tasks started by its end."""
    found = (
        tasks_visible_to(user)
        .filter(plan=plan)
        .filter(
            Q(due_date__isnull=True, starts__isnull=True)
            | Q(due_date__isnull=True, starts__lte=last)
            | Q(due_date__gte=first, due_date__lte=last)
            | (Q(due_date__lt=first) & (~Q(status=TaskStatus.DONE) | Q(completed_at__gte=first)))
        )
        .select_related("lead")
        .prefetch_related("partners", "reports")
        .order_by("code")
    )
    return list(found)


def plan_metric_notes(cycle: Cycle, unit_code: str) -> dict[str, str]:
    """Beside a `data` leaf's points: the tasks behind the unit's completion rate."""
    completion = completion_by_unit(authority_id=cycle.authority_id, year=cycle.year).get(unit_code)
    if completion is None:
        return {}
    text = _(
        "%(on_time)s of %(due)s tasks led by the unit and due in %(year)s done on time "
        "(reform plans of the authority)"
    ) % {"on_time": completion.on_time, "due": completion.due, "year": cycle.year}
    rate = number_format(completion.rate * 100, 2)
    return {METRIC: f"{METRIC} = {rate}% — {text}"}
