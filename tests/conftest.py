"""Shared pytest set-up for the Django tests.

pytest-django loads ``parindex.site.settings`` before this file is read, so environment
variables cannot be set here; settings are adjusted directly instead.
"""

import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # Debug is off in tests (as in production), so settings provide no secret key unless the
    # environment does. Give the test run one, so that sessions and signing work.
    if not os.environ.get("PARINDEX_SECRET_KEY"):
        from django.conf import settings

        settings.SECRET_KEY = "parindex-tests-only-not-secret"
