"""Reading external index values: who reads and edits which authority's values, the table of
an authority's values by year, the history of changes, and the compact rows shown beside the
PAR results.

Permissions: everyone with a role in the authority (secretariat, leader, council chair,
appraisers, units...) reads its values; the secretariat and the system administrator edit
them; nobody else sees anything (404).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from parindex.accounts.models import User
from parindex.accounts.permissions import ADMINISTERING, authority_ids
from parindex.formats.indices import SCALES
from parindex.indices.models import SHORT_NAMES, IndexCode, IndexValue, IndexValueChange
from parindex.units.models import Authority

# ---------------------------------------------------------------- permissions


def authorities_readable_by(user: User | object) -> QuerySet[Authority]:
    """The authorities in which the user holds any role."""
    return Authority.objects.filter(pk__in=authority_ids(user))


def authorities_editable_by(user: User | object) -> QuerySet[Authority]:
    """Where the user enters and imports values: secretariat, system administrator."""
    return Authority.objects.filter(pk__in=authority_ids(user, ADMINISTERING))


def can_edit_indices(user: User | object, authority_id: int) -> bool:
    return authority_id in authority_ids(user, ADMINISTERING)


# ---------------------------------------------------------------- the table


@dataclass(frozen=True)
class IndexColumn:
    code: str
    name: str  # the full name, translated
    short: str  # SIPAS, PAPI...
    unit: str  # "%" or ""
    decimals: int
    top: Decimal


def index_columns() -> list[IndexColumn]:
    """The five indices in their fixed order, with their scales."""
    return [
        IndexColumn(
            code=str(code),
            name=str(code.label),
            short=SHORT_NAMES[code],
            unit=SCALES[code].unit,
            decimals=SCALES[code].decimals,
            top=SCALES[code].top,
        )
        for code in IndexCode
    ]


@dataclass(frozen=True)
class IndexYear:
    """One row of the authority's table: a year and its values, one cell per index."""

    year: int
    cells: list[tuple[IndexColumn, IndexValue | None]]


def index_values_of(authority: Authority) -> QuerySet[IndexValue]:
    return IndexValue.objects.filter(authority=authority).order_by("-year", "index")


def index_table(authority: Authority) -> list[IndexYear]:
    """The authority's values as years (newest first) × indices; an empty cell is None."""
    columns = index_columns()
    by_year: dict[int, dict[str, IndexValue]] = {}
    for value in index_values_of(authority):
        by_year.setdefault(value.year, {})[value.index] = value
    return [
        IndexYear(year, [(column, found.get(column.code)) for column in columns])
        for year, found in sorted(by_year.items(), reverse=True)
    ]


def index_value_get(*, authority: Authority, year: int, index: str) -> IndexValue | None:
    return IndexValue.objects.filter(authority=authority, year=year, index=index).first()


def index_changes(authority: Authority, *, limit: int | None = None) -> QuerySet[IndexValueChange]:
    """The changes of the authority's values, newest first."""
    changes = (
        IndexValueChange.objects.filter(value__authority=authority)
        .select_related("value", "by")
        .order_by("-at", "-pk")
    )
    return changes[:limit] if limit is not None else changes


def index_value_changes(value: IndexValue) -> QuerySet[IndexValueChange]:
    """One value's changes, oldest first."""
    return value.changes.select_related("by").order_by("at", "pk")


# ---------------------------------------------------------------- beside the results


@dataclass(frozen=True)
class BesideCell:
    year: int
    value: Decimal | None
    rank: int | None
    ranked_of: int | None


@dataclass(frozen=True)
class BesideRow:
    """One index over the years asked for, for `indices/_beside.html`."""

    code: str
    name: str
    short: str
    unit: str
    decimals: int
    cells: list[BesideCell]


def indices_beside(authority: Authority, years: Iterable[int]) -> list[BesideRow]:
    """The authority's external indices for `years` (in the order given), one row per index
    with a value in at least one of them, in the indices' fixed order. The caller has already
    decided that its reader may see the authority's results."""
    wanted = list(dict.fromkeys(int(year) for year in years))
    if not wanted:
        return []
    found = {
        (value.index, value.year): value
        for value in IndexValue.objects.filter(authority=authority, year__in=wanted)
    }
    rows: list[BesideRow] = []
    for column in index_columns():
        cells = []
        for year in wanted:
            value = found.get((column.code, year))
            cells.append(
                BesideCell(
                    year,
                    value.value if value else None,
                    value.rank if value else None,
                    value.ranked_of if value else None,
                )
            )
        if any(cell.value is not None for cell in cells):
            rows.append(
                BesideRow(
                    column.code, column.name, column.short, column.unit, column.decimals, cells
                )
            )
    return rows
