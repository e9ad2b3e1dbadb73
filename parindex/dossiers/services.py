"""Writes of the dossiers app: importing a one-stop export, editing the holiday calendar and
the saved column mappings.

An import is one transaction: the file is read whole by `parindex.formats.dossiers` (four
times, once per `--by` key, streaming) before anything is written; a bad file raises
`InputError` with every problem by line and leaves nothing behind, the stored upload
included. The same file imported twice (same SHA-256) changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from parindex.accounts.models import User
from parindex.dossiers.models import (
    ColumnMapping,
    DossierImport,
    DossierStat,
    Holiday,
    ImportStatus,
    LateDossier,
    StatKind,
)
from parindex.dossiers.reading import (
    DEFAULT_MAPPING,
    DEFAULT_VALUES,
    Details,
    details,
    header_cells,
    learned_columns,
    write_normalised,
)
from parindex.formats.dossiers import (
    BY,
    COUNTS,
    RATES,
    DossierInputError,
    DossierStats,
    dossier_stats,
)
from parindex.formats.problems import MAX_LISTED, InputError, Problem
from parindex.scoring.messages import msg
from parindex.units.models import Authority, Unit

_CHUNK = 1 << 20
_BATCH = 2000
_STORED = (*COUNTS, *RATES, "late_noncompliant")


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    dossier_import: DossierImport
    created: bool  # False: the same file was imported before, nothing changed


def storage_dir(authority: Authority) -> Path:
    """Where an authority's uploads are kept: under MEDIA_ROOT, which no URL serves."""
    return Path(settings.MEDIA_ROOT) / "dossiers" / authority.code


def _store(file: IO[bytes], folder: Path) -> tuple[Path, str]:
    """The upload written to a temporary file of `folder`, and its SHA-256."""
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile("wb", dir=folder, prefix="upload-", delete=False) as out:
        chunks = file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(_CHUNK), b"")
        for chunk in chunks:
            digest.update(chunk)
            out.write(chunk)
    return Path(out.name), digest.hexdigest()


def vietnam_now() -> dt.datetime:
    """Now, as the naive Vietnam time the export files use."""
    return timezone.localtime(timezone.now(), dt.timezone(dt.timedelta(hours=7))).replace(
        tzinfo=None
    )


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment.replace(tzinfo=dt.timezone(dt.timedelta(hours=7)))


def dossiers_import(
    *,
    authority: Authority,
    year: int,
    file: IO[bytes],
    file_name: str,
    mapping: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    by: User | None,
    as_of: dt.datetime | None = None,
) -> ImportOutcome:
    """Import a one-stop export (CSV or XLSX) of `authority` for `year`, here and now.

    `mapping` renames the system's headers to the FORMATS columns (default: the Vietnamese
    headers of `DEFAULT_MAPPING`); `values` rewrites the system's `status` and `online`
    values to FORMATS's (default: the Vietnamese values of `DEFAULT_VALUES`; `{}` for none).
    `as_of` (naive, Vietnam time) decides which pending dossiers are overdue; default now.
    Raises InputError listing every problem by line.
    """
    upload = dossiers_upload_store(authority=authority, file=file, file_name=file_name)
    if upload.earlier is not None:
        return ImportOutcome(upload.earlier, created=False)
    return dossiers_import_stored(
        authority=authority,
        year=year,
        upload=upload,
        mapping=mapping,
        values=values,
        by=by,
        as_of=as_of,
    )


@dataclass(frozen=True, slots=True)
class StoredUpload:
    """An uploaded export kept under MEDIA_ROOT by its SHA-256, waiting to be imported."""

    path: Path
    name: str  # as the user uploaded it
    sha256: str
    earlier: DossierImport | None  # the import of the same file, if there is one

    def to_json(self) -> dict[str, str]:
        return {"path": str(self.path), "name": self.name, "sha256": self.sha256}

    @classmethod
    def from_json(cls, data: Mapping[str, str]) -> StoredUpload:
        return cls(Path(data["path"]), data["name"], data["sha256"], None)


def dossiers_upload_store(*, authority: Authority, file: IO[bytes], file_name: str) -> StoredUpload:
    """Keep the upload under its hash; a file imported before is found here and not kept."""
    name = Path(file_name).name or "dossiers.csv"
    folder = storage_dir(authority)
    upload, sha256 = _store(file, folder)
    existing = DossierImport.objects.filter(authority=authority, sha256=sha256).first()
    if existing is not None:
        upload.unlink(missing_ok=True)
        return StoredUpload(upload, name, sha256, existing)
    suffix = Path(name).suffix.lower()[:8] if Path(name).suffix else ".csv"
    stored = folder / f"{sha256}{suffix}"
    upload.replace(stored)
    return StoredUpload(stored, name, sha256, None)


