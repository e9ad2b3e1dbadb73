"""Sign-in throttling: failures counted per username, per client address and per user's second
factor, in the database so that every app server sees the same count (docs/decisions/0013).

A key is locked when `limit` failures fall within the window; the lock lasts the cool-off from
the last of them. While locked, attempts are refused without checking the password and are
not counted, so an attacker cannot keep a user locked out for longer than the cool-off
after their last counted failure.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from parindex.accounts.models import LoginFailure

Scope = LoginFailure.Scope


def _key(scope: str, value: str) -> str:
    if scope == Scope.USERNAME:
        value = value.strip().casefold()
    return hashlib.sha256(f"{scope}:{value}".encode()).hexdigest()


def _limit(scope: str) -> int:
    if scope == Scope.ADDRESS:
        return int(settings.LOGIN_FAILURES_PER_ADDRESS)
    return int(settings.LOGIN_FAILURES_PER_USERNAME)


def locked_until(*, scope: str, value: str, now: datetime | None = None) -> datetime | None:
    """When the lock on this username / address / user ends, or None when not locked."""
    now = now or timezone.now()
    window = timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    cool_off = timedelta(seconds=settings.LOGIN_COOL_OFF_SECONDS)
    limit = _limit(scope)
    recent = list(
        LoginFailure.objects.filter(
            scope=scope, key=_key(scope, value), failed_at__gt=now - window - cool_off
        )
        .order_by("-failed_at")
        .values_list("failed_at", flat=True)[:limit]
    )
    if len(recent) < limit or recent[0] - recent[-1] > window:
        return None
    until = recent[0] + cool_off
    return until if until > now else None


def first_lock(locks: list[datetime | None]) -> datetime | None:
    """The latest end among the locks that apply (the attempt waits for all of them)."""
    ends = [until for until in locks if until is not None]
    return max(ends) if ends else None


def failure_record(*, scope: str, value: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    key = _key(scope, value)
    horizon = timedelta(
        seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS + settings.LOGIN_COOL_OFF_SECONDS
    )
    LoginFailure.objects.filter(scope=scope, key=key, failed_at__lte=now - horizon).delete()
    LoginFailure.objects.create(scope=scope, key=key, failed_at=now)


def failures_clear(*, scope: str, value: str) -> None:
    """After a success: the username's (or second factor's) count starts again. An address's
    count is never cleared by a success, or one valid account would reset it for a guesser."""
    LoginFailure.objects.filter(scope=scope, key=_key(scope, value)).delete()
