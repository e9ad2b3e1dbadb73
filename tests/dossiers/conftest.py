"""Fixtures of the dossiers tests: an authority with the four units of the example export,
its 2024 holidays, and the example rewritten with the Vietnamese headers of one-stop systems."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from parindex.accounts.models import Role, User
from parindex.dossiers.models import Holiday
from parindex.dossiers.reading import DEFAULT_MAPPING
from parindex.units.models import Authority, Unit
from tests.factories import AuthorityFactory, MembershipFactory, UnitFactory, UnitGroupFactory

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "dossiers"
UNITS = ("SO_TP", "SO_TC", "SO_CT", "XA_CHIENG_MUNG")
AS_OF = dt.datetime(2024, 7, 1)  # noqa: DTZ001 - the naive Vietnam time of the files
VIETNAMESE = {column: header for header, column in DEFAULT_MAPPING.items()}


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def vietnamese_csv(text: str | None = None) -> bytes:
    """The example export (or `text`) with the Vietnamese headers in place of FORMATS's."""
    source = text if text is not None else (EXAMPLES / "mot-cua-2024.csv").read_text("utf-8")
    header, _, body = source.partition("\n")
    return (",".join(VIETNAMESE[c] for c in header.split(",")) + "\n" + body).encode("utf-8")


def xlsx_of(data: bytes) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet()
    for r, row in enumerate(csv.reader(io.StringIO(data.decode("utf-8")))):
        sheet.write_row(r, 0, row)
    book.close()
    return buffer.getvalue()


@pytest.fixture
def authority(db: None) -> Authority:
    authority = AuthorityFactory(code="son-la", name="Sơn La")
    group = UnitGroupFactory(authority=authority, code="so_nganh")
    for code in UNITS:
        UnitFactory(authority=authority, code=code, group=group)
    for line in (EXAMPLES / "holidays-2024.csv").read_text("utf-8").splitlines()[1:]:
        date, name = line.split(",", 1)
        Holiday.objects.create(authority=authority, date=dt.date.fromisoformat(date), name=name)
    return authority


@pytest.fixture
def other_authority(db: None) -> Authority:
    other = AuthorityFactory(code="dien-bien", name="Điện Biên")
    UnitFactory(authority=other, code="SO_TP")
    return other


def member(authority: Authority, role: Role, unit: str | None = None) -> User:
    found = None if unit is None else Unit.objects.get(authority=authority, code=unit)
    return MembershipFactory(authority=authority, role=role, unit=found).user
