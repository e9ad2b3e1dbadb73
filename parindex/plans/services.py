"""Writing plans and tasks: create a plan, import its tasks, change a task's status, report
progress with evidence, remind lead units of deadlines."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import logging
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import Role, User
from parindex.assessments.files import FileRefusedError, checked_upload, safe_name
from parindex.assessments.notifications import EmailNotifier, Notice, Notifier
from parindex.formats.problems import InputError, Problem
from parindex.formats.tasks import TasksFile, read_tasks
from parindex.plans.errors import PlanError
from parindex.plans.models import (
    Period,
    Plan,
    PlanImport,
    ProgressReport,
    ReportFile,
    Task,
    TaskEvent,
    TaskReminderSent,
    TaskStatus,
)
from parindex.plans.selectors import can_manage_plans, can_update_task
from parindex.scoring.messages import msg
from parindex.units.models import Authority, Unit

logger = logging.getLogger(__name__)

REMINDER_DAYS = (7, 1)


# ---------------------------------------------------------------- plans


@transaction.atomic
def plan_create(*, authority: Authority, year: int, title: str, number: str, by: User) -> Plan:
    """A new reform plan of the authority (secretariat or system administrator only)."""
    if not can_manage_plans(by, authority.pk):
        raise PlanError(_("Only the secretariat manages the authority's plans."))
    if not title.strip():
        raise PlanError(_("The plan needs a title."))
    return Plan.objects.create(
        authority=authority, year=year, title=title.strip(), number=number.strip()
    )


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class TasksImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    already_imported: bool = False


def _folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _unit_index(authority: Authority) -> dict[str, Unit]:
    """The authority's units by code and by name (folded): a file may name either."""
    index: dict[str, Unit] = {}
    units = list(Unit.objects.filter(authority=authority))
    for unit in units:
        index.setdefault(_folded(unit.name), unit)
    for unit in units:  # a code wins over another unit's name
        index[_folded(unit.code)] = unit
    return index


@transaction.atomic
def tasks_import(
    *, plan: Plan, path: str | Path, display_name: str, by: User | None
) -> TasksImportReport:
    """Create or update the plan's tasks from a tasks file (CSV or XLSX), by task code.

    The lead and partners are units of the plan's authority, named by code or by name. Every
    problem of the file (unreadable deadline, unknown unit, ...) is raised at once as an
    `InputError` with its line, and then nothing is written. The same file imported again
    into the plan changes nothing (it is known by its SHA-256). Tasks of the plan that the
    file does not list are left alone. `by` None is an operator's command (no role check).
    """
    Plan.objects.select_for_update().filter(pk=plan.pk).first()  # one import at a time
    if by is not None and not can_manage_plans(by, plan.authority_id):
        raise PlanError(_("Only the secretariat imports the plan's tasks."))
    sha256 = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if PlanImport.objects.filter(plan=plan, sha256=sha256).exists():
        return TasksImportReport(already_imported=True)
    read = read_tasks(path)
    units = _unit_index(plan.authority)
    problems = [dataclasses.replace(p, file=display_name) for p in read.problems]
    problems += _unknown_units(read, units, display_name)
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    existing = {task.code: task for task in plan.tasks.prefetch_related("partners")}
    created = updated = unchanged = 0
    for row in read.tasks:
        lead = units[_folded(row.lead)]
        partners = {units[_folded(name)].pk for name in row.partners}
        completed_at = row.completed_at if row.status.value == TaskStatus.DONE.value else None
        fields = {
            "title": row.title,
            "lead": lead,
            "deadline": row.deadline,
            "due_date": row.due_date,
            "starts": row.starts,
            "status": str(row.status),
            "completed_at": completed_at,
        }
        task = existing.get(row.code)
        if task is None:
            task = Task.objects.create(plan=plan, code=row.code, **fields)
            task.partners.set(partners)
            TaskEvent.objects.create(
                task=task, new_status=task.status, reason=f"{display_name}:{row.line}", by=by
            )
            created += 1
            continue
        old_status = task.status
        changed = [name for name, value in fields.items() if getattr(task, name) != value]
        old_partners = {unit.pk for unit in task.partners.all()}
        if not changed and old_partners == partners:
            unchanged += 1
            continue
        for name in changed:
            setattr(task, name, fields[name])
        task.save()
        task.partners.set(partners)
        if old_status != task.status:
            TaskEvent.objects.create(
                task=task,
                old_status=old_status,
                new_status=task.status,
                reason=f"{display_name}:{row.line}",
                by=by,
            )
        updated += 1
    PlanImport.objects.create(
        plan=plan, sha256=sha256, name=display_name[:255], tasks=len(read.tasks), by=by
    )
    logger.info(
        "tasks of plan %s imported from %s by %s: %s created, %s updated, %s unchanged",
        plan.pk,
        display_name,
        by,
        created,
        updated,
        unchanged,
    )
    return TasksImportReport(created, updated, unchanged)