def dossiers_import_stored(
    *,
    authority: Authority,
    year: int,
    upload: StoredUpload,
    mapping: Mapping[str, str] | None = None,
    values: Mapping[str, Mapping[str, str]] | None = None,
    by: User | None,
    as_of: dt.datetime | None = None,
    progress: Progress | None = None,
) -> ImportOutcome:
    """Import an upload kept by `dossiers_upload_store` (see `dossiers_import`). The writes are
    one transaction: a process killed on the way leaves nothing of it. Safe to run twice."""
    mapping = dict(DEFAULT_MAPPING if mapping is None else mapping)
    value_map = {
        column: dict(cells)
        for column, cells in (DEFAULT_VALUES if values is None else values).items()
        if cells
    }
    existing = DossierImport.objects.filter(authority=authority, sha256=upload.sha256).first()
    if existing is not None:
        return ImportOutcome(existing, created=False)
    stored, name, sha256 = upload.path, upload.name, upload.sha256
    try:
        result = _import(
            authority,
            year,
            stored,
            name,
            sha256,
            mapping,
            value_map,
            by,
            as_of,
            progress or _silent,
        )
    except IntegrityError:  # the same file, imported meanwhile by another request
        existing = DossierImport.objects.filter(authority=authority, sha256=sha256).first()
        if existing is None:
            raise
        return ImportOutcome(existing, created=False)
    except BaseException:
        if not DossierImport.objects.filter(authority=authority, sha256=sha256).exists():
            stored.unlink(missing_ok=True)
        raise
    return ImportOutcome(result, created=True)


class Progress(Protocol):
    def __call__(self, done: int, total: int, stage: str) -> None: ...


def _silent(done: int, total: int, stage: str) -> None:
    """No one follows this import's progress."""


# An import's steps, for its progress: normalising the file, one pass per `--by` key, the
# late dossiers, then the writes.
READ_STEPS = 2 + len(BY)
STAGE_READING, STAGE_WRITING = "reading", "writing"


def _import(
    authority: Authority,
    year: int,
    stored: Path,
    name: str,
    sha256: str,
    mapping: dict[str, str],
    value_map: dict[str, dict[str, str]],
    by: User | None,
    as_of: dt.datetime | None,
    progress: Progress,
) -> DossierImport:
    moment = as_of or vietnam_now()
    holidays = set(Holiday.objects.filter(authority=authority).values_list("date", flat=True))
    with tempfile.TemporaryDirectory(prefix="parindex-dossiers-") as work:
        path = Path(work) / "dossiers.csv"
        progress(0, READ_STEPS + 1, STAGE_READING)
        write_normalised(stored, path, mapping)
        tables: dict[str, DossierStats] = {}
        for step, key in enumerate(BY, start=1):
            progress(step, READ_STEPS + 1, STAGE_READING)
            try:
                tables[key] = dossier_stats(
                    path, by=key, as_of=moment, holidays=holidays, value_map=value_map
                )
            except DossierInputError as error:
                raise DossierInputError(
                    [_named(problem, name) for problem in error.problems], error.more
                ) from None
            except InputError as error:
                raise InputError([_named(problem, name) for problem in error.problems]) from None
        known = set(Unit.objects.filter(authority=authority).values_list("code", flat=True))
        progress(READ_STEPS - 1, READ_STEPS + 1, STAGE_READING)
        found = details(
            path, as_of=moment, holidays=holidays, known_units=known, value_map=value_map
        )
    if found.unknown_lines:
        problems = [
            Problem(
                name,
                msg(
                    "đơn vị '{u}' không phải đơn vị của {a}",
                    "unit '{u}' is not a unit of {a}",
                    u=unit,
                    a=authority.name,
                ),
                line,
            )
            for line, unit in found.unknown_lines
        ]
        raise DossierInputError(problems, found.unknown_more)
    progress(READ_STEPS, READ_STEPS + 1, STAGE_WRITING)
    return _write(
        authority,
        year,
        name,
        sha256,
        stored,
        mapping,
        value_map,
        by,
        moment,
        holidays,
        tables,
        found,
    )


def _named(problem: Problem, name: str) -> Problem:
    """The problem as the user knows the file: by the name it was uploaded with."""
    return Problem(name, problem.message, problem.line)


