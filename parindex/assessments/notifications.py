"""Sending notices (deadlines, returns, results): e-mail first, SMS pluggable (SPEC §1).

A `Notifier` sends a `Notice` to people. `EmailNotifier` uses Django's mail (the outbox in
tests); `SmsNotifier` texts through whatever `SmsGateway` a deployment provides — parindex ships
no real gateway — and `Notifiers` sends through several at once.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.core.mail import EmailMessage, get_connection

from parindex.accounts.models import User


@dataclass(frozen=True)
class Notice:
    recipients: tuple[User, ...]
    subject: str
    body: str
    short: str = ""  # a one-line form for SMS; the subject when empty


class Notifier(Protocol):
    def send(self, notice: Notice) -> int:
        """Send the notice; the number of people it reached."""
        ...


class EmailNotifier:
    """One e-mail per person (nobody sees the others' addresses), in one connection."""

    def send(self, notice: Notice) -> int:
        messages = [
            EmailMessage(notice.subject, notice.body, to=[person.email])
            for person in notice.recipients
            if person.email
        ]
        if not messages:
            return 0
        return get_connection().send_messages(messages) or 0


class SmsGateway(Protocol):
    def send_sms(self, phone: str, text: str) -> None: ...


class SmsNotifier:
    """Texts the notice's short form to each person with a phone number.

    `phone_of` finds a person's number (parindex keeps none yet); a deployment passes its own
    gateway, e.g. a telecom operator's brand-name SMS API.
    """

    def __init__(self, gateway: SmsGateway, phone_of: Callable[[User], str | None]) -> None:
        self.gateway = gateway
        self.phone_of = phone_of

    def send(self, notice: Notice) -> int:
        sent = 0
        for person in notice.recipients:
            phone = self.phone_of(person)
            if phone:
                self.gateway.send_sms(phone, notice.short or notice.subject)
                sent += 1
        return sent


class Notifiers:
    """Several notifiers as one (e.g. e-mail and SMS)."""

    def __init__(self, notifiers: Iterable[Notifier]) -> None:
        self.notifiers: Sequence[Notifier] = tuple(notifiers)

    def send(self, notice: Notice) -> int:
        return max((notifier.send(notice) for notifier in self.notifiers), default=0)
