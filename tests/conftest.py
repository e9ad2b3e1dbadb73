"""Shared pytest set-up for the Django tests.

pytest-django loads ``parindex.site.settings`` before this file is read, so environment
variables cannot be set here; settings are adjusted directly instead.
"""

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("PARINDEX_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls
# from it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Debug is off in tests (as in production), so settings provide no secret key unless the
    # environment does. Give the test run one, so that sessions and signing work.
    if not os.environ.get("PARINDEX_SECRET_KEY"):
        settings.SECRET_KEY = "parindex-tests-only-not-secret"
    # Every test that makes a user would otherwise pay for a production-strength hash (a
    # million PBKDF2 rounds, ~0.5 s here); what a password hash is made with is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Background jobs run at once in the request that submits them (docs/decisions/0015);
    # tests/jobs runs real worker processes.
    settings.JOBS_WORKER = "immediate"
    _serial_live_server_on_in_memory_sqlite()


def _serial_live_server_on_in_memory_sqlite() -> None:
    """The browser tests' live server shares the test's in-memory SQLite connection; Django's
    threaded server would run two of the browser's requests on it at once ("cannot release
    savepoint - SQL statements in progress"). On SQLite it answers one request at a time, each
    connection closed after its answer; on PostgreSQL every thread has its own connection and
    the threaded server stays."""
    from django.core.servers.basehttp import WSGIServer
    from django.db import connections
    from django.test.testcases import LiveServerThread

    if connections["default"].vendor != "sqlite":
        return

    class SerialWSGIServer(WSGIServer):
        # LiveServerThread.run() has already put the shared connection in the serving thread.
        def __init__(self, *args: object, connections_override: object = None, **kwargs: object):
            super().__init__(*args, **kwargs)

    LiveServerThread.server_class = SerialWSGIServer


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the site's default language: a request made with another language
    (a cookie, a header) leaves it active in the thread, which later tests must not inherit."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright, one for the whole run: a second sync Playwright
    cannot start while one runs ("Sync API inside the asyncio loop"), so every browser test
    takes its pages from this one. Skipped with the reason when Chromium is not installed."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()
