"""Importing one-stop exports: Vietnamese headers through the mapping, counts and rates,
idempotence, bad files, unknown units, holidays and the apology rule."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone

from parindex.accounts.models import Role
from parindex.dossiers import selectors
from parindex.dossiers.models import DossierImport, DossierStat, Holiday, LateDossier, StatKind
from parindex.dossiers.services import dossiers_import, holiday_delete
from parindex.formats.problems import InputError
from parindex.units.models import Authority
from tests.dossiers.conftest import AS_OF, EXAMPLES, member, vietnamese_csv, xlsx_of

pytestmark = pytest.mark.django_db


def run(authority: Authority, data: bytes, name: str = "mot-cua-2024.csv", **kwargs):  # type: ignore[no-untyped-def]
    return dossiers_import(
        authority=authority,
        year=2024,
        file=io.BytesIO(data),
        file_name=name,
        by=None,
        as_of=AS_OF,
        **kwargs,
    )


def stat(record: DossierImport, kind: str, key: str) -> DossierStat:
    return DossierStat.objects.get(dossier_import=record, kind=kind, key=key)


def test_a_vietnamese_export_is_read_through_the_default_mapping(authority: Authority):
    outcome = run(authority, vietnamese_csv())
    record = outcome.dossier_import
    assert outcome.created
    # SO_TP, checked by hand: 11 received; finished 0001-0007 but 0008 (withdrawn) and 0009;
    # early 0001, 0003, 0007; on time 0002, 0005, 0009; late 0004, 0006; 0010 pending past
    # its due day on 1 July; online 0001, 0003, 0005, 0006, 0007, 0009, 0010 of 10.
    row = stat(record, StatKind.UNIT, "SO_TP")
    assert (row.received, row.finished, row.pending, row.withdrawn) == (11, 8, 2, 1)
    assert (row.early, row.on_time, row.late, row.overdue, row.online) == (3, 3, 2, 1, 7)
    assert row.late_rate == Decimal("0.2500")
    assert row.ontime_rate == Decimal("0.7500")
    assert row.online_rate == Decimal("0.7000")
    assert row.late_noncompliant == 2
    assert (record.received, record.finished, record.late, record.late_noncompliant) == (
        38,
        30,
        8,
        7,
    )
    assert DossierStat.objects.filter(dossier_import=record, kind=StatKind.UNIT).count() == 4
    assert DossierStat.objects.filter(dossier_import=record, kind=StatKind.OFFICIAL).count() == 9
    month = stat(record, StatKind.UNIT_MONTH, "SO_TP 2024-02")
    assert (month.received, month.late) == (3, 2)  # 0004, 0005, 0006; late 0004, 0006
    official = stat(record, StatKind.OFFICIAL, "tc.phamthulan")
    assert (official.unit_code, official.late_rate) == ("SO_TC", Decimal("0.5000"))
    assert stat(record, StatKind.PROCEDURE, "1.001233").received == 5
    assert record.mapping["Mã hồ sơ"] == "dossier_id"
    assert Path(record.stored_path).is_file()


def test_an_xlsx_export_gives_the_same_figures(authority: Authority):
    record = run(authority, xlsx_of(vietnamese_csv()), name="mot-cua-2024.xlsx").dossier_import
    row = stat(record, StatKind.UNIT, "XA_CHIENG_MUNG")
    assert (row.received, row.finished, row.late, row.late_noncompliant) == (10, 8, 3, 3)
    assert row.online_rate == Decimal("0.2222")


def test_the_same_file_twice_is_one_import_and_changes_nothing(authority: Authority):
    first = run(authority, vietnamese_csv())
    rows = DossierStat.objects.count()
    again = run(authority, vietnamese_csv(), name="lai-lan-nua.csv")
    assert not again.created
    assert again.dossier_import.pk == first.dossier_import.pk
    assert DossierImport.objects.count() == 1
    assert DossierStat.objects.count() == rows


def test_a_file_in_formats_columns_reads_as_is(authority: Authority):
    data = (EXAMPLES / "mot-cua-2024.csv").read_bytes()
    record = run(authority, data).dossier_import
    assert stat(record, StatKind.UNIT, "SO_CT").ontime_rate == Decimal("1.0000")


def test_a_bad_file_lists_every_problem_by_line_and_writes_nothing(authority: Authority):
    lines = (EXAMPLES / "mot-cua-2024.csv").read_text("utf-8").splitlines()
    lines[2] = lines[2].replace("2024-01-03T09:40", "ngày 3 tháng 1")  # line 3
    lines[5] = lines[5].replace("2024-02-16T16:45", "")  # line 6: finished without time
    lines.append(lines[1])  # line 40 repeats the id of line 2
    with pytest.raises(InputError) as caught:
        run(authority, vietnamese_csv("\n".join(lines) + "\n"))
    problems = {problem.line: problem.message.en for problem in caught.value.problems}
    assert sorted(problems) == [3, 6, 40]
    assert "received_at" in problems[3]
    assert "finished_at" in problems[6]
    assert "line 2" in problems[40]
    assert DossierImport.objects.count() == 0
    assert DossierStat.objects.count() == 0
    assert not any(p.is_file() for p in Path(selectors_dir(authority)).glob("*"))


def selectors_dir(authority: Authority) -> Path:
    from parindex.dossiers.services import storage_dir

    return storage_dir(authority)


def test_units_that_are_not_the_authoritys_are_refused_by_line(authority: Authority):
    text = (EXAMPLES / "mot-cua-2024.csv").read_text("utf-8").replace("SO_CT,", "SO_KHAC,")
    with pytest.raises(InputError) as caught:
        run(authority, vietnamese_csv(text))
    lines = [problem.line for problem in caught.value.problems]
    assert lines == list(range(22, 30))
    assert "SO_KHAC" in caught.value.problems[0].message.vi
    assert DossierImport.objects.count() == 0


def test_holidays_change_an_apology_verdict(authority: Authority):
    # 0004: received 1/2, due 19/2, new due 22/2. Without Tết the processing time is 12
    # working days and 3 extra days are within a third; with Tết off it is 7: not within.
    with_tet = run(authority, vietnamese_csv()).dossier_import
    assert LateDossier.objects.filter(
        dossier_import=with_tet, dossier_id="000.00.11.H55-240201-0004"
    ).exists()
    for holiday in Holiday.objects.filter(authority=authority):
        holiday_delete(holiday=holiday, by=member(authority, Role.SECRETARIAT))
    data = vietnamese_csv() + b"\n"  # another file (hash), the same dossiers
    without = run(authority, data).dossier_import
    assert stat(without, StatKind.UNIT, "SO_TP").late_noncompliant == 1
    late = LateDossier.objects.filter(dossier_import=without, unit_code="SO_TP")
    assert [d.dossier_id for d in late] == ["000.00.11.H55-240226-0006"]


def test_late_dossiers_breaking_the_rule_are_listed_with_their_dates(authority: Authority):
    record = run(authority, vietnamese_csv()).dossier_import
    assert LateDossier.objects.filter(dossier_import=record).count() == 7
    row = LateDossier.objects.get(dossier_import=record, dossier_id="000.00.11.H55-240226-0006")
    assert (row.unit_code, row.official, row.procedure) == ("SO_TP", "tp.quangthihoa", "1.008891")
    assert timezone.localtime(row.due_at).hour == 17  # Vietnam time, as in the file


def test_officials_over_ten_percent_late_are_listed(authority: Authority):
    run(authority, vietnamese_csv())
    _, rows = selectors.officials_over_limit(authority, 2024, None)
    assert [r.key for r in rows][:2] == ["cm.cainga", "tc.phamthulan"]
    assert "ct.vuthithu" not in {r.key for r in rows}
    _, own = selectors.officials_over_limit(authority, 2024, {"SO_TC"})
    assert sorted(r.key for r in own) == ["tc.dinhvanlong", "tc.phamthulan"]


def test_an_import_interrupted_midway_leaves_nothing_behind(
    authority: Authority, monkeypatch: pytest.MonkeyPatch
):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(LateDossier.objects, "bulk_create", broken)
    with pytest.raises(RuntimeError):
        run(authority, vietnamese_csv())
    assert DossierImport.objects.count() == 0
    assert DossierStat.objects.count() == 0
    assert not any(selectors_dir(authority).glob("*"))
    monkeypatch.undo()
    assert run(authority, vietnamese_csv()).created  # the same file imports afterwards
