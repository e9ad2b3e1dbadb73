"""Importing a plan's tasks: deadlines read, units resolved, nothing half-imported, and the
same file twice changes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from parindex.formats.problems import InputError
from parindex.plans.errors import PlanError
from parindex.plans.models import PlanImport, Task, TaskEvent
from parindex.plans.services import tasks_import
from tests.plans.plans_factories import EXAMPLE, Province

pytestmark = pytest.mark.django_db


def test_the_example_plan_is_imported_with_its_deadlines_read(kh: Province) -> None:
    report = tasks_import(
        plan=kh.plan, path=EXAMPLE, display_name="ke-hoach-2017.csv", by=kh.secretariat
    )
    assert (report.created, report.updated, report.unchanged) == (21, 0, 0)
    tasks = {task.code: task for task in Task.objects.filter(plan=kh.plan)}
    assert len(tasks) == 21
    assert (tasks["NV-02"].due_date, tasks["NV-02"].starts) == (dt.date(2017, 9, 30), None)
    assert tasks["NV-02"].deadline == "trong quý III/2017"
    assert tasks["NV-02"].completed_at == dt.date(2017, 9, 28)
    assert tasks["NV-06"].due_date == dt.date(2017, 8, 31)  # tháng 7-8/2017
    assert tasks["NV-07"].due_date == dt.date(2017, 7, 31)  # tháng 6-7/2017
    assert tasks["NV-20"].due_date == dt.date(2018, 6, 30)  # 6 tháng đầu năm 2018
    assert (tasks["NV-01"].due_date, tasks["NV-01"].starts) == (None, dt.date(2017, 5, 1))
    assert (tasks["NV-15"].due_date, tasks["NV-15"].starts) == (None, dt.date(2018, 1, 1))
    assert (tasks["NV-21"].due_date, tasks["NV-21"].starts) == (None, None)  # thường xuyên
    assert tasks["NV-03"].lead == kh.units["SO_KHDT"]
    assert {u.code for u in tasks["NV-03"].partners.all()} == {
        "SO_TNMT", "SO_XD", "CUC_THUE", "CUC_HQ", "KBNN", "BHXH"
    }  # fmt: skip
    assert tasks["NV-05"].status == "not_started"
    assert TaskEvent.objects.filter(old_status="", by=kh.secretariat).count() == 21


def test_units_may_be_named_by_code(kh: Province, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(
        "code,title,lead,partners,deadline,status,completed_at\n"
        "A,Việc A,so_nv,SO_TP; SO_TC,quý I năm 2017,not_started,\n",
        encoding="utf-8",
    )
    tasks_import(plan=kh.plan, path=path, display_name="t.csv", by=kh.secretariat)
    task = Task.objects.get(code="A")
    assert task.lead.code == "SO_NV"
    assert sorted(u.code for u in task.partners.all()) == ["SO_TC", "SO_TP"]
    assert task.due_date == dt.date(2017, 3, 31)


def test_an_unknown_lead_refuses_the_file_with_its_line_and_writes_nothing(
    kh: Province, tmp_path: Path
) -> None:
    path = tmp_path / "sai.csv"
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    lines[4] = lines[4].replace(",Thanh tra tỉnh,", ",Sở Không Có,")  # NV-04, line 5
    lines.append("NV-99,Việc,Sở Nội vụ,Sở Ma,quý V/2017,done,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        tasks_import(plan=kh.plan, path=path, display_name="sai.csv", by=kh.secretariat)
    found = [(p.file, p.line, p.message.en) for p in caught.value.problems]
    assert ("sai.csv", 5, "the lead unit 'Sở Không Có' is not a unit of the authority") in found
    assert any(line == 23 and "quarter V" in text for _, line, text in found)
    assert not Task.objects.exists()
    assert not PlanImport.objects.exists()


def test_importing_the_same_file_again_changes_nothing(kh: Province, tmp_path: Path) -> None:
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    before = list(Task.objects.order_by("code").values())
    events = TaskEvent.objects.count()
    again = tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    assert again.already_imported
    copy = tmp_path / "b.csv"  # the same rows in other bytes: every task unchanged
    copy.write_text(EXAMPLE.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")
    report = tasks_import(plan=kh.plan, path=copy, display_name="b.csv", by=kh.secretariat)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 21)
    assert list(Task.objects.order_by("code").values()) == before
    assert TaskEvent.objects.count() == events


def test_a_changed_file_updates_tasks_and_records_status_changes(
    kh: Province, tmp_path: Path
) -> None:
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    changed = tmp_path / "c.csv"
    changed.write_text(
        EXAMPLE.read_text(encoding="utf-8").replace(
            "trong quý IV/2017,in_progress,\nNV-05", "trong quý IV/2017,done,20/12/2017\nNV-05"
        ),
        encoding="utf-8",
    )
    report = tasks_import(plan=kh.plan, path=changed, display_name="c.csv", by=kh.secretariat)
    assert (report.updated, report.unchanged) == (1, 20)
    task = Task.objects.get(code="NV-04")
    assert (task.status, task.completed_at) == ("done", dt.date(2017, 12, 20))
    event = task.events.last()
    assert event is not None
    assert (event.old_status, event.new_status, event.reason) == ("in_progress", "done", "c.csv:5")


def test_an_xlsx_file_is_read_like_the_csv(kh: Province, tmp_path: Path) -> None:
    import csv

    import xlsxwriter

    path = tmp_path / "ke-hoach.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    with EXAMPLE.open(encoding="utf-8") as source:
        for r, row in enumerate(csv.reader(source)):
            sheet.write_row(r, 0, row)
    book.close()
    report = tasks_import(plan=kh.plan, path=path, display_name="ke-hoach.xlsx", by=kh.secretariat)
    assert report.created == 21
    assert Task.objects.get(code="NV-14").due_date == dt.date(2017, 9, 30)


def test_only_the_secretariat_imports(kh: Province) -> None:
    for outsider in (kh.nv_focal, kh.leader, kh.other_secretariat):
        with pytest.raises(PlanError):
            tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=outsider)
    assert not Task.objects.exists()
