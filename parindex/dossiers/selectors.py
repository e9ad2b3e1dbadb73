"""Reads of the dossiers app: who sees which import and which rows, the summary tables, the
metrics fed to a cycle, and the officials over 10% late (seed 004)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from parindex.accounts.permissions import (
    ADMINISTERING,
    AUTHORITY_WIDE,
    UNIT_ROLES,
    authority_ids,
    unit_ids,
)
from parindex.dossiers.models import (
    ColumnMapping,
    DossierImport,
    DossierStat,
    Holiday,
    ImportStatus,
    LateDossier,
    StatKind,
)
from parindex.jobs.models import Job
from parindex.units.models import Authority, Unit

if TYPE_CHECKING:
    from parindex.assessments.models import Cycle

# An official with more than this share of late dossiers cannot be rated "hoàn thành tốt
# nhiệm vụ" (seed 004).
OFFICIAL_LATE_LIMIT = Decimal("0.10")
# Who sees an authority's dossier statistics whole (the system admin manages, so sees too).
WIDE = (*AUTHORITY_WIDE,)


# ---------------------------------------------------------------- who sees what


def authorities_visible_to(user: object) -> QuerySet[Authority]:
    """Authority-wide roles see their authority; a unit's focal point or head sees the
    authority of their unit (its own rows only)."""
    ids = authority_ids(user, WIDE) | authority_ids(user, UNIT_ROLES)
    return Authority.objects.filter(pk__in=ids)


def authorities_managed_by(user: object) -> QuerySet[Authority]:
    """Where the user imports files and edits holidays: secretariat, system admin."""
    return Authority.objects.filter(pk__in=authority_ids(user, ADMINISTERING))


def sees_whole(user: object, authority: Authority) -> bool:
    return authority.pk in authority_ids(user, WIDE)


def can_manage(user: object, authority: Authority) -> bool:
    return authority.pk in authority_ids(user, ADMINISTERING)


def unit_codes_seen(user: object, authority: Authority) -> set[str] | None:
    """The unit codes whose rows the user sees in `authority`; None for every unit."""
    if sees_whole(user, authority):
        return None
    return set(
        Unit.objects.filter(authority=authority, pk__in=unit_ids(user)).values_list(
            "code", flat=True
        )
    )


def imports_visible_to(user: object) -> QuerySet[DossierImport]:
    return DossierImport.objects.filter(authority__in=authorities_visible_to(user)).select_related(
        "authority", "uploaded_by"
    )


def holidays_visible_to(user: object) -> QuerySet[Holiday]:
    return Holiday.objects.filter(authority__in=authorities_visible_to(user))


def holidays_managed_by(user: object) -> QuerySet[Holiday]:
    return Holiday.objects.filter(authority__in=authorities_managed_by(user))


# ---------------------------------------------------------------- lists


def imports_of(authority: Authority) -> QuerySet[DossierImport]:
    return DossierImport.objects.filter(authority=authority).select_related("uploaded_by")


def holidays_of(authority: Authority) -> QuerySet[Holiday]:
    return Holiday.objects.filter(authority=authority).order_by("date")


def mappings_of(authority: Authority) -> QuerySet[ColumnMapping]:
    return ColumnMapping.objects.filter(authority=authority)


def mappings_managed_by(user: object) -> QuerySet[ColumnMapping]:
    """The saved column mappings the user may edit: those of the authorities they manage."""
    return ColumnMapping.objects.filter(authority__in=authorities_managed_by(user)).select_related(
        "authority"
    )


def _scoped(rows: QuerySet, codes: set[str] | None) -> QuerySet:  # type: ignore[type-arg]
    return rows if codes is None else rows.filter(unit_code__in=codes)


def stats_of(
    dossier_import: DossierImport, kind: str, codes: set[str] | None
) -> QuerySet[DossierStat]:
    """One summary table of an import, limited to the units in `codes` (None: all).

    Procedure rows belong to no unit: they are for authority-wide roles only.
    """
    rows = DossierStat.objects.filter(dossier_import=dossier_import, kind=kind).order_by("key")
    if codes is not None and kind == StatKind.PROCEDURE:
        return rows.none()
    return _scoped(rows, codes)


def late_dossiers_of(
    dossier_import: DossierImport, codes: set[str] | None
) -> QuerySet[LateDossier]:
    return _scoped(LateDossier.objects.filter(dossier_import=dossier_import), codes)


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    rate: Decimal | None
    y: int
    px: int  # the bar's length, of 200


def ontime_bars(rows: QuerySet[DossierStat]) -> list[Bar]:
    """The on-time rate per unit, as bars of an inline SVG chart (24 px a row)."""
    bars = []
    for index, row in enumerate(rows):
        rate = row.ontime_rate
        px = 0 if rate is None else int((rate * 200).to_integral_value())
        bars.append(Bar(row.key, rate, index * 24, px))
    return bars


def latest_import(authority: Authority | int, year: int) -> DossierImport | None:
    """The import a year's figures come from: the latest one of that year."""
    return (
        DossierImport.objects.filter(authority=authority, year=year, status=ImportStatus.DONE)
        .order_by("-at", "-id")
        .first()
    )


