"""Browser steps of sign-in shared by the journeys: the second factor (enrolment on first
sign-in, a fresh code afterwards) for roles that require it."""

from __future__ import annotations

import re
import time
from typing import Any

from parindex.accounts import totp
from parindex.accounts.models import TwoFactorDevice

AFTER_PASSWORD = re.compile(r"^https?://[^/]+/(accounts/two-factor/(enrol/)?)?(\?.*)?$")


def _fresh_code(secret: str, last_step: int | None) -> str:
    """A code the server has not seen: this step's, or the next one if it was used."""
    step = totp.time_step(time.time())
    if last_step is not None and step <= last_step:
        step = last_step + 1
    return totp.code_at(secret, step)


def two_factor_if_asked(page: Any, username: str) -> None:
    """After the password: enrol (and continue past the recovery codes) or give a code, when
    the sign-in asks for it; nothing otherwise."""
    page.wait_for_url(AFTER_PASSWORD)
    if page.url.endswith("/accounts/two-factor/enrol/"):
        secret = page.locator("#totp-secret").inner_text()
        page.locator("input[name=code]").fill(_fresh_code(secret, None))
        page.locator("main form button[type=submit]").click()
        page.locator(".recovery-codes + p a").click()
    elif page.url.endswith("/accounts/two-factor/"):
        device = TwoFactorDevice.objects.get(user__username=username)
        page.locator("input[name=code]").fill(_fresh_code(device.secret, device.last_step))
        page.locator("main form button[type=submit]").click()
