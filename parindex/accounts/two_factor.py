"""Two-factor sign-in (TOTP, RFC 6238) for the roles that can change or publish everyone's
results: the secretariat, the council, administrators (docs/decisions/0013).

Services over `TwoFactorDevice` and `RecoveryCode`; the arithmetic is in `totp.py`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from parindex.accounts import totp
from parindex.accounts.models import Membership, RecoveryCode, Role, TwoFactorDevice, User

ROLES_REQUIRING_TWO_FACTOR = frozenset(
    {Role.SECRETARIAT, Role.COUNCIL_CHAIR, Role.SYSTEM_ADMIN, Role.SURVEY_ADMIN}
)
RECOVERY_CODES = 8
ISSUER = "parindex"


def two_factor_required(user: AbstractBaseUser) -> bool:
    if not isinstance(user, User) or not settings.TWO_FACTOR_REQUIRED:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return Membership.objects.filter(
        user=user, active=True, role__in=ROLES_REQUIRING_TWO_FACTOR
    ).exists()


def two_factor_enrolled(user: User) -> bool:
    return TwoFactorDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def enrolment_device(*, user: User) -> TwoFactorDevice:
    """The device being enrolled: the same secret until confirmed, so that reloading the page
    does not invalidate the QR code already scanned."""
    device, _created = TwoFactorDevice.objects.get_or_create(
        user=user, defaults={"secret": totp.new_secret()}
    )
    return device


def provisioning_uri(device: TwoFactorDevice) -> str:
    return totp.provisioning_uri(device.secret, account=device.user.get_username(), issuer=ISSUER)


def _hash(code: str) -> str:
    normalised = code.strip().replace("-", "").replace(" ", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()


def _new_recovery_code() -> str:
    text = secrets.token_hex(5)  # 40 bits each, one use, throttled like a password
    return f"{text[:5]}-{text[5:]}"


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes, shown once; the old ones stop working."""
    RecoveryCode.objects.filter(user=user).delete()
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(RecoveryCode(user=user, code_hash=_hash(c)) for c in codes)
    return codes


@transaction.atomic
def enrolment_confirm(*, user: User, code: str, now: datetime | None = None) -> list[str] | None:
    """Confirms the device with a first code from the app; returns the recovery codes, or None
    when the code is not right."""
    now = now or timezone.now()
    device = TwoFactorDevice.objects.select_for_update().get(user=user)
    step = totp.matching_step(device.secret, code, now.timestamp())
    if step is None:
        return None
    device.confirmed_at = now
    device.last_step = step
    device.save(update_fields=["confirmed_at", "last_step"])
    return recovery_codes_renew(user=user)


@transaction.atomic
def second_factor_check(*, user: User, code: str, now: datetime | None = None) -> str | None:
    """Checks a code at sign-in: a TOTP code not used before, or an unused recovery code.
    Returns which one passed ("totp" / "recovery_code"), or None."""
    now = now or timezone.now()
    device = (
        TwoFactorDevice.objects.select_for_update()
        .filter(user=user, confirmed_at__isnull=False)
        .first()
    )
    if device is None:
        return None
    step = totp.matching_step(device.secret, code, now.timestamp())
    if step is not None:
        if device.last_step is not None and step <= device.last_step:
            return None  # replayed: this code (or a later one) was already used
        device.last_step = step
        device.save(update_fields=["last_step"])
        return "totp"
    used = RecoveryCode.objects.filter(
        user=user, code_hash=_hash(code), used_at__isnull=True
    ).update(used_at=now)
    return "recovery_code" if used else None


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at__isnull=True).count()


def two_factor_reset(*, user: User) -> None:
    """Removes a user's device and codes (an administrator's act when a phone is lost and the
    recovery codes with it); they enrol again at their next sign-in."""
    TwoFactorDevice.objects.filter(user=user).delete()
    RecoveryCode.objects.filter(user=user).delete()