@transaction.atomic
def _write(
    authority: Authority,
    year: int,
    name: str,
    sha256: str,
    stored: Path,
    mapping: dict[str, str],
    value_map: dict[str, dict[str, str]],
    by: User | None,
    moment: dt.datetime,
    holidays: set[dt.date],
    tables: dict[str, DossierStats],
    found: Details,
) -> DossierImport:
    units = tables["unit"]
    totals = dict.fromkeys(("received", "finished", "pending", "withdrawn", "late"), 0)
    totals |= {"overdue": 0, "late_noncompliant": 0}
    for row in units.rows:
        cells = dict(zip(units.columns, row, strict=True))
        for column in totals:
            value = cells[column]
            assert isinstance(value, int)
            totals[column] += value
    record = DossierImport.objects.create(
        authority=authority,
        year=year,
        file_name=name,
        sha256=sha256,
        stored_path=str(stored),
        uploaded_by=by,
        status=ImportStatus.DONE,
        as_of=_aware(moment),
        mapping=mapping,
        values=value_map,
        holidays=len(holidays),
        **totals,
    )
    rows: list[DossierStat] = []
    for key, table in tables.items():
        for row in table.rows:
            cells = dict(zip(table.columns, row, strict=True))
            if key == "unit":
                unit_code, text = str(cells["unit"]), str(cells["unit"])
            elif key == "unit-month":
                unit_code, text = str(cells["unit"]), f"{cells['unit']} {cells['month']}"
            elif key == "official":
                text = str(cells["official"])
                unit_code = found.official_units.get(text, "")
            else:
                unit_code, text = "", str(cells["procedure"])
            rows.append(
                DossierStat(
                    dossier_import=record,
                    kind=StatKind(key),
                    unit_code=unit_code,
                    key=text,
                    **{c: cells[c] for c in _STORED},
                )
            )
    DossierStat.objects.bulk_create(rows, batch_size=_BATCH)
    LateDossier.objects.bulk_create(
        (
            LateDossier(
                dossier_import=record,
                dossier_id=late.dossier_id,
                unit_code=late.unit,
                official=late.official,
                procedure=late.procedure,
                due_at=_aware(late.due_at),
                finished_at=_aware(late.finished_at),
            )
            for late in found.late
        ),
        batch_size=_BATCH,
    )
    return record


# ---------------------------------------------------------------- column mappings


@transaction.atomic
def mapping_save(
    *,
    authority: Authority,
    name: str,
    columns: Mapping[str, str],
    values: Mapping[str, Mapping[str, str]],
    by: User,
    mapping: ColumnMapping | None = None,
) -> ColumnMapping:
    """Create (or, given `mapping`, change) a saved column mapping of `authority`: `columns`
    {header as the system writes it: FORMATS column}, `values` {"status"|"online": {value as
    written: FORMATS value}} (checked by the editor's form)."""
    record = mapping or ColumnMapping(authority=authority)
    record.name = name.strip()
    record.columns = dict(columns)
    record.values = {column: dict(cells) for column, cells in values.items() if cells}
    record.save()
    return record


@transaction.atomic
def mapping_delete(*, mapping: ColumnMapping, by: User) -> None:
    mapping.delete()


def mapping_learn(*, file: IO[bytes], file_name: str) -> tuple[list[str], dict[str, str]]:
    """The header cells of a sample export, and {FORMATS column: header} for those that are
    headers of `DEFAULT_MAPPING` or FORMATS names. Only the header is read; the file is not
    kept."""
    suffix = Path(file_name).suffix.lower()[:8] or ".csv"
    with tempfile.TemporaryDirectory(prefix="parindex-sample-") as work:
        path = Path(work) / f"sample{suffix}"
        with path.open("wb") as out:
            chunks = (
                file.chunks() if hasattr(file, "chunks") else iter(lambda: file.read(_CHUNK), b"")
            )
            for chunk in chunks:
                out.write(chunk)
        cells = [cell.strip() for cell in header_cells(path) if cell.strip()]
        return cells, learned_columns(cells)


# ---------------------------------------------------------------- holidays


class HolidayError(ValueError):
    """A holiday that cannot be added (the date is there already)."""


@transaction.atomic
def holiday_add(*, authority: Authority, date: dt.date, name: str, by: User) -> Holiday:
    if Holiday.objects.filter(authority=authority, date=date).exists():
        raise HolidayError(date)
    return Holiday.objects.create(authority=authority, date=date, name=name.strip())


@transaction.atomic
def holiday_delete(*, holiday: Holiday, by: User) -> None:
    holiday.delete()


def problems_text(error: InputError, lang: str) -> list[tuple[int | None, str]]:
    """Every problem of a refused file as (line, text), then how many more there are."""
    rows = [(problem.line, problem.message.render(lang)) for problem in error.problems]
    more = getattr(error, "more", 0)
    if more:
        rows.append(
            (None, msg("... và {n} lỗi khác", "... and {n} more problems", n=more).render(lang))
        )
    return rows[: MAX_LISTED + 1]


def problems_json(error: InputError) -> list[list[int | str | None]]:
    """`problems_text` in both languages, [line, Vietnamese, English], to keep with a job."""
    return [
        [line, vi, en]
        for (line, vi), (_, en) in zip(
            problems_text(error, "vi"), problems_text(error, "en"), strict=True
        )
    ]
