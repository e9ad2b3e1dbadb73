"""Pages of the external indices (thin: parse, authorise, call one service or selector,
render). Whatever the user may not see is a 404."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from parindex.accounts.requests import signed_in
from parindex.assessments.errors import refusal
from parindex.core.uploads import uploaded_file_import
from parindex.indices import selectors, services
from parindex.indices.errors import IndexValueError
from parindex.indices.forms import IndexValueForm, IndicesImportForm
from parindex.indices.models import IndexCode, IndexValue
from parindex.scoring.numbers import plain_vi

RECENT_CHANGES = 20


@login_required
@require_safe
def authority_indices(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        selectors.authorities_readable_by(request.user), code=authority_code
    )
    return render(
        request,
        "indices/authority.html",
        {
            "authority": authority,
            "columns": selectors.index_columns(),
            "table": selectors.index_table(authority),
            "changes": selectors.index_changes(authority, limit=RECENT_CHANGES),
            "can_edit": selectors.can_edit_indices(request.user, authority.pk),
        },
    )


def _initial(request: HttpRequest, authority: Any) -> tuple[dict[str, Any], IndexValue | None]:
    """The form's first values: the stored value named by `?year=&index=`, if any."""
    year, index = request.GET.get("year", ""), request.GET.get("index", "")
    if not year.isdecimal() or index not in IndexCode.values:
        return ({"year": int(year)} if year.isdecimal() else {}), None
    found = selectors.index_value_get(authority=authority, year=int(year), index=index)
    if found is None:
        return {"year": int(year), "index": index}, None
    return {
        "year": found.year,
        "index": found.index,
        "value": plain_vi(found.value.normalize()),
        "rank": found.rank,
        "ranked_of": found.ranked_of,
        "source": found.source,
        "note": found.note,
    }, found


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def value_edit(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        selectors.authorities_editable_by(request.user), code=authority_code
    )
    initial, found = _initial(request, authority)
    form = IndexValueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.index_value_save(
                authority=authority, by=signed_in(request), **form.cleaned_data
            )
        except IndexValueError as error:
            for text in refusal(request, error):
                form.add_error(None, text)
        else:
            messages.success(
                request,
                _("%(index)s %(year)s was saved.")
                % {"index": saved.short_name, "year": saved.year},
            )
            return redirect("indices:authority", authority_code=authority.code)
    return render(
        request,
        "indices/value_form.html",
        {
            "authority": authority,
            "form": form,
            "value": found,
            "changes": selectors.index_value_changes(found) if found else [],
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def values_import(request: HttpRequest, authority_code: str) -> HttpResponse:
    authority = get_object_or_404(
        selectors.authorities_editable_by(request.user), code=authority_code
    )
    form = IndicesImportForm(request.POST or None, request.FILES or None)
    problems: list[tuple[int | None, str]] = []
    if request.method == "POST" and form.is_valid():
        upload: UploadedFile = form.cleaned_data["file"]
        try:
            done = uploaded_file_import(
                upload,
                "indices.csv",
                lambda path, name: services.index_values_import(
                    authority=authority, path=path, display_name=name, by=signed_in(request)
                ),
            )
        except IndexValueError as error:
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
                            "%(name)s imported: %(created)d value(s) created, %(updated)d updated, "
                            "%(unchanged)d unchanged."
                        )
                        % {
                            "name": name,
                            "created": report.created,
                            "updated": report.updated,
                            "unchanged": report.unchanged,
                        },
                    )
                return redirect("indices:authority", authority_code=authority.code)
    return render(
        request,
        "indices/import.html",
        {"authority": authority, "form": form, "problems": problems},
    )
