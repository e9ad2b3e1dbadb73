"""Pages of the secretariat for authorities, unit groups and units (thin: parse, authorise,
call one service or selector, render)."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from parindex.accounts.requests import signed_in
from parindex.core.uploads import uploaded_file_import
from parindex.units import selectors, services
from parindex.units.forms import UnitsImportForm


@login_required
@require_safe
def authority_list(request: HttpRequest) -> HttpResponse:
    authorities = selectors.authorities_visible_to(request.user)
    administered = set(
        selectors.authorities_administered_by(request.user).values_list("pk", flat=True)
    )
    return render(
        request,
        "units/authority_list.html",
        {"authorities": authorities, "administered": administered},
    )


@login_required
@require_safe
def unit_list(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        selectors.authorities_visible_to(request.user), code=authority_code
    )
    lineages = selectors.lineages_of_authority(authority)
    sections = [
        (group, [(unit, lineages.get(unit.pk, [])) for unit in units])
        for group, units in groupby(
            selectors.units_of_authority(authority), key=lambda unit: unit.group
        )
    ]
    can_manage = selectors.authorities_administered_by(request.user).filter(pk=authority.pk)
    return render(
        request,
        "units/unit_list.html",
        {"authority": authority, "sections": sections, "can_manage": can_manage.exists()},
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def units_import(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        selectors.authorities_administered_by(request.user), code=authority_code
    )
    form = UnitsImportForm(request.POST or None, request.FILES or None)
    problems: list[tuple[int | None, str]] = []
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        done = uploaded_file_import(
            upload,
            "units.csv",
            lambda path, name: services.units_import(
                authority=authority, path=path, display_name=name, by=signed_in(request)
            ),
        )
        problems = done.problems
        if (report := done.report) is not None:
            messages.success(
                request,
                _(
                    "%(name)s imported: %(created)d unit(s) created, %(updated)d updated, "
                    "%(unchanged)d unchanged."
                )
                % {
                    "name": done.name,
                    "created": report.created,
                    "updated": report.updated,
                    "unchanged": report.unchanged,
                },
            )
            return redirect("units:list", authority_code=authority.code)
    return render(
        request,
        "units/units_import.html",
        {"authority": authority, "form": form, "problems": problems},
    )
