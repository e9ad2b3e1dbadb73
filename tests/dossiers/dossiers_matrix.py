"""The background-import and column-mapping routes of tests/test_permission_matrix.py:
authority A's queued import job, followed only by A's secretariat; A's saved mapping (made on
first use, once per world), edited and deleted only by A's secretariat."""

from __future__ import annotations

from typing import Any

from parindex.dossiers.models import ColumnMapping
from parindex.dossiers.reading import DEFAULT_MAPPING, DEFAULT_VALUES
from parindex.dossiers.selectors import IMPORT_JOB
from parindex.jobs.models import Job


def made(w: Any) -> ColumnMapping:
    found: ColumnMapping | None = getattr(w, "dossiers_mapping", None)
    if found is None:
        found = ColumnMapping.objects.create(
            authority=w.authority, name="Một cửa A", columns=DEFAULT_MAPPING, values=DEFAULT_VALUES
        )
        w.dossiers_mapping = found
    return found


def queued_import(w: Any) -> Job:
    """A queued background import of authority A's (made on first use, once per world)."""
    found: Job | None = getattr(w, "dossiers_job", None)
    if found is None:
        found = Job.objects.create(
            kind=IMPORT_JOB, arguments={"authority_id": w.authority.pk}, created_by=w.secretariat
        )
        w.dossiers_job = found
    return found


def _form(w: Any, name: str) -> dict[str, str]:
    data = {f"col_{column}": header for header, column in DEFAULT_MAPPING.items()}
    return data | {"name": name, "status_values": "Xong = finished", "save": "1"}


def _state(w: Any) -> list[tuple[str, str]]:
    return list(ColumnMapping.objects.order_by("pk").values_list("authority__code", "name"))


def routes(route: Any) -> dict[str, Any]:
    """`route` is the matrix's `Route`."""
    return {
        "dossiers:import_job": route(
            lambda w: f"/dossiers/{w.authority.code}/import/{queued_import(w).pk}/",
            owner=lambda w: w.secretariat,
        ),
        "dossiers:mappings": route(
            lambda w: f"/dossiers/{w.authority.code}/mappings/", owner=lambda w: w.secretariat
        ),
        "dossiers:mapping_create": route(
            lambda w: f"/dossiers/{w.authority.code}/mappings/new/",
            method="POST",
            data=lambda w: _form(w, "Mới"),
            owner=lambda w: w.secretariat,
            state=_state,
        ),
        "dossiers:mapping_edit": route(
            lambda w: f"/dossiers/mappings/{made(w).pk}/",
            method="POST",
            data=lambda w: _form(w, "Đã sửa"),
            owner=lambda w: w.secretariat,
            state=_state,
        ),
        "dossiers:mapping_delete": route(
            lambda w: f"/dossiers/mappings/{made(w).pk}/delete/",
            method="POST",
            owner=lambda w: w.secretariat,
            state=_state,
        ),
    }