def officials_over_limit(
    authority: Authority, year: int, codes: set[str] | None
) -> tuple[DossierImport | None, QuerySet[DossierStat]]:
    """The officials of the year's latest import with late_rate > 10%, worst first."""
    source = latest_import(authority, year)
    if source is None:
        return None, DossierStat.objects.none()
    rows = DossierStat.objects.filter(
        dossier_import=source, kind=StatKind.OFFICIAL, late_rate__gt=OFFICIAL_LATE_LIMIT
    ).order_by("-late_rate", "key")
    return source, _scoped(rows, codes)


def import_years(authority: Authority) -> list[int]:
    return sorted(
        set(DossierImport.objects.filter(authority=authority).values_list("year", flat=True)),
        reverse=True,
    )


# ---------------------------------------------------------------- metrics


METRICS = ("late_rate", "ontime_rate", "online_rate")


def dossier_metrics(cycle: Cycle) -> Mapping[str, Mapping[str, Decimal]]:
    """`late_rate`, `ontime_rate`, `online_rate` per unit code from the latest import of the
    cycle's authority and year (a rate with no denominator is left out)."""
    source = latest_import(cycle.authority_id, cycle.year)
    if source is None:
        return {}
    found: dict[str, dict[str, Decimal]] = {}
    rows = DossierStat.objects.filter(dossier_import=source, kind=StatKind.UNIT).values_list(
        "key", *METRICS
    )
    for key, *rates in rows:
        values = {n: v for n, v in zip(METRICS, rates, strict=True) if v is not None}
        if values:
            found[key] = values
    return found


def metric_source_of(cycle: Cycle) -> DossierImport | None:
    """The import whose figures a cycle's dossier metrics are (shown beside the points)."""
    return latest_import(cycle.authority_id, cycle.year)


def dossier_metric_notes(cycle: Cycle, unit_code: str) -> dict[str, str]:
    """Beside a `data` leaf's points: the unit's rate, the file it comes from, when it was
    imported, and the counts behind it (results.METRIC_NOTES)."""
    source = latest_import(cycle.authority_id, cycle.year)
    if source is None:
        return {}
    row = DossierStat.objects.filter(
        dossier_import=source, kind=StatKind.UNIT, key=unit_code
    ).first()
    if row is None:
        return {}
    origin = _(
        "file %(file)s imported %(when)s: %(received)s dossiers received, %(finished)s "
        "finished, %(late)s late, %(online)s online"
    ) % {
        "file": source.file_name,
        "when": date_format(timezone.localtime(source.at), "d/m/Y H:i"),
        "received": number_format(row.received, force_grouping=True),
        "finished": number_format(row.finished, force_grouping=True),
        "late": number_format(row.late, force_grouping=True),
        "online": number_format(row.online, force_grouping=True),
    }
    notes: dict[str, str] = {}
    for metric in METRICS:
        value = getattr(row, metric)
        if value is not None:
            notes[metric] = f"{metric} = {number_format(value * 100, 2)}% — {origin}"
    return notes


IMPORT_JOB = "dossiers.import"


def import_jobs_of(authority: Authority) -> QuerySet[Job]:
    """The background imports of `authority`'s files."""
    return Job.objects.filter(kind=IMPORT_JOB, arguments__authority_id=authority.pk)
