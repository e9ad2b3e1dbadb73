"""Pages of criteria sets (thin: parse, authorise, call one service or selector, render).

Members of an authority read its sets; its secretariat and system administrators import,
revise and assign appraisers (others get 403). Versions of another authority are not found
(404): every lookup goes through `criteria_sets_visible_to`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from parindex.accounts.requests import signed_in
from parindex.core.language import message_lang
from parindex.criteria import selectors, services
from parindex.criteria.files import criteria_yaml_of_upload
from parindex.criteria.forms import AppraisersForm, CriteriaReviseForm, CriteriaUploadForm
from parindex.criteria.models import CriteriaSetVersion
from parindex.criteria.permissions import (
    can_manage_criteria,
    criteria_authorities_of,
    criteria_sets_visible_to,
)
from parindex.formats.criteria_xlsx import criteria_to_xlsx
from parindex.formats.problems import InputError, Problem

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _problems(error: InputError) -> list[tuple[str, str]]:
    """(where, what) of each problem: `FILE:ROW` or `FILE: key.path`, and the message."""
    lang = message_lang()
    rows = []
    for problem in error.problems[:100]:
        rows.append((_where(problem), problem.message.render(lang)))
    return rows


def _where(problem: Problem) -> str:
    if problem.line is not None:
        return f"{problem.file}:{problem.line}"
    if problem.path is not None:
        return f"{problem.file}: {problem.path}"
    return problem.file


def _visible(request: HttpRequest, pk: int) -> CriteriaSetVersion:
    return get_object_or_404(criteria_sets_visible_to(request.user), pk=pk)


def _managed(request: HttpRequest, pk: int) -> CriteriaSetVersion:
    version = _visible(request, pk)
    if not can_manage_criteria(request.user, version.authority_id):
        raise PermissionDenied
    return version


def _read(upload: UploadedFile) -> tuple[str, bytes]:
    name = (upload.name or "criteria.yaml").replace("\\", "/").rsplit("/", 1)[-1]
    return name, b"".join(upload.chunks())


# ---------------------------------------------------------------- reading


@login_required
@require_safe
def criteria_list(request: HttpRequest) -> HttpResponse:
    sections = selectors.criteria_set_list(user=request.user)
    return render(request, "criteria/list.html", {"sections": sections})


@login_required
@require_safe
def criteria_detail(request: HttpRequest, pk: int) -> HttpResponse:
    version = _visible(request, pk)
    criteria = services.criteria_set_of(version)
    return render(
        request,
        "criteria/detail.html",
        {
            "version": version,
            "criteria": criteria,
            "fields": selectors.criteria_set_tree(criteria),
            "siblings": selectors.criteria_version_siblings(version=version),
            "previous": selectors.criteria_version_previous(version=version),
            "can_manage": can_manage_criteria(request.user, version.authority_id),
        },
    )


@never_cache
@login_required
@require_safe
def criteria_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    version = _visible(request, pk)
    name = f"{version.code}-v{version.version}.{fmt}"
    if fmt == "yaml":
        response = HttpResponse(version.yaml_text, content_type="application/yaml; charset=utf-8")
    elif fmt == "xlsx":
        content = criteria_to_xlsx(services.criteria_set_of(version))
        response = HttpResponse(content, content_type=XLSX_TYPE)
    else:  # pragma: no cover - the URL pattern admits only these two
        raise Http404
    response["Content-Disposition"] = content_disposition_header(True, name) or "attachment"
    return response


@login_required
@require_safe
def criteria_diff(request: HttpRequest, pk: int) -> HttpResponse:
    version = _visible(request, pk)
    against_pk = request.GET.get("against", "")
    other: CriteriaSetVersion | None
    if against_pk.isdecimal():
        other = get_object_or_404(
            criteria_sets_visible_to(request.user).filter(authority_id=version.authority_id),
            pk=int(against_pk),
        )
    else:
        other = selectors.criteria_version_previous(version=version)
    if other is None:
        raise Http404
    return render(
        request,
        "criteria/diff.html",
        {
            "version": version,
            "other": other,
            "changes": selectors.criteria_set_diff(other, version),
            "settings_changes": selectors.criteria_settings_diff(other, version),
            "siblings": selectors.criteria_version_siblings(version=version),
        },
    )


# ---------------------------------------------------------------- changing


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def criteria_upload(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(criteria_authorities_of(request.user), code=authority_code)
    if not can_manage_criteria(request.user, authority.pk):
        raise PermissionDenied
    form = CriteriaUploadForm(request.POST or None, request.FILES or None)
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        name, content = _read(form.cleaned_data["file"])
        try:
            version = services.criteria_set_import(
                authority=authority,
                yaml_text=criteria_yaml_of_upload(name, content),
                name=name,
                created_by=signed_in(request),
            )
        except InputError as exc:
            problems = _problems(exc)
        else:
            messages.success(
                request,
                _("%(file)s stored as %(code)s version %(version)d.")
                % {"file": name, "code": version.code, "version": version.version},
            )
            return redirect("criteria:detail", pk=version.pk)
    return render(
        request,
        "criteria/upload.html",
        {"authority": authority, "form": form, "problems": problems},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def criteria_revise(request: HttpRequest, pk: int) -> HttpResponse:
    version = _managed(request, pk)
    form = CriteriaReviseForm(
        request.POST or None, request.FILES or None, initial={"yaml_text": version.yaml_text}
    )
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                name, content = _read(upload)
                yaml_text = criteria_yaml_of_upload(name, content)
            else:
                name, yaml_text = (
                    f"{version.code}-v{version.version}.yaml",
                    form.cleaned_data["yaml_text"],
                )
            result = services.criteria_set_revise(
                version=version, yaml_text=yaml_text, by=signed_in(request), name=name
            )
        except InputError as exc:
            problems = _problems(exc)
        else:
            _report_revision(request, version, result)
            return redirect("criteria:detail", pk=result.pk)
    return render(
        request,
        "criteria/revise.html",
        {"version": version, "form": form, "problems": problems},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def criteria_appraisers(request: HttpRequest, pk: int) -> HttpResponse:
    version = _managed(request, pk)
    criteria = services.criteria_set_of(version)
    form = AppraisersForm(criteria, request.POST or None)
    problems: list[tuple[str, str]] = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.criteria_appraisers_assign(
                version=version, assignments=form.assignments(), by=signed_in(request)
            )
        except InputError as exc:
            problems = _problems(exc)
        else:
            _report_revision(request, version, result)
            return redirect("criteria:detail", pk=result.pk)
    return render(
        request,
        "criteria/appraisers.html",
        {
            "version": version,
            "form": form,
            "problems": problems,
            "agencies": selectors.appraiser_agencies(
                authority=version.authority, criteria=criteria
            ),
        },
    )


def _report_revision(
    request: HttpRequest, before: CriteriaSetVersion, after: CriteriaSetVersion
) -> None:
    if after.pk != before.pk:
        messages.success(
            request,
            _(
                "Version %(old)d is frozen (a cycle uses it): the change is stored as the new "
                "version %(new)d."
            )
            % {"old": before.version, "new": after.version},
        )
    elif after.sha256 == before.sha256:
        messages.info(request, _("Nothing changed."))
    else:
        messages.success(request, _("Version %(version)d updated.") % {"version": after.version})
