"""The secretariat's survey pages (thin: parse, authorise, call one service or selector,
render). A campaign the user does not run is a 404; respondents' identifying data is shown
only to a survey administrator, and every showing is logged."""

from __future__ import annotations

import csv
import io
from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from parindex.accounts.requests import signed_in
from parindex.accounts.security import security_event
from parindex.assessments.errors import refusal
from parindex.assessments.models import Cycle
from parindex.assessments.selectors import criteria_for, cycles_visible_to
from parindex.core.language import message_lang
from parindex.formats.problems import InputError
from parindex.formats.questionnaire import questionnaire_xlsx, questionnaire_yaml
from parindex.formats.results import neutralise
from parindex.formats.survey_responses import KOBO_COLUMNS, ColumnMap
from parindex.jobs.models import Job, JobStatus
from parindex.jobs.web import job_progress
from parindex.survey import selectors, services, tasks
from parindex.survey.errors import SurveyError
from parindex.survey.forms import (
    AnswersImportForm,
    CampaignForm,
    InvitationsForm,
    QuestionnaireUploadForm,
)
from parindex.survey.models import (
    Campaign,
    ColumnMapping,
    Invitation,
    PersonalDataRead,
    RespondentDetail,
    Response,
    SurveyImport,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRINT_LIMIT = 500


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    campaign = get_object_or_404(
        Campaign.objects.select_related("cycle", "cycle__criteria_set", "cycle__authority"), pk=pk
    )
    if not selectors.may_run_survey(request.user, campaign.cycle.authority_id):
        raise Http404
    return campaign


def _problems(error: InputError) -> list[tuple[int | None, str]]:
    lang = message_lang()
    return [(p.line, p.render(lang)) for p in error.problems[:200]]


@login_required
@require_safe
def home(request: HttpRequest) -> HttpResponse:
    campaigns = selectors.campaigns_run_by(request.user).order_by("-cycle__year", "pk")
    started = set(campaigns.values_list("cycle_id", flat=True))
    cycles = [
        c
        for c in cycles_visible_to(request.user).select_related("criteria_set")
        if c.pk not in started
        and selectors.may_run_survey(request.user, c.authority_id)
        and selectors.survey_spec(c) is not None
    ]
    return render(request, "survey/home.html", {"campaigns": campaigns, "cycles": cycles})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_create(request: HttpRequest, cycle_id: int) -> HttpResponse:
    cycle = get_object_or_404(cycles_visible_to(request.user), pk=cycle_id)
    if not selectors.may_run_survey(request.user, cycle.authority_id):
        raise Http404
    form = CampaignForm(request.POST or None, initial={"title": _survey_title(cycle)})
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(
                cycle=cycle, by=signed_in(request), **form.cleaned_data
            )
        except SurveyError as error:
            for text in refusal(request, error):
                form.add_error(None, text)
        else:
            return redirect("survey:campaign", pk=campaign.pk)
    return render(request, "survey/campaign_form.html", {"form": form, "cycle": cycle})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the campaign's title, dates or margin (e.g. keep it open a week longer)."""
    campaign = _campaign(request, pk)
    initial = {
        "title": campaign.title,
        "opens_at": timezone.localtime(campaign.opens_at).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": timezone.localtime(campaign.closes_at).strftime("%Y-%m-%dT%H:%M"),
        "margin": campaign.margin,
    }
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.campaign_update(campaign=campaign, by=signed_in(request), **form.cleaned_data)
        except SurveyError as error:
            for text in refusal(request, error):
                form.add_error(None, text)
        else:
            messages.success(request, _("The campaign is saved."))
            return redirect("survey:campaign", pk=campaign.pk)
    return render(
        request,
        "survey/campaign_form.html",
        {"form": form, "cycle": campaign.cycle, "campaign": campaign},
    )


def _survey_title(cycle: Cycle) -> str:
    return _("Sociological survey — %(cycle)s") % {"cycle": cycle.title}


@login_required
@require_safe
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    spec = selectors.survey_spec(campaign.cycle)
    documents = selectors.questionnaires_of(campaign.cycle)
    groups = (
        [
            (
                g,
                documents.get(g.code),
                selectors.questions_asked(campaign.cycle, documents[g.code])
                if g.code in documents
                else [],
            )
            for g in spec.groups
        ]
        if spec
        else []
    )
    progress = selectors.progress_of(campaign, spec) if spec else []
    return render(
        request,
        "survey/campaign_detail.html",
        {
            "campaign": campaign,
            "groups": groups,
            "progress": progress,
            "imports": campaign.imports.all()[:20],
            "upload_form": QuestionnaireUploadForm(),
            "may_read_personal": selectors.may_read_personal_data(
                request.user, campaign.cycle.authority_id
            ),
        },
    )


@login_required
@require_POST
def questionnaire_upload(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = QuestionnaireUploadForm(request.POST, request.FILES)
    problems: list[tuple[int | None, str]] = []
    if form.is_valid():
        upload = form.cleaned_data["file"]
        version = campaign.cycle.criteria_set
        try:
            document = services.questionnaire_read(version, upload.read(), upload.name or "")
            services.questionnaire_save(version=version, document=document, by=signed_in(request))
        except InputError as error:
            problems = _problems(error)
        except SurveyError as error:
            problems = [(None, text) for text in refusal(request, error)]
        else:
            messages.success(request, _("Questionnaire %(code)s saved.") % {"code": document.code})
            return redirect("survey:campaign", pk=campaign.pk)
    else:
        problems = [(None, str(e)) for errors in form.errors.values() for e in errors]
    return render(
        request,
        "survey/questionnaire_problems.html",
        {"campaign": campaign, "problems": problems},
        status=400,
    )


@login_required
@require_POST
def questionnaire_draft(request: HttpRequest, pk: int, group: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        services.questionnaire_draft(
            version=campaign.cycle.criteria_set, group=group, by=signed_in(request)
        )
    except (SurveyError, InputError) as error:
        texts = (
            _problems(error)
            if isinstance(error, InputError)
            else [(None, t) for t in refusal(request, error)]
        )
        for _line, text in texts:
            messages.error(request, text)
    else:
        messages.success(request, _("A questionnaire was drafted from the criteria set."))
    return redirect("survey:campaign", pk=campaign.pk)


@login_required
@require_safe
def questionnaire_download(request: HttpRequest, pk: int, group: str, kind: str) -> HttpResponse:
    campaign = _campaign(request, pk)
    document = selectors.questionnaires_of(campaign.cycle).get(group)
    if document is None or kind not in ("yaml", "xlsx"):
        raise Http404
    if kind == "xlsx":
        body: bytes = questionnaire_xlsx(document, criteria_for(campaign.cycle.criteria_set))
        reply = HttpResponse(body, content_type=XLSX)
    else:
        reply = HttpResponse(
            questionnaire_yaml(document).encode("utf-8"), content_type="application/yaml"
        )
    reply["Content-Disposition"] = f'attachment; filename="{document.code}.{kind}"'
    return reply


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def targets(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    spec = selectors.survey_spec(campaign.cycle)
    if spec is None:
        raise Http404
    progress = selectors.progress_of(campaign, spec)
    errors: list[str] = []
    if request.method == "POST":
        rows, errors = _target_rows(request, progress)
        if not errors:
            try:
                saved = services.targets_save(campaign=campaign, rows=rows, by=signed_in(request))
            except SurveyError as error:
                errors = refusal(request, error)
            else:
                messages.success(request, _("%(n)d target(s) saved.") % {"n": saved})
                return redirect("survey:targets", pk=campaign.pk)
    return render(
        request,
        "survey/targets.html",
        {"campaign": campaign, "progress": progress, "errors": errors, "spec": spec},
        status=400 if errors else 200,
    )


def _whole(text: str) -> int | None:
    text = text.strip().replace(".", "").replace(" ", "")
    if not text:
        return None
    if not text.isdecimal():
        raise ValueError(text)
    return int(text)


def _target_rows(
    request: HttpRequest, progress: list[selectors.Progress]
) -> tuple[list[services.TargetRow], list[str]]:
    rows: list[services.TargetRow] = []
    errors: list[str] = []
    for line in progress:
        key = f"{line.unit.pk}_{line.group}"
        try:
            population = _whole(request.POST.get(f"population_{key}", ""))
            target = _whole(request.POST.get(f"target_{key}", ""))
        except ValueError as bad:
            errors.append(
                _("%(unit)s, %(group)s: %(value)s is not a whole number.")
                % {"unit": line.unit.name, "group": line.group, "value": bad}
            )
            continue
        rows.append(services.TargetRow(line.unit.pk, line.group, population, target))
    return rows, errors


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitations(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    units = list(selectors.campaign_units(campaign))
    form = InvitationsForm(
        request.POST or None,
        units=[(str(u.pk), f"{u.code} — {u.name}") for u in units],
        groups=selectors.group_choices(campaign.cycle),
    )
    if request.method == "POST" and form.is_valid():
        unit = next(u for u in units if str(u.pk) == form.cleaned_data["unit"])
        try:
            made = services.invitations_issue(
                campaign=campaign,
                unit=unit,
                group=form.cleaned_data["group"],
                count=form.cleaned_data["count"],
                by=signed_in(request),
            )
        except SurveyError as error:
            for text in refusal(request, error):
                form.add_error(None, text)
        else:
            messages.success(request, _("%(n)d code(s) made.") % {"n": len(made)})
            return redirect("survey:invitations", pk=campaign.pk)
    return render(
        request,
        "survey/invitations.html",
        {"campaign": campaign, "form": form, "counts": selectors.invitation_counts(campaign)},
    )


def answer_link(request: HttpRequest, code: str) -> str:
    from django.urls import reverse

    path = reverse("survey:answer", kwargs={"code": code})
    site = getattr(settings, "PARINDEX_SITE_URL", "")
    return f"{site.rstrip('/')}{path}" if site else request.build_absolute_uri(path)


@login_required
@require_safe
def invitations_print(request: HttpRequest, pk: int) -> HttpResponse:
    """Cards to print: each unused code with its QR code, for one-stop counters."""
    campaign = _campaign(request, pk)
    unused = Invitation.objects.filter(campaign=campaign, submitted_at__isnull=True).select_related(
        "unit"
    )
    if unit := request.GET.get("unit"):
        unused = unused.filter(unit__code=unit)
    if group := request.GET.get("group"):
        unused = unused.filter(group=group)
    cards = []
    for invitation in unused[:PRINT_LIMIT]:
        link = answer_link(request, invitation.code)
        qr = segno.make(link, error="m")
        cards.append(
            {
                "invitation": invitation,
                "link": link,
                "svg": qr.svg_inline(scale=3, title=invitation.code),
            }
        )
    return render(
        request,
        "survey/invitations_print.html",
        {"campaign": campaign, "cards": cards, "enter_link": _enter_link(request)},
    )


def _enter_link(request: HttpRequest) -> str:
    from django.urls import reverse

    path = reverse("survey:enter")
    site = getattr(settings, "PARINDEX_SITE_URL", "")
    return f"{site.rstrip('/')}{path}" if site else request.build_absolute_uri(path)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def answers_import(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    saved = ColumnMapping.objects.filter(authority=campaign.cycle.authority_id)
    chosen = saved.filter(pk=request.GET.get("mapping") or 0).first()
    columns = ColumnMap.from_json(chosen.columns) if chosen else KOBO_COLUMNS
    form = AnswersImportForm(
        request.POST or None,
        request.FILES or None,
        groups=selectors.group_choices(campaign.cycle),
        initial=AnswersImportForm.initial_from(columns),
    )
    problems: list[tuple[int | None, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        column_map = form.column_map()
        user = signed_in(request)
        save_as = form.cleaned_data.get("save_as") or ""
        stored = services.answers_upload_store(
            campaign=campaign, file=upload, file_name=upload.name or "answers.csv"
        )
        if stored.earlier is not None:
            if save_as:
                services.column_mapping_save(campaign=campaign, name=save_as, columns=column_map)
            messages.info(request, _("This file was already imported: nothing changed."))
            return redirect("survey:import_detail", pk=stored.earlier.pk)
        job = tasks.answers_import_submit(
            campaign=campaign, upload=stored, columns=column_map, save_as=save_as, by=user
        )
        if not job.finished:
            return redirect("survey:import_job", pk=campaign.pk, job_id=job.pk)
        if job.status == JobStatus.DONE:
            return _imported(request, job)
        problems = _job_problems(job)
    return render(
        request,
        "survey/answers_import.html",
        {"campaign": campaign, "form": form, "problems": problems, "saved": saved},
        status=400 if problems else 200,
    )


def _imported(request: HttpRequest, job: Job) -> HttpResponse:
    assert job.result is not None
    if not job.result["created"]:
        messages.info(request, _("This file was already imported: nothing changed."))
    return redirect("survey:import_detail", pk=job.result["import_id"])


def _job_problems(job: Job) -> list[tuple[int | None, str]]:
    """A refused file's problems by line in the page's language (or the job's one error)."""
    english = message_lang() == "en"
    listed = (job.result or {}).get("problems") or []
    if listed:
        return [(line, en if english else vi) for line, vi, en in listed]
    return [(None, job.error_text("en" if english else "vi"))]


IMPORT_STAGES = {
    JobStatus.QUEUED: _lazy("Waiting for its turn…"),
    tasks.STAGE_IMPORTING: _lazy("Importing the answers…"),
}


@login_required
@require_safe
def import_job(request: HttpRequest, pk: int, job_id: int) -> HttpResponse:
    """An import running in the background: its progress, then the import's page (done) or
    the file's problems (refused). `?format=json` answers the page's script."""
    campaign = _campaign(request, pk)
    job = get_object_or_404(selectors.import_jobs_of(campaign), pk=job_id)
    stage, answer = job_progress(request, job, IMPORT_STAGES)
    if answer is not None:
        return answer
    if job.status == JobStatus.DONE:
        return _imported(request, job)
    if job.status == JobStatus.FAILED:
        form = AnswersImportForm(
            groups=selectors.group_choices(campaign.cycle),
            initial=AnswersImportForm.initial_from(ColumnMap.from_json(job.arguments["columns"])),
        )
        problems = _job_problems(job)
        saved = ColumnMapping.objects.filter(authority=campaign.cycle.authority_id)
        return render(
            request,
            "survey/answers_import.html",
            {"campaign": campaign, "form": form, "problems": problems, "saved": saved},
            status=400,
        )
    return render(
        request, "survey/import_progress.html", {"campaign": campaign, "job": job, "stage": stage}
    )


def _import(request: HttpRequest, pk: int) -> SurveyImport:
    found = get_object_or_404(
        SurveyImport.objects.select_related("campaign", "campaign__cycle"), pk=pk
    )
    if not selectors.may_run_survey(request.user, found.campaign.cycle.authority_id):
        raise Http404
    return found


@login_required
@require_safe
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    found = _import(request, pk)
    index = 3 if message_lang() == "en" else 2
    rejections = [(r[0], r[1], "; ".join(r[index])) for r in found.rejections[:500]]
    return render(
        request,
        "survey/import_detail.html",
        {"found": found, "campaign": found.campaign, "rejections": rejections},
    )


@login_required
@require_safe
def import_rejections(request: HttpRequest, pk: int) -> HttpResponse:
    """The per-row rejection report as CSV (UTF-8 with BOM for spreadsheet programs)."""
    found = _import(request, pk)
    index = 3 if message_lang() == "en" else 2
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("line"), "response_id", _("reasons")])
    for row in found.rejections:
        writer.writerow(neutralise(v) for v in (row[0], row[1], "; ".join(row[index])))
    reply = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv")
    reply["Content-Disposition"] = f'attachment; filename="rejections-{found.pk}.csv"'
    return reply


@login_required
@require_POST
def import_remove(request: HttpRequest, pk: int) -> HttpResponse:
    found = _import(request, pk)
    campaign = found.campaign
    try:
        services.import_remove(survey_import=found, by=signed_in(request))
    except SurveyError as error:
        for text in refusal(request, error):
            messages.error(request, text)
    else:
        messages.success(request, _("The file's responses were removed."))
    return redirect("survey:campaign", pk=campaign.pk)


@login_required
@require_safe
def results(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    spec = selectors.survey_spec(campaign.cycle)
    if spec is None:
        raise Http404
    criteria = criteria_for(campaign.cycle.criteria_set)
    stats = selectors.statistics_of(campaign, spec)
    unit = request.GET.get("unit", "")
    if unit:
        stats = [s for s in stats if s.unit == unit]
    return render(
        request,
        "survey/results.html",
        {
            "campaign": campaign,
            "stats": stats[:3000],
            "shown": min(len(stats), 3000),
            "total": len(stats),
            "low": selectors.low_sample_units(campaign, spec, criteria),
            "min_sample": spec.min_sample,
            "units": selectors.campaign_units(campaign),
            "unit": unit,
            "progress": selectors.progress_of(campaign, spec),
        },
    )


@login_required
@require_safe
def answers_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Every counted response, anonymised: no response ids, codes, times or identifying data
    — a running number, the unit, the group, the day and the answers."""
    campaign = _campaign(request, pk)
    documents = selectors.questionnaires_of(campaign.cycle)
    questions = sorted({q.code for d in documents.values() for q in d.questions})
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["n", "unit", "group", "day", *questions])
    rows = (
        Response.objects.filter(campaign=campaign, submitted_at__isnull=False)
        .order_by("unit__code", "group", "pk")
        .values_list("unit__code", "group", "submitted_at", "answers")
    )
    for number, (unit, group, at, answers) in enumerate(rows.iterator(chunk_size=5000), 1):
        writer.writerow(
            [
                number,
                unit,
                group,
                at.date().isoformat() if at else "",
                *(answers.get(q, "") for q in questions),
            ]
        )
    security_event("survey_answers_exported", request, campaign=campaign.pk)
    reply = HttpResponse(("\ufeff" + out.getvalue()).encode("utf-8"), content_type="text/csv")
    reply["Content-Disposition"] = f'attachment; filename="survey-{campaign.pk}-answers.csv"'
    return reply


@login_required
@require_safe
def respondents(request: HttpRequest, pk: int) -> HttpResponse:
    """Respondents' identifying data: survey administrators only, every reading logged."""
    campaign = _campaign(request, pk)
    if not selectors.may_read_personal_data(request.user, campaign.cycle.authority_id):
        raise Http404
    details = list(
        RespondentDetail.objects.filter(response__campaign=campaign)
        .select_related("response", "response__unit")
        .order_by("response__submitted_at")[:1000]
    )
    PersonalDataRead.objects.create(
        campaign=campaign, user=signed_in(request), responses=len(details), what="page"
    )
    security_event("personal_data_read", request, campaign=campaign.pk, respondents=len(details))
    documents = selectors.questionnaires_of(campaign.cycle)
    fields: dict[str, str] = {}
    for document in documents.values():
        fields.update({f.code: f.label for f in document.personal})
    rows: list[dict[str, Any]] = [
        {"detail": d, "values": [d.data.get(code, "") for code in fields]} for d in details
    ]
    return render(
        request,
        "survey/respondents.html",
        {
            "campaign": campaign,
            "fields": list(fields.values()),
            "rows": rows,
            "reads": PersonalDataRead.objects.filter(campaign=campaign).select_related("user")[:20],
        },
    )
