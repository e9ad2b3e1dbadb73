"""Writing external index values: enter or correct one value with a reason, import a file of
values. Every change is kept (who, when, what it was, what it became, why)."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from parindex.accounts.models import User
from parindex.assessments.errors import bilingual
from parindex.formats.indices import (
    FIRST_YEAR,
    LAST_YEAR,
    rank_problem,
    read_index_values,
    value_problem,
)
from parindex.formats.problems import InputError
from parindex.indices.errors import IndexValueError
from parindex.indices.models import IndexCode, IndexImport, IndexValue, IndexValueChange
from parindex.indices.selectors import can_edit_indices
from parindex.scoring.numbers import plain
from parindex.units.models import Authority

logger = logging.getLogger(__name__)

FIELDS = ("value", "rank", "ranked_of", "source", "note")


def _snapshot(value: IndexValue) -> dict[str, Any]:
    """The fields of a value as the history keeps them (numbers as plain text)."""
    return {
        "value": plain(Decimal(value.value)),
        "rank": value.rank,
        "ranked_of": value.ranked_of,
        "source": value.source,
        "note": value.note,
    }


def _checked(
    *, year: int, index: str, value: Decimal, rank: int | None, ranked_of: int | None
) -> None:
    if index not in IndexCode.values:
        raise IndexValueError(_("Choose one of the external indices."))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise IndexValueError(_("The year is out of range."))
    for problem in (value_problem(index, value), rank_problem(rank, ranked_of)):
        if problem is not None:
            raise IndexValueError(bilingual(problem))


@transaction.atomic
def index_value_save(
    *,
    authority: Authority,
    year: int,
    index: str,
    value: Decimal,
    rank: int | None = None,
    ranked_of: int | None = None,
    source: str = "",
    note: str = "",
    reason: str = "",
    by: User,
) -> IndexValue:
    """Enter the authority's value of `index` for `year`, or correct it (a correction needs a
    reason); the secretariat or the system administrator only."""
    if not can_edit_indices(by, authority.pk):
        raise IndexValueError(_("Only the secretariat enters the authority's external indices."))
    _checked(year=year, index=index, value=value, rank=rank, ranked_of=ranked_of)
    fields = {
        "value": value,
        "rank": rank,
        "ranked_of": ranked_of,
        "source": source.strip(),
        "note": note.strip(),
    }
    found = (
        IndexValue.objects.select_for_update()
        .filter(authority=authority, year=year, index=index)
        .first()
    )
    if found is None:
        created = IndexValue.objects.create(authority=authority, year=year, index=index, **fields)
        IndexValueChange.objects.create(
            value=created, new=_snapshot(created), reason=reason.strip(), by=by
        )
        return created
    changed = [name for name in FIELDS if getattr(found, name) != fields[name]]
    if not changed:
        raise IndexValueError(_("Nothing changed."))
    if not reason.strip():
        raise IndexValueError(_("Say why the value changes."))
    _update(found, {name: fields[name] for name in changed}, reason.strip(), by)
    return found


def _update(found: IndexValue, fields: dict[str, Any], reason: str, by: User | None) -> None:
    old = _snapshot(found)
    for name, new in fields.items():
        setattr(found, name, new)
    found.save(update_fields=[*fields, "updated_at"])
    IndexValueChange.objects.create(
        value=found, old=old, new=_snapshot(found), reason=reason, by=by
    )


# ---------------------------------------------------------------- import


@dataclass(frozen=True)
class IndicesImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    already_imported: bool = False


@transaction.atomic
def index_values_import(
    *, authority: Authority, path: str | Path, display_name: str, by: User | None
) -> IndicesImportReport:
    """Create or update the authority's values from a CSV or XLSX file
    (`year,index,value,rank,ranked_of,source,note`), by year and index.

    Every problem of the file is raised at once as an `InputError` with its line, and then
    nothing is written. The same file imported again changes nothing (known by its SHA-256);
    a row equal to the stored value changes nothing either. Optional columns the file does not
    have leave the stored fields alone; values the file does not list are left alone. `by`
    None is an operator's command (no role check).
    """
    Authority.objects.select_for_update().filter(pk=authority.pk).first()  # one at a time
    if by is not None and not can_edit_indices(by, authority.pk):
        raise IndexValueError(_("Only the secretariat imports the authority's external indices."))
    sha256 = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    if IndexImport.objects.filter(authority=authority, sha256=sha256).exists():
        return IndicesImportReport(already_imported=True)
    read = read_index_values(path, display=display_name)
    if read.problems:
        problems = [dataclasses.replace(p, file=display_name) for p in read.problems]
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    columns = set(read.columns) | {"value"}
    if columns & {"rank", "ranked_of"}:
        columns |= {"rank", "ranked_of"}  # a pair: one without the other would not fit
    present = [name for name in FIELDS if name in columns]
    existing = {
        (value.year, value.index): value
        for value in IndexValue.objects.select_for_update().filter(authority=authority)
    }
    created = updated = unchanged = 0
    for row in read.rows:
        fields = {name: getattr(row, name) for name in present}
        reason = f"{display_name}:{row.line}"
        found = existing.get((row.year, row.index))
        if found is None:
            new = IndexValue.objects.create(
                authority=authority, year=row.year, index=row.index, **fields
            )
            IndexValueChange.objects.create(value=new, new=_snapshot(new), reason=reason, by=by)
            created += 1
            continue
        changed = {name: new for name, new in fields.items() if getattr(found, name) != new}
        if not changed:
            unchanged += 1
            continue
        _update(found, changed, reason, by)
        updated += 1
    IndexImport.objects.create(
        authority=authority, sha256=sha256, name=display_name[:255], rows=len(read.rows), by=by
    )
    logger.info(
        "external indices of %s imported from %s by %s: %s created, %s updated, %s unchanged",
        authority.code,
        display_name,
        by,
        created,
        updated,
        unchanged,
    )
    return IndicesImportReport(created, updated, unchanged)
