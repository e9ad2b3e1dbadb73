"""Pages of reform plans and tasks (thin: parse, authorise, call one service or selector,
render). Whatever the user may not see is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from parindex.accounts.requests import signed_in
from parindex.assessments.errors import refusal
from parindex.core.downloads import stored_file_response
from parindex.core.uploads import uploaded_file_import
from parindex.plans import selectors, services
from parindex.plans.errors import PlanError
from parindex.plans.forms import (
    PlanForm,
    ProgressForm,
    StatusForm,
    TaskFilterForm,
    TasksImportForm,
)
from parindex.plans.models import Period, ReportFile, TaskStatus
from parindex.plans.report import report_pdf, report_xlsx

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plans_visible_to(request.user).order_by("authority__code", "-year", "pk")
    return render(
        request,
        "plans/plan_list.html",
        {"plans": plans, "managed": selectors.authorities_managed_by(request.user)},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def plan_create(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        selectors.authorities_managed_by(request.user), code=authority_code
    )
    form = PlanForm(request.POST or None, initial={"year": timezone.localdate().year})
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                authority=authority, by=signed_in(request), **form.cleaned_data
            )
        except PlanError as error:
            for text in refusal(request, error):
                form.add_error(None, text)
        else:
            return redirect("plans:detail", pk=plan.pk)
    return render(request, "plans/plan_form.html", {"authority": authority, "form": form})


@login_required
@require_safe
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    today = timezone.localdate()
    form = TaskFilterForm(request.GET or None)
    filters = selectors.TaskFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.TaskFilter(
            overdue=data["overdue"],
            due_soon=data["due_soon"],
            lead_id=data["lead"],
            status=data["status"] or "",
        )
    visible = selectors.tasks_visible_to(request.user).filter(plan=plan)
    leads = selectors.lead_units_of(visible)
    form.fields["lead"].widget.choices = [("", _("Any")), *((u.pk, u.name) for u in leads)]
    tasks = selectors.task_list_for(plan=plan, user=request.user, today=today, filters=filters)
    return render(
        request,
        "plans/plan_detail.html",
        {
            "plan": plan,
            "tasks": tasks,
            "form": form,
            "today": today,
            "counts": selectors.plan_counts(visible, today),
            "can_manage": selectors.can_manage_plans(request.user, plan.authority_id),
            "periods": Period.choices,
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def tasks_import(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_object_or_404(
        selectors.plans_visible_to(request.user).filter(
            authority__in=selectors.authorities_managed_by(request.user)
        ),
        pk=pk,
    )
    form = TasksImportForm(request.POST or None, request.FILES or None)
    problems: list[tuple[int | None, str]] = []
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        try:
            done = uploaded_file_import(
                upload,
                "tasks.csv",
                lambda path, name: services.tasks_import(
                    plan=plan, path=path, display_name=name, by=signed_in(request)
                ),
            )
        except PlanError as error:
            for text in refusal(request, error):
                form.add_error(None, text)
        else:
            problems = done.problems
            if (report := done.report) is not None:
                name = done.name
                if report.already_imported:
                    messages.info(
                        request,
                        _("%(name)s was already imported: nothing changed.") % {"name": name},
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "%(name)s imported: %(created)d task(s) created, %(updated)d updated, "
                            "%(unchanged)d unchanged."
                        )
                        % {
                            "name": name,
                            "created": report.created,
                            "updated": report.updated,
                            "unchanged": report.unchanged,
                        },
                    )
                return redirect("plans:detail", pk=plan.pk)
    return render(
        request, "plans/tasks_import.html", {"plan": plan, "form": form, "problems": problems}
    )


@login_required
@require_safe
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(selectors.tasks_visible_to(request.user), pk=pk)
    return _task_page(request, task, StatusForm(), ProgressForm())


def _task_page(
    request: HttpRequest, task: Any, status_form: StatusForm, progress_form: ProgressForm
) -> HttpResponse:
    today = timezone.localdate()
    labels = dict(TaskStatus.choices)
    return render(
        request,
        "plans/task_detail.html",
        {
            "task": task,
            "partners": task.partners.order_by("code"),
            "history": [
                (event, labels.get(event.old_status, ""), labels.get(event.new_status, ""))
                for event in selectors.task_history(task)
            ],
            "reports": selectors.task_reports(task),
            "can_update": selectors.can_update_task(request.user, task),
            "overdue": task.due_date is not None
            and task.due_date < today
            and task.status != TaskStatus.DONE,
            "status_form": status_form,
            "progress_form": progress_form,
        },
    )


@login_required
@require_POST
def task_status(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(selectors.tasks_visible_to(request.user), pk=pk)
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.task_status_update(
                task=task,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                on=form.cleaned_data["completed_at"],
                by=signed_in(request),
            )
        except PlanError as error:
            for text in refusal(request, error):
                messages.error(request, text)
        else:
            messages.success(request, _("The status was changed."))
            return redirect("plans:task", pk=task.pk)
    return _task_page(request, task, form, ProgressForm())


@login_required
@require_POST
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_object_or_404(selectors.tasks_visible_to(request.user), pk=pk)
    form = ProgressForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.progress_report_add(
                task=task,
                period=form.cleaned_data["period"],
                text=form.cleaned_data["text"],
                percent=form.cleaned_data["percent"],
                files=form.cleaned_data["documents"],
                by=signed_in(request),
            )
        except PlanError as error:
            for text in refusal(request, error):
                messages.error(request, text)
        else:
            messages.success(request, _("The progress report was saved."))
            return redirect("plans:task", pk=task.pk)
    return _task_page(request, task, StatusForm(), form)


@login_required
@require_safe
def report_file(request: HttpRequest, pk: int) -> HttpResponseBase:
    stored = get_object_or_404(
        ReportFile.objects.filter(report__task__in=selectors.tasks_visible_to(request.user)),
        pk=pk,
    )
    return stored_file_response(
        stored.file, name=stored.original_name, content_type=stored.content_type
    )


@login_required
@require_safe
def plan_report(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    if period not in Period.values:
        raise Http404
    content = report_xlsx(plan, period, request.user)
    response = HttpResponse(content, content_type=XLSX)
    name = f"bao-cao-{plan.year}-{period}-{plan.pk}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_safe
def plan_report_pdf(request: HttpRequest, pk: int, period: str) -> HttpResponse:
    plan = get_object_or_404(selectors.plans_visible_to(request.user), pk=pk)
    if period not in Period.values:
        raise Http404
    response = HttpResponse(report_pdf(plan, period, request.user), content_type="application/pdf")
    name = f"bao-cao-{plan.year}-{period}-{plan.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