def _unknown_units(read: TasksFile, units: dict[str, Unit], display_name: str) -> list[Problem]:
    problems: list[Problem] = []
    for row in read.tasks:
        if not row.lead.strip():
            problems.append(
                Problem(
                    display_name,
                    msg("thiếu đơn vị chủ trì", "the lead unit is empty"),
                    row.line,
                )
            )
        elif _folded(row.lead) not in units:
            problems.append(
                Problem(
                    display_name,
                    msg(
                        "đơn vị chủ trì '{u}' không phải là đơn vị của cơ quan đánh giá",
                        "the lead unit '{u}' is not a unit of the authority",
                        u=row.lead,
                    ),
                    row.line,
                )
            )
        for name in row.partners:
            if _folded(name) not in units:
                problems.append(
                    Problem(
                        display_name,
                        msg(
                            "đơn vị phối hợp '{u}' không phải là đơn vị của cơ quan đánh giá",
                            "the partner unit '{u}' is not a unit of the authority",
                            u=name,
                        ),
                        row.line,
                    )
                )
    return problems


# ---------------------------------------------------------------- status


@transaction.atomic
def task_status_update(
    *, task: Task, status: str, reason: str, by: User, on: dt.date | None = None
) -> Task:
    """Move a task to `status` (the lead unit's focal point or head, or the secretariat),
    keeping who, when, from what and why. Done records the completion day (`on`, default
    today); leaving done clears it."""
    task = Task.objects.select_for_update().select_related("plan").get(pk=task.pk)
    if not can_update_task(by, task):
        raise PlanError(_("Only the lead unit or the secretariat updates this task."))
    if status not in TaskStatus.values:
        raise PlanError(_("Choose a status."))
    if status == task.status:
        raise PlanError(_("The task already has this status."))
    if not reason.strip():
        raise PlanError(_("Say why the status changes."))
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise PlanError(_("The completion day cannot be in the future."))
    old = task.status
    task.status = status
    task.completed_at = on if status == TaskStatus.DONE else None
    task.save(update_fields=["status", "completed_at", "updated_at"])
    TaskEvent.objects.create(
        task=task, old_status=old, new_status=status, reason=reason.strip(), by=by
    )
    return task


# ---------------------------------------------------------------- progress reports


@transaction.atomic
def progress_report_add(
    *,
    task: Task,
    period: str,
    text: str,
    percent: int,
    files: Sequence[File[bytes]] = (),
    by: User,
) -> ProgressReport:
    """A progress report on the task with its evidence documents (type told from the bytes,
    size limited by `EVIDENCE_MAX_BYTES`, kept by SHA-256 under MEDIA_ROOT)."""
    task = Task.objects.select_related("plan").get(pk=task.pk)
    if not can_update_task(by, task):
        raise PlanError(_("Only the lead unit or the secretariat reports on this task."))
    if period not in Period.values:
        raise PlanError(_("Choose the period reported on."))
    if not text.strip():
        raise PlanError(_("Write what was done."))
    if not 0 <= percent <= 100:
        raise PlanError(_("The percentage done is from 0 to 100."))
    report = ProgressReport.objects.create(
        task=task, period=period, text=text.strip(), percent=percent, by=by
    )
    for file in files:
        _store(report, file)
    return report


def _store(report: ProgressReport, file: File[bytes]) -> ReportFile:
    try:
        checked = checked_upload(file, settings.EVIDENCE_MAX_BYTES)
    except FileRefusedError as refused:
        raise PlanError(refused.reason) from None
    stored = ReportFile(
        report=report,
        original_name=safe_name(file.name or "", checked.kind),
        content_type=checked.kind.content_type,
        size=checked.size,
        sha256=checked.sha256,
    )
    stored.file.save(checked.stored_name, file, save=False)
    stored.save()
    return stored


# ---------------------------------------------------------------- reminders


def task_reminders_send(
    *,
    today: dt.date | None = None,
    notifier: Notifier | None = None,
    days: Iterable[int] = REMINDER_DAYS,
) -> int:
    """E-mail the focal points and heads of each lead unit whose task, not done, is due in
    `days` days. Safe to run often: once per task, due date and day. Returns notices sent."""
    today = today or timezone.localdate()
    notifier = notifier or EmailNotifier()
    dates = {today + dt.timedelta(days=left): left for left in set(days)}
    tasks = (
        Task.objects.filter(due_date__in=list(dates))
        .exclude(status=TaskStatus.DONE)
        .select_related("plan", "lead")
        .order_by("pk")
    )
    sent = 0
    for task in tasks:
        assert task.due_date is not None  # the filter above
        sent += _remind(task, dates[task.due_date], notifier)
    return sent


def _remind(task: Task, left: int, notifier: Notifier) -> int:
    people = tuple(
        User.objects.filter(
            is_active=True,
            memberships__active=True,
            memberships__unit=task.lead,
            memberships__role__in=[Role.FOCAL_POINT, Role.UNIT_HEAD],
        )
        .distinct()
        .order_by("pk")
    )
    if not people:
        return 0
    path = reverse("plans:task", args=[task.pk])
    context = {
        "task": task,
        "days": left,
        "link": f"{settings.SITE_URL}{path}" if settings.SITE_URL else "",
    }
    with translation.override(settings.LANGUAGE_CODE):
        notice = Notice(
            recipients=people,
            subject=render_to_string("plans/email/reminder_subject.txt", context)
            .strip()
            .replace("\n", " "),
            body=render_to_string("plans/email/reminder_body.txt", context),
        )
    assert task.due_date is not None
    try:
        with transaction.atomic():  # the record stays only if the notice went
            TaskReminderSent.objects.create(task=task, due_date=task.due_date, days_before=left)
            notifier.send(notice)
    except IntegrityError:
        return 0  # already sent for this due date and day
    except Exception:  # one unreachable mail server must not stop the other reminders
        logger.exception("reminder for task %s not sent", task.pk)
        return 0
    return 1
