"""The external-index routes of tests/test_permission_matrix.py: authority A's values are read
by everyone with a role in it (so a unit of the same authority sees them) and entered or
imported by its secretariat alone; another authority gets 404."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from parindex.indices.models import IndexValue


def _values(w: Any) -> list[tuple[int, str, str]]:
    return sorted(
        (value.year, value.index, str(value.value))
        for value in IndexValue.objects.filter(authority=w.authority)
    )


def routes(route: Any) -> dict[str, Any]:
    """`route` is the matrix's `Route`."""
    return {
        "indices:authority": route(
            lambda w: f"/indices/{w.authority.code}/", same_authority_may_view=True
        ),
        "indices:edit": route(
            lambda w: f"/indices/{w.authority.code}/edit/",
            method="POST",
            data=lambda w: {"year": "2024", "index": "papi", "value": "44,43"},
            owner=lambda w: w.secretariat,
            state=_values,
        ),
        "indices:import": route(
            lambda w: f"/indices/{w.authority.code}/import/",
            method="POST",
            data=lambda w: {
                "file": SimpleUploadedFile("chi-so.csv", b'year,index,value\n2024,sipas,"85,32"\n')
            },
            owner=lambda w: w.secretariat,
            state=_values,
        ),
    }
