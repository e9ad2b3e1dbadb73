"""Browser tests: Playwright driving Debian's Chromium against Django's live server.

Skipped (with the reason) when /usr/bin/chromium is not installed; `.ci/run` installs it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

PHONE = {"width": 390, "height": 844}

# The journeys start from the states the app tests build (`tests/assessments/*_builders.py`).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "assessments"))


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A page in a phone-sized viewport, Vietnamese first."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """Evidence files of a journey go to a scratch folder, never to ./demo-data."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


@pytest.fixture
def sign_in(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """`sign_in(user)`: a fresh browser (its own cookies) where `user` signed in through the
    login form with the factories' password; `phone=True` for a phone-sized screen."""
    from factories import TEST_PASSWORD

    from tests.accounts.accounts_browser_steps import two_factor_if_asked

    contexts: list[Any] = []

    def signed_in(user: Any, *, phone: bool = False) -> Any:
        if phone:
            context = browser.new_context(
                viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True
            )
        else:
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Tên đăng nhập").fill(user.username)
        page.get_by_label("Mật khẩu").fill(TEST_PASSWORD)
        page.get_by_role("button", name="Đăng nhập").click()
        two_factor_if_asked(page, user.username)  # secretariat, council, administrators
        page.wait_for_url(f"{live_server.url}/")
        return page

    yield signed_in
    for context in contexts:
        context.close()
