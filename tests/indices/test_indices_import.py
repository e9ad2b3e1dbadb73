"""Importing external index values from CSV or XLSX: every problem by line and nothing
written, the same file twice changes nothing, corrections kept in the history."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import xlsxwriter

from parindex.formats.indices import index_code, read_index_values
from parindex.formats.problems import InputError
from parindex.indices.errors import IndexValueError
from parindex.indices.models import IndexImport, IndexValue, IndexValueChange
from parindex.indices.services import index_values_import
from tests.indices.conftest import Province

GOOD = """\
year,index,value,rank,ranked_of,source,note
2022,SIPAS,"84,5%",10,63,Quyết định 1234/QĐ-BNV,
2023,papi,44.43,12,63,Báo cáo PAPI 2023,cấp tỉnh
2023,PCI,"65,43",9,63,VCCI,
2023,ICT-Index,0.6123,,,Bộ TT&TT,
2023,dti,0.4987,20,63,,
"""

BAD = """\
year,index,value,rank,ranked_of,source,note
2024,papi,81,,,,
20x3,pci,60,,,,
2024,hdi,0.7,,,,
2024,pci,abc,,,,
2024,sipas,85,64,63,,
2024,ict_index,0.5,,,,
2024,ICT Index,0.6,,,,
2025,pdti,,,,,
2024,pdti,0.123456,,,,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_indices_index_names_are_read_whatever_their_spelling() -> None:
    assert [index_code(t) for t in ("SIPAS", "ICT-Index", "ict index", "ict", "DTI", "pdti")] == [
        "sipas",
        "ict_index",
        "ict_index",
        "ict_index",
        "pdti",
        "pdti",
    ]
    assert index_code("hdi") is None


def test_indices_the_reader_keeps_percent_values_in_percent(tmp_path: Path) -> None:
    read = read_index_values(write(tmp_path, "a.csv", GOOD))
    assert read.problems == ()
    assert [(row.line, row.index, row.value) for row in read.rows] == [
        (2, "sipas", Decimal("84.5")),
        (3, "papi", Decimal("44.43")),
        (4, "pci", Decimal("65.43")),
        (5, "ict_index", Decimal("0.6123")),
        (6, "pdti", Decimal("0.4987")),
    ]


@pytest.mark.django_db
def test_indices_a_good_file_creates_every_value_with_its_history(
    kh: Province, tmp_path: Path
) -> None:
    report = index_values_import(
        authority=kh.authority,
        path=write(tmp_path, "a.csv", GOOD),
        display_name="chi-so.csv",
        by=kh.secretariat,
    )
    assert (report.created, report.updated, report.unchanged) == (5, 0, 0)
    papi = IndexValue.objects.get(year=2023, index="papi")
    assert (papi.value, papi.rank, papi.ranked_of, papi.source, papi.note) == (
        Decimal("44.43"),
        12,
        63,
        "Báo cáo PAPI 2023",
        "cấp tỉnh",
    )
    assert papi.changes.get().reason == "chi-so.csv:3"
    assert IndexImport.objects.get().rows == 5


@pytest.mark.django_db
def test_indices_an_xlsx_file_is_read_like_a_csv(kh: Province, tmp_path: Path) -> None:
    path = tmp_path / "chi-so.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet()
    for row, cells in enumerate(
        [["year", "index", "value", "rank", "ranked_of"], [2023, "pci", 65.43, 9, 63]]
    ):
        sheet.write_row(row, 0, cells)
    workbook.close()
    index_values_import(
        authority=kh.authority, path=path, display_name="chi-so.xlsx", by=kh.secretariat
    )
    pci = IndexValue.objects.get()
    assert (pci.index, pci.value, pci.rank, pci.ranked_of) == ("pci", Decimal("65.43"), 9, 63)


