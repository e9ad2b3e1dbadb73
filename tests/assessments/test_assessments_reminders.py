"""Reminders 3 and 1 days before the self-assessment deadline, by e-mail (and pluggable SMS)."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from assessment_builders import build, person
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from parindex.accounts.models import Membership, Role
from parindex.assessments.models import AssessmentStatus, Phase
from parindex.assessments.notifications import EmailNotifier, Notice, Notifiers, SmsNotifier
from parindex.assessments.services import reminders_send

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at_deadline(world, deadline: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    world.cycle.self_assessment_closes = deadline
    world.cycle.save()


DEADLINE = dt.datetime(2024, 3, 31, 17, 0, tzinfo=VN)


def test_three_days_before_the_deadline_the_people_of_each_unsubmitted_unit_get_an_email():
    world = build()
    at_deadline(world, DEADLINE)
    person("dau_moi_2_so_nv", world.authority, Role.FOCAL_POINT, world.units["SO_NV"])
    Membership.objects.filter(user=world.focal["SO_TP"]).update(active=False)
    sheet = world.sheet("SO_TP")
    sheet.status = AssessmentStatus.SUBMITTED
    sheet.save()

    sent = reminders_send(now=dt.datetime(2024, 3, 28, 8, 0, tzinfo=VN))

    assert sent == 1  # one sheet: SO_TP has submitted
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == [
        "dau_moi_2_so_nv@example.vn",
        "dau_moi_so_nv@example.vn",
        "thu_truong_so_nv@example.vn",
    ]
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees the others
    message = mail.outbox[0]
    assert "3 ngày" in message.subject
    assert "Sở SO_NV" in message.subject
    assert "31/03/2024 17:00" in message.body
    assert world.cycle.title in message.body
    assert "http" not in message.body  # no site address configured: no link


def test_a_reminder_links_to_the_sheet_when_the_sites_address_is_known(settings):  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://cchc.sonla.gov.vn"
    world = build()
    at_deadline(world, DEADLINE)
    reminders_send(now=dt.datetime(2024, 3, 28, 8, 0, tzinfo=VN))
    to_so_nv = next(m for m in mail.outbox if m.to == ["dau_moi_so_nv@example.vn"])
    link = f"https://cchc.sonla.gov.vn/cycles/sheets/{world.sheet('SO_NV').pk}/"
    assert f"Mở phiếu: {link}" in to_so_nv.body


def test_reminders_go_on_the_vietnamese_calendar_day_and_only_once():
    world = build()
    at_deadline(world, DEADLINE)
    # 20:00 UTC on 27 March is already 28 March in Hà Nội: 3 days before
    assert reminders_send(now=dt.datetime(2024, 3, 27, 20, 0, tzinfo=dt.UTC)) == 2
    assert reminders_send(now=dt.datetime(2024, 3, 28, 15, 0, tzinfo=VN)) == 0
    assert reminders_send(now=dt.datetime(2024, 3, 29, 9, 0, tzinfo=VN)) == 0  # 2 days: none
    assert reminders_send(now=dt.datetime(2024, 3, 30, 9, 0, tzinfo=VN)) == 2  # 1 day
    assert reminders_send(now=dt.datetime(2024, 3, 31, 9, 0, tzinfo=VN)) == 0  # the day itself
    assert len(mail.outbox) == 8  # 2 units × 2 people × 2 reminders


def test_a_moved_deadline_is_reminded_again():
    world = build()
    at_deadline(world, DEADLINE)
    assert reminders_send(now=dt.datetime(2024, 3, 30, 9, 0, tzinfo=VN)) == 2
    at_deadline(world, DEADLINE + dt.timedelta(days=7))
    assert reminders_send(now=dt.datetime(2024, 4, 6, 9, 0, tzinfo=VN)) == 2


def test_no_reminder_outside_the_self_assessment_phase():
    world = build(phase=Phase.APPRAISAL)
    at_deadline(world, DEADLINE)
    assert reminders_send(now=dt.datetime(2024, 3, 28, 9, 0, tzinfo=VN)) == 0
    assert mail.outbox == []


class RecordingGateway:
    def __init__(self) -> None:
        self.texts: list[tuple[str, str]] = []

    def send_sms(self, phone: str, text: str) -> None:
        self.texts.append((phone, text))


def test_an_sms_gateway_plugs_in_beside_email():
    world = build(units=("SO_NV",))
    at_deadline(world, DEADLINE)
    gateway = RecordingGateway()
    phones = {world.head["SO_NV"].pk: "0912345678"}
    notifier = Notifiers([EmailNotifier(), SmsNotifier(gateway, lambda u: phones.get(u.pk))])
    assert reminders_send(now=dt.datetime(2024, 3, 30, 9, 0, tzinfo=VN), notifier=notifier) == 1
    assert len(mail.outbox) == 2
    assert len(gateway.texts) == 1
    phone, text = gateway.texts[0]
    assert phone == "0912345678"
    assert "31/03/2024 17:00" in text


class BrokenNotifier:
    def send(self, notice: Notice) -> int:
        raise ConnectionError("máy chủ thư không trả lời")


def test_a_failed_send_is_not_recorded_so_the_next_run_tries_again():
    world = build(units=("SO_NV",))
    at_deadline(world, DEADLINE)
    now = dt.datetime(2024, 3, 30, 9, 0, tzinfo=VN)
    assert reminders_send(now=now, notifier=BrokenNotifier()) == 0
    assert reminders_send(now=now) == 1


def test_the_management_command_sends_the_reminders_due_now():
    world = build()
    at_deadline(world, timezone.now() + dt.timedelta(days=1))
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "2 reminder(s) sent" in out.getvalue()
    assert len(mail.outbox) == 4
