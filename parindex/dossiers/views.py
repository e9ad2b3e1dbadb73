"""Pages of one-stop dossier statistics (thin: parse, authorise, call one service or
selector, render). Whatever the user may not see is a 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from parindex.accounts.requests import signed_in
from parindex.core.language import message_lang
from parindex.dossiers import selectors, services, tasks
from parindex.dossiers.forms import DEFAULT, HolidayForm, ImportForm, MappingForm
from parindex.dossiers.models import ColumnMapping, StatKind
from parindex.dossiers.reading import DEFAULT_MAPPING, DEFAULT_VALUES
from parindex.dossiers.services import STAGE_READING, STAGE_WRITING
from parindex.jobs.models import Job, JobStatus
from parindex.jobs.web import job_progress
from parindex.units.models import Authority


def _authority(request: HttpRequest, code: str) -> Authority:
    return get_object_or_404(selectors.authorities_visible_to(signed_in(request)), code=code)


@login_required
@require_safe
def authority_list(request: HttpRequest) -> HttpResponse:
    authorities = list(selectors.authorities_visible_to(signed_in(request)))
    if len(authorities) == 1:
        return redirect("dossiers:imports", authority_code=authorities[0].code)
    return render(request, "dossiers/authority_list.html", {"authorities": authorities})


@login_required
@require_safe
def import_list(request: HttpRequest, authority_code: str) -> HttpResponse:
    user = signed_in(request)
    authority = _authority(request, authority_code)
    return render(
        request,
        "dossiers/import_list.html",
        {
            "authority": authority,
            "imports": selectors.imports_of(authority),
            "can_manage": selectors.can_manage(user, authority),
            "whole": selectors.sees_whole(user, authority),
        },
    )


def _import_form(authority: Authority, request: HttpRequest | None) -> ImportForm:
    choices = [(str(m.pk), m.name) for m in selectors.mappings_of(authority)]
    if request is None:
        return ImportForm(mappings=choices)
    return ImportForm(request.POST or None, request.FILES or None, mappings=choices)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def import_create(request: HttpRequest, authority_code: str) -> HttpResponse:
    user = signed_in(request)
    authority = get_object_or_404(selectors.authorities_managed_by(user), code=authority_code)
    saved = {str(m.pk): m for m in selectors.mappings_of(authority)}
    form = _import_form(authority, request)
    problems: list[tuple[int | None, str]] = []
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        choice = form.cleaned_data["mapping"]
        if choice == DEFAULT:
            mapping, values = DEFAULT_MAPPING, DEFAULT_VALUES
        else:
            mapping, values = saved[choice].columns, saved[choice].values
        stored = services.dossiers_upload_store(
            authority=authority, file=upload, file_name=upload.name or "dossiers.csv"
        )
        if stored.earlier is not None:
            messages.info(request, _("This file was imported before: nothing changes."))
            return redirect("dossiers:import_detail", import_id=stored.earlier.pk)
        job = tasks.dossiers_import_submit(
            authority=authority,
            year=form.cleaned_data["year"],
            upload=stored,
            mapping=dict(mapping),
            values=dict(values),
            by=user,
        )
        if not job.finished:
            return redirect("dossiers:import_job", authority_code=authority.code, job_id=job.pk)
        if job.status == JobStatus.DONE:
            return _imported(request, job)
        problems = _problems_of(job)
    return render(
        request,
        "dossiers/import_form.html",
        {"authority": authority, "form": form, "problems": problems, "default": DEFAULT_MAPPING},
    )


def _imported(request: HttpRequest, job: Job) -> HttpResponse:
    assert job.result is not None
    if job.result["created"]:
        messages.success(request, _("The file is imported."))
    else:
        messages.info(request, _("This file was imported before: nothing changes."))
    return redirect("dossiers:import_detail", import_id=job.result["import_id"])


def _problems_of(job: Job) -> list[tuple[int | None, str]]:
    """A failed import's problems by line, in the page's language (or the job's one error)."""
    english = message_lang() == "en"
    listed = (job.result or {}).get("problems") or []
    if listed:
        return [(line, en if english else vi) for line, vi, en in listed]
    return [(None, job.error_text("en" if english else "vi"))]


STAGES = {
    JobStatus.QUEUED: _lazy("Waiting for its turn…"),
    STAGE_READING: _lazy("Reading the file…"),
    STAGE_WRITING: _lazy("Saving the figures…"),
}


@login_required
@require_safe
def import_job(request: HttpRequest, authority_code: str, job_id: int) -> HttpResponse:
    """The progress of an import that runs in the background, then its outcome: the summary
    (done) or the file's problems (refused). `?format=json` answers the page's script."""
    user = signed_in(request)
    authority = get_object_or_404(selectors.authorities_managed_by(user), code=authority_code)
    job = get_object_or_404(selectors.import_jobs_of(authority), pk=job_id)
    stage, answer = job_progress(request, job, STAGES)
    if answer is not None:
        return answer
    if job.status == JobStatus.DONE:
        return _imported(request, job)
    if job.status == JobStatus.FAILED:
        return render(
            request,
            "dossiers/import_form.html",
            {
                "authority": authority,
                "form": _import_form(authority, None),
                "problems": _problems_of(job),
                "default": DEFAULT_MAPPING,
            },
        )
    return render(
        request,
        "dossiers/import_progress.html",
        {"authority": authority, "job": job, "stage": stage},
    )


@login_required
@require_safe
def import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    user = signed_in(request)
    record = get_object_or_404(selectors.imports_visible_to(user), pk=import_id)
    codes = selectors.unit_codes_seen(user, record.authority)
    units = selectors.stats_of(record, StatKind.UNIT, codes)
    tables = [
        (_("Per unit"), _("Unit"), units),
        (_("Per official"), _("Official"), selectors.stats_of(record, StatKind.OFFICIAL, codes)),
    ]
    if codes is None:
        procedures = selectors.stats_of(record, StatKind.PROCEDURE, codes)
        tables.append((_("Per procedure"), _("Procedure"), procedures))
    tables.append(
        (_("Per unit and month"), _("Unit, month"), selectors.stats_of(record, "unit-month", codes))
    )
    bars = selectors.ontime_bars(units)
    return render(
        request,
        "dossiers/import_detail.html",
        {
            "record": record,
            "authority": record.authority,
            "tables": tables,
            "bars": bars,
            "chart_height": 24 * len(bars) + 4,
            "whole": codes is None,
        },
    )


@login_required
@require_safe
def late_list(request: HttpRequest, import_id: int) -> HttpResponse:
    user = signed_in(request)
    record = get_object_or_404(selectors.imports_visible_to(user), pk=import_id)
    codes = selectors.unit_codes_seen(user, record.authority)
    return render(
        request,
        "dossiers/late_list.html",
        {
            "record": record,
            "authority": record.authority,
            "dossiers": selectors.late_dossiers_of(record, codes),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def holiday_list(request: HttpRequest, authority_code: str) -> HttpResponse:
    user = signed_in(request)
    authority = _authority(request, authority_code)
    can_manage = selectors.can_manage(user, authority)
    form = HolidayForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                services.holiday_add(
                    authority=authority,
                    date=form.cleaned_data["date"],
                    name=form.cleaned_data["name"],
                    by=user,
                )
            except services.HolidayError:
                form.add_error("date", _("This date is in the calendar already."))
            else:
                messages.success(request, _("The holiday is added."))
                return redirect("dossiers:holidays", authority_code=authority.code)
    return render(
        request,
        "dossiers/holiday_list.html",
        {
            "authority": authority,
            "holidays": selectors.holidays_of(authority),
            "form": form,
            "can_manage": can_manage,
        },
    )


@login_required
@require_POST
def holiday_delete(request: HttpRequest, holiday_id: int) -> HttpResponse:
    user = signed_in(request)
    holiday = get_object_or_404(
        selectors.holidays_managed_by(user).select_related("authority"), pk=holiday_id
    )
    code = holiday.authority.code
    services.holiday_delete(holiday=holiday, by=user)
    messages.success(request, _("The holiday is deleted."))
    return redirect("dossiers:holidays", authority_code=code)


@login_required
@require_safe
def officials_late(request: HttpRequest, authority_code: str) -> HttpResponse:
    user = signed_in(request)
    authority = _authority(request, authority_code)
    years = selectors.import_years(authority)
    try:
        year = int(request.GET.get("year") or (years[0] if years else 0))
    except ValueError:
        raise Http404 from None
    codes = selectors.unit_codes_seen(user, authority)
    source, officials = selectors.officials_over_limit(authority, year, codes)
    return render(
        request,
        "dossiers/officials_late.html",
        {
            "authority": authority,
            "year": year,
            "years": years,
            "source": source,
            "officials": officials,
        },
    )


# ---------------------------------------------------------------- column mappings


@login_required
@require_safe
def mapping_list(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        selectors.authorities_managed_by(signed_in(request)), code=authority_code
    )
    return render(
        request,
        "dossiers/mapping_list.html",
        {
            "authority": authority,
            "mappings": selectors.mappings_of(authority),
            "default": DEFAULT_MAPPING,
            "default_values": DEFAULT_VALUES,
        },
    )


def _mapping_page(
    request: HttpRequest, authority: Authority, mapping: ColumnMapping | None
) -> HttpResponse:
    user = signed_in(request)
    taken = selectors.mappings_of(authority).values_list("name", flat=True)
    if mapping is not None:
        taken = taken.exclude(pk=mapping.pk)
        initial = MappingForm.initial_for(mapping.name, mapping.columns, mapping.values)
    else:
        initial = MappingForm.initial_for("", DEFAULT_MAPPING, DEFAULT_VALUES)
    learned: tuple[list[str], dict[str, str]] | None = None
    if request.method != "POST":
        form = MappingForm(initial=initial, taken=list(taken))
    elif "learn" in request.POST:
        form = MappingForm(request.POST, request.FILES, taken=list(taken))
        form.is_valid()
        sample = request.FILES.get("sample")
        prefilled = {key: request.POST.get(key, "") for key in form.fields if key != "sample"}
        if sample is None or "sample" in form.errors:
            messages.error(request, _("Choose a sample export (.csv or .xlsx) to learn from."))
        else:
            learned = services.mapping_learn(file=sample, file_name=sample.name or "sample.csv")
            for column, header in learned[1].items():
                prefilled[f"col_{column}"] = header
        form = MappingForm(initial=prefilled, taken=list(taken))
    else:
        form = MappingForm(request.POST, request.FILES, taken=list(taken))
        if form.is_valid():
            saved = services.mapping_save(
                authority=authority,
                name=form.cleaned_data["name"],
                columns=form.cleaned_data["columns"],
                values=form.cleaned_data["values"],
                by=user,
                mapping=mapping,
            )
            messages.success(
                request, _("The column mapping “%(name)s” is saved.") % {"name": saved.name}
            )
            return redirect("dossiers:mappings", authority_code=authority.code)
    return render(
        request,
        "dossiers/mapping_form.html",
        {"authority": authority, "form": form, "mapping": mapping, "learned": learned},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mapping_create(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        selectors.authorities_managed_by(signed_in(request)), code=authority_code
    )
    return _mapping_page(request, authority, None)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def mapping_edit(request: HttpRequest, mapping_id: int) -> HttpResponse:
    mapping = get_object_or_404(selectors.mappings_managed_by(signed_in(request)), pk=mapping_id)
    return _mapping_page(request, mapping.authority, mapping)


@login_required
@require_POST
def mapping_delete(request: HttpRequest, mapping_id: int) -> HttpResponse:
    user = signed_in(request)
    mapping = get_object_or_404(selectors.mappings_managed_by(user), pk=mapping_id)
    code = mapping.authority.code
    services.mapping_delete(mapping=mapping, by=user)
    messages.success(request, _("The column mapping is deleted."))
    return redirect("dossiers:mappings", authority_code=code)