@pytest.mark.django_db
def test_indices_a_bad_file_lists_every_problem_by_line_and_writes_nothing(
    kh: Province, tmp_path: Path
) -> None:
    index_values_import(
        authority=kh.authority,
        path=write(tmp_path, "a.csv", GOOD),
        display_name="a.csv",
        by=kh.secretariat,
    )
    before = list(IndexValue.objects.values_list("year", "index", "value").order_by("pk"))
    with pytest.raises(InputError) as raised:
        index_values_import(
            authority=kh.authority,
            path=write(tmp_path, "b.csv", GOOD + BAD.split("\n", 1)[1]),
            display_name="sai.csv",
            by=kh.secretariat,
        )
    lines = [problem.line for problem in raised.value.problems]
    # GOOD has lines 1-6; the bad rows are lines 7-15, the 6th of them (line 12) is good.
    assert lines == [7, 8, 9, 10, 11, 13, 14, 15]
    rendered = raised.value.render("en")
    assert rendered[0] == "sai.csv:7: the papi value 81 must be from 0 to 80"
    assert "sai.csv:9: unknown index 'hdi'" in rendered[2]
    assert "rank 64 is above the number ranked 63" in rendered[4]
    assert "already on line 12" in rendered[5]
    assert "the value is empty" in rendered[6]
    assert "more than 4 decimal places" in rendered[7]
    assert raised.value.render("vi")[0] == "sai.csv:7: giá trị 81 của papi phải từ 0 đến 80"
    after = list(IndexValue.objects.values_list("year", "index", "value").order_by("pk"))
    assert after == before
    assert IndexImport.objects.count() == 1
    assert IndexValueChange.objects.count() == 5


@pytest.mark.django_db
def test_indices_a_file_without_its_required_columns_is_refused(
    kh: Province, tmp_path: Path
) -> None:
    with pytest.raises(InputError) as raised:
        index_values_import(
            authority=kh.authority,
            path=write(tmp_path, "a.csv", "year,index\n2023,pci\n"),
            display_name="a.csv",
            by=kh.secretariat,
        )
    assert raised.value.problems[0].line == 1
    assert "value" in raised.value.render("en")[0]
    assert not IndexValue.objects.exists()


@pytest.mark.django_db
def test_indices_the_same_file_twice_changes_nothing(kh: Province, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", GOOD)
    index_values_import(authority=kh.authority, path=path, display_name="a.csv", by=kh.secretariat)
    again = index_values_import(
        authority=kh.authority, path=path, display_name="a.csv", by=kh.secretariat
    )
    assert again.already_imported
    # the same values in another file (rows reordered) change nothing either
    header, *rows = GOOD.strip().split("\n")
    other = write(tmp_path, "b.csv", "\n".join([header, *reversed(rows)]) + "\n")
    report = index_values_import(
        authority=kh.authority, path=other, display_name="b.csv", by=kh.secretariat
    )
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    assert IndexValue.objects.count() == 5
    assert IndexValueChange.objects.count() == 5


@pytest.mark.django_db
def test_indices_a_corrected_file_updates_only_what_changed_and_keeps_the_history(
    kh: Province, tmp_path: Path
) -> None:
    index_values_import(
        authority=kh.authority,
        path=write(tmp_path, "a.csv", GOOD),
        display_name="a.csv",
        by=kh.secretariat,
    )
    corrected = "year,index,value,rank,ranked_of\n2023,pci,66.1,8,63\n2023,papi,44.43,12,63\n"
    report = index_values_import(
        authority=kh.authority,
        path=write(tmp_path, "b.csv", corrected),
        display_name="b.csv",
        by=kh.secretariat,
    )
    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    pci = IndexValue.objects.get(index="pci")
    assert (pci.value, pci.rank, pci.source) == (Decimal("66.1"), 8, "VCCI")  # source kept
    last = pci.changes.order_by("-pk").first()
    assert last is not None
    assert (last.old["value"], last.new["value"], last.reason) == ("65.43", "66.1", "b.csv:2")


@pytest.mark.django_db
def test_indices_only_the_secretariat_imports(kh: Province, tmp_path: Path) -> None:
    with pytest.raises(IndexValueError):
        index_values_import(
            authority=kh.authority,
            path=write(tmp_path, "a.csv", GOOD),
            display_name="a.csv",
            by=kh.leader,
        )
    assert not IndexValue.objects.exists()
