"""E-mail reminders 7 and 1 days before a task's due date, once only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from parindex.plans.models import Task, TaskReminderSent
from parindex.plans.services import task_reminders_send, tasks_import
from tests.plans.plans_factories import EXAMPLE, Province

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(kh: Province) -> Province:
    tasks_import(plan=kh.plan, path=EXAMPLE, display_name="a.csv", by=kh.secretariat)
    return kh


def test_lead_units_are_reminded_seven_and_one_days_before_once_only(
    imported: Province,
) -> None:
    # 23/09/2017: NV-11, NV-12, NV-14 (Sở Nội vụ) are due on 30/09; NV-02 is done already
    assert task_reminders_send(today=dt.date(2017, 9, 23)) == 3
    assert len(mail.outbox) == 6  # focal point and head, each task
    assert {tuple(m.to) for m in mail.outbox} == {("nv@example.vn",), ("gd.nv@example.vn",)}
    subject = mail.outbox[0].subject
    assert "NV-11" in subject and "7" in subject
    assert "quý III/2017" in mail.outbox[0].body
    assert task_reminders_send(today=dt.date(2017, 9, 23)) == 0
    assert len(mail.outbox) == 6
    assert task_reminders_send(today=dt.date(2017, 9, 24)) == 0  # 6 days: no reminder
    assert task_reminders_send(today=dt.date(2017, 9, 29)) == 3  # the day before
    assert len(mail.outbox) == 12
    assert TaskReminderSent.objects.count() == 6


def test_a_moved_due_date_is_reminded_again_and_done_tasks_never(imported: Province) -> None:
    task_reminders_send(today=dt.date(2017, 9, 23))
    Task.objects.filter(code="NV-11").update(due_date=dt.date(2017, 10, 31))
    Task.objects.filter(code="NV-12").update(status="done", completed_at=dt.date(2017, 9, 1))
    mail.outbox.clear()
    assert task_reminders_send(today=dt.date(2017, 10, 24)) == 1
    assert all("NV-11" in m.subject for m in mail.outbox)
    assert task_reminders_send(today=dt.date(2017, 9, 29)) == 1  # NV-14 only


def test_a_unit_with_nobody_to_tell_gets_no_record(imported: Province) -> None:
    # TTR has no account: its task NV-04 due 31/12/2017 gets no reminder and no record
    assert task_reminders_send(today=dt.date(2017, 12, 24)) == 0
    assert not TaskReminderSent.objects.exists()


def test_the_command_sends_todays_reminders(
    kh: Province, capsys: pytest.CaptureFixture[str]
) -> None:
    due = timezone.localdate() + dt.timedelta(days=7)
    Task.objects.create(
        plan=kh.plan, code="T", title="Việc", lead=kh.units["SO_TP"], deadline="x", due_date=due
    )
    call_command("send_task_reminders")
    call_command("send_task_reminders")
    assert [m.to for m in mail.outbox] == [["tp@example.vn"]]
    assert capsys.readouterr().out.splitlines() == ["1 reminder(s) sent", "0 reminder(s) sent"]
