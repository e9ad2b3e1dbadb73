"""units_import: a units file (CSV or XLSX) becomes an authority's units, all or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import xlsxwriter
from django.core.exceptions import ValidationError

from parindex.formats.problems import InputError
from parindex.units.models import Authority, Unit, UnitGroup
from parindex.units.services import (
    UnitsImportReport,
    authority_create,
    unit_group_create,
    units_import,
)
from tests.factories import AuthorityFactory, UnitFactory, UnitGroupFactory

pytestmark = pytest.mark.django_db

HEADER = "code,name,group,type,parent,valid_from,valid_to,predecessors\n"

UNITS = (
    HEADER + "SON_LA,UBND tỉnh Sơn La,tinh,tinh,,,,\n"
    "SO_NV,Sở Nội vụ,so_nganh,so,SON_LA,2025-03-01,,SO_NV_CU;SO_LDTBXH\n"
    "SO_NV_CU,Sở Nội vụ (cũ),so_nganh,so,SON_LA,,28/02/2025,\n"
    "SO_LDTBXH,Sở Lao động - Thương binh và Xã hội,so_nganh,so,SON_LA,,2025-02-28,SO_LDTBXH_CU\n"
    "SO_LDTBXH_CU,Sở LĐTBXH trước 2008,so_nganh,so,SON_LA,,2007-12-31,\n"
)


def write(folder: Path, text: str, name: str = "units.csv") -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def write_xlsx(folder: Path, text: str, name: str = "units.xlsx") -> Path:
    path = folder / name
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    for row, line in enumerate(text.splitlines()):
        for column, cell in enumerate(line.split(",")):
            if cell:
                sheet.write_string(row, column, cell)
    workbook.close()
    return path


def run(authority: Authority, path: Path, name: str = "units.csv") -> UnitsImportReport:
    return units_import(authority=authority, path=path, display_name=name, by=None)


def problems(authority: Authority, path: Path, name: str = "units.csv") -> list[str]:
    with pytest.raises(InputError) as caught:
        run(authority, path, name)
    return [problem.render("en") for problem in caught.value.problems]


def snapshot(authority: Authority) -> list[tuple[object, ...]]:
    """Everything the import writes, to compare before and after."""
    return [
        (
            unit.code,
            unit.name,
            unit.type,
            unit.group.code if unit.group else None,
            unit.parent.code if unit.parent else None,
            unit.valid_from,
            unit.valid_to,
            tuple(sorted(p.code for p in unit.predecessors.all())),
            unit.updated_at,
        )
        for unit in Unit.objects.filter(authority=authority)
        .select_related("group", "parent")
        .prefetch_related("predecessors")
        .order_by("code")
    ]


# ---------------------------------------------------------------- what is written


def test_a_units_file_creates_the_units_with_groups_parents_dates_and_predecessors(
    tmp_path: Path,
) -> None:
    authority = AuthorityFactory()

    report = run(authority, write(tmp_path, UNITS))

    assert report == UnitsImportReport(created=5, updated=0, unchanged=0, groups_created=2)
    so_nv = Unit.objects.get(authority=authority, code="SO_NV")
    assert so_nv.name == "Sở Nội vụ"
    assert so_nv.type == "so"
    assert so_nv.group is not None and so_nv.group.code == "so_nganh"
    assert so_nv.parent is not None and so_nv.parent.code == "SON_LA"
    assert (so_nv.valid_from, so_nv.valid_to) == (dt.date(2025, 3, 1), None)
    assert sorted(p.code for p in so_nv.predecessors.all()) == ["SO_LDTBXH", "SO_NV_CU"]
    assert Unit.objects.get(code="SO_NV_CU").valid_to == dt.date(2025, 2, 28)
    assert sorted(UnitGroup.objects.filter(authority=authority).values_list("code", flat=True)) == [
        "so_nganh",
        "tinh",
    ]


def test_a_parent_may_come_later_in_the_file(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    path = write(
        tmp_path,
        "code,name,parent\nXA_A,Xã A,HUYEN_B\nHUYEN_B,UBND huyện B,SON_LA\nSON_LA,UBND tỉnh,\n",
    )

    assert run(authority, path).created == 3

    xa = Unit.objects.select_related("parent__parent").get(code="XA_A")
    assert xa.parent is not None and xa.parent.code == "HUYEN_B"
    assert xa.parent.parent is not None and xa.parent.parent.code == "SON_LA"


def test_an_xlsx_file_imports_like_its_csv(tmp_path: Path) -> None:
    from_csv, from_xlsx = AuthorityFactory(), AuthorityFactory()

    run(from_csv, write(tmp_path, UNITS))
    report = run(from_xlsx, write_xlsx(tmp_path, UNITS), "units.xlsx")

    assert report.created == 5

    def without_times(authority: Authority) -> list[tuple[object, ...]]:
        return [row[:-1] for row in snapshot(authority)]

    assert without_times(from_xlsx) == without_times(from_csv)


def test_importing_the_same_file_twice_changes_nothing(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    path = write(tmp_path, UNITS)
    run(authority, path)
    before = snapshot(authority)

    report = run(authority, path)

    assert report == UnitsImportReport(created=0, updated=0, unchanged=5, groups_created=0)
    assert snapshot(authority) == before
    assert UnitGroup.objects.filter(authority=authority).count() == 2


def test_a_changed_row_updates_its_unit_only(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    run(authority, write(tmp_path, UNITS))
    before = {row[0]: row for row in snapshot(authority)}
    changed = UNITS.replace(
        "Sở Nội vụ (cũ),so_nganh,so,SON_LA", "Sở Nội vụ cũ,so_nganh,so,"
    ).replace("SO_NV_CU;SO_LDTBXH", "SO_LDTBXH")

    report = run(authority, write(tmp_path, changed))

    assert (report.created, report.updated, report.unchanged) == (0, 2, 3)
    after = {row[0]: row for row in snapshot(authority)}
    assert after["SO_NV_CU"][1:5] == ("Sở Nội vụ cũ", "so", "so_nganh", None)  # parent cleared
    assert after["SO_NV"][7] == ("SO_LDTBXH",)
    assert after["SO_NV"][8] > before["SO_NV"][8]
    assert after["SON_LA"] == before["SON_LA"]


def test_predecessors_and_parents_may_be_units_stored_before(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    run(
        authority, write(tmp_path, "code,name,valid_to\nX_A,Xã A,2025-06-30\nX_B,Xã B,2025-06-30\n")
    )

    report = run(
        authority,
        write(tmp_path, "code,name,parent,predecessors\nXA_AB,Xã AB,X_A,X_A;X_B\n", "2025.csv"),
        "2025.csv",
    )

    assert report.created == 1
    merged = Unit.objects.get(code="XA_AB")
    assert sorted(p.code for p in merged.predecessors.all()) == ["X_A", "X_B"]
    assert Unit.objects.filter(authority=authority).count() == 3  # X_A and X_B left alone


def test_a_group_is_matched_without_regard_to_case(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    group = UnitGroupFactory(authority=authority, code="so_nganh", name="Khối sở, ban, ngành")

    report = run(authority, write(tmp_path, "code,name,group\nSO_TP,Sở Tư pháp,SO_NGANH\n"))

    assert report.groups_created == 0
    assert Unit.objects.get(code="SO_TP").group == group


def test_units_of_another_authority_are_neither_touched_nor_used(tmp_path: Path) -> None:
    province, district = AuthorityFactory(), AuthorityFactory()
    theirs = UnitFactory(authority=district, code="SO_TP", name="Phòng Tư pháp")

    problems_found = problems(
        province, write(tmp_path, "code,name,parent\nSO_TC,Sở Tài chính,SO_TP\n")
    )
    run(province, write(tmp_path, "code,name\nSO_TP,Sở Tư pháp\n"))

    assert problems_found == [
        "units.csv:2: unknown parent unit code SO_TP (neither in the file nor stored)"
    ]
    theirs.refresh_from_db()
    assert theirs.name == "Phòng Tư pháp"
    assert Unit.objects.filter(code="SO_TP").count() == 2


# ---------------------------------------------------------------- problems


def test_the_problems_of_reading_carry_the_display_name_and_line(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    path = write(
        tmp_path,
        HEADER + "SO_TP,Sở Tư pháp,,,,,,\n"
        ",Không mã,,,,,,\n"
        "SO_TC,Sở Tài chính,,,,31/13/2024,,\n"
        "SO_TP,Sở Tư pháp lặp,,,,,,\n"
        "SO_XD,Sở Xây dựng,,,,2025-07-01,2025-06-30,\n",
        "upload-1234.csv",
    )

    found = problems(authority, path, "don-vi.csv")

    assert found == [
        "don-vi.csv:3: the unit code is empty",
        "don-vi.csv:4: valid_from: cannot read the date '31/13/2024' "
        "(write 31/03/2024 or 2024-03-31)",
        "don-vi.csv:5: duplicate unit code SO_TP (already on line 2)",
        "don-vi.csv:6: valid_to (2025-06-30) is before valid_from (2025-07-01)",
    ]
    assert not Unit.objects.exists()


def test_every_problem_against_the_stored_units_is_listed_with_its_line(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    path = write(
        tmp_path,
        HEADER + "SON_LA,UBND tỉnh,tinh,tinh,,,,\n"
        "SO_TP,Sở Tư pháp,so_nganh,so,SO_KHONG_CO,,,\n"
        "SO_TC,Sở Tài chính,so_nganh,so,SON_LA,,,SO_KHDT;SO_TC\n"
        "SO_XD,,so_nganh,so,SO_XD,,,\n"
        f"SO_YT,{'Y' * 256},Khối sở,so,SON_LA,,,\n",
    )

    found = problems(authority, path)

    assert found == [
        "units.csv:3: unknown parent unit code SO_KHONG_CO (neither in the file nor stored)",
        "units.csv:4: unknown predecessor unit code SO_KHDT (neither in the file nor stored)",
        "units.csv:4: a unit cannot be its own predecessor",
        "units.csv:5: the unit name is empty",
        "units.csv:5: a unit cannot be its own parent",
        "units.csv:6: name: 256 characters long, at most 255",
        "units.csv:6: the group code 'Khối sở' may hold only letters without accents, digits, "
        "'-' and '_' (e.g. so_nganh)",
    ]
    assert not Unit.objects.exists()
    assert not UnitGroup.objects.exists()


def test_the_messages_are_in_vietnamese_too(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    path = write(tmp_path, "code,name,predecessors\nXA_A,Xã A,X_CU\n")

    with pytest.raises(InputError) as caught:
        run(authority, path)

    assert caught.value.render("vi") == [
        "units.csv:2: không có đơn vị tiền thân mã X_CU (trong tệp hay trong các đơn vị đã có)"
    ]


def test_a_loop_of_parents_is_refused(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    run(authority, write(tmp_path, "code,name,parent\nA,A,\nB,B,A\n", "first.csv"), "first.csv")
    before = snapshot(authority)

    found = problems(authority, write(tmp_path, "code,name,parent\nA,A,C\nC,C,B\n"))

    assert found == [
        "units.csv:2: the chain of parents loops: A → C → B → A",
        "units.csv:3: the chain of parents loops: C → B → A → C",
    ]
    assert snapshot(authority) == before


def test_a_loop_of_predecessors_is_refused(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    path = write(tmp_path, "code,name,predecessors\nA,A,B\nB,B,C\nC,C,A\nD,D,A\n")

    found = problems(authority, path)

    assert found == [
        "units.csv:2: the chain of predecessors loops: A → B → C → A",
        "units.csv:3: the chain of predecessors loops: B → C → A → B",
        "units.csv:4: the chain of predecessors loops: C → A → B → C",
    ]
    assert not Unit.objects.exists()


def test_a_file_without_the_code_column_is_refused_on_its_header_line(tmp_path: Path) -> None:
    authority = AuthorityFactory()

    found = problems(authority, write(tmp_path, "ma,name\nSO_TP,Sở Tư pháp\n"))

    assert found == ["units.csv:1: missing required column(s): code"]


def test_an_empty_or_unreadable_file_is_refused(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    empty = write(tmp_path, "", "empty.csv")
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("code,name\nSO_TP,Sở Tư pháp\n".encode("cp1258", errors="replace"))
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a workbook")

    assert problems(authority, empty, "a.csv") == [
        "a.csv: the file is empty: there is no header row"
    ]
    assert problems(authority, broken, "c.xlsx")[0].startswith("c.xlsx: not a readable XLSX")
    # cp1258 writes "Sở" with bytes that are not UTF-8
    assert problems(authority, latin1, "b.csv")[0].startswith("b.csv:2: the file is not UTF-8")


def test_a_failed_import_leaves_earlier_units_exactly_as_they_were(tmp_path: Path) -> None:
    authority = AuthorityFactory()
    run(authority, write(tmp_path, UNITS))
    before = snapshot(authority)
    bad = UNITS.replace("Sở Nội vụ,", "Sở Nội vụ mới,") + "SO_MOI,Sở mới,nhom_moi,so,KHONG_CO,,,\n"

    problems(authority, write(tmp_path, bad))

    assert snapshot(authority) == before
    assert not UnitGroup.objects.filter(code="nhom_moi").exists()


# ---------------------------------------------------------------- authorities and groups


def test_an_authority_is_created_once_per_code() -> None:
    province = authority_create(code="son_la", name="UBND tỉnh Sơn La", by=None)
    district = authority_create(code="mai_son", name="UBND huyện Mai Sơn", parent=province, by=None)

    assert district.parent == province
    with pytest.raises(ValidationError) as caught:
        authority_create(code="son_la", name="Trùng", by=None)
    assert "code" in caught.value.message_dict


def test_a_unit_group_is_created_once_per_code_in_its_authority() -> None:
    authority, other = AuthorityFactory(), AuthorityFactory()

    group = unit_group_create(authority=authority, code="xa", by=None)
    unit_group_create(authority=other, code="xa", name="Khối xã", by=None)

    assert group.name == "xa"
    with pytest.raises(ValidationError):
        unit_group_create(authority=authority, code="xa", by=None)
    with pytest.raises(ValidationError):
        unit_group_create(authority=authority, code="Khối xã", by=None)
