"""Schemathesis against /api/openapi.json: every operation, as a unit's focal point and as the
secretariat, with generated valid and invalid requests; no answer may be a server error."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from assessment_builders import World, build, pdf_bytes
from django.core.files.base import ContentFile
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from parindex.accounts.models import User
from parindex.assessments.services import evidence_upload

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Every operation of the document but /api/openapi.json itself, which schemathesis skips.
OPERATIONS = 20
EXAMPLES = int(os.environ.get("PARINDEX_FUZZ_API_EXAMPLES", "60"))


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """The WSGI handler closes the connection before and after each request (on PostgreSQL,
    a connection inside the test's transaction counts as unusable), which would end the test's
    transaction; Django's test client disconnects the same signals."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def session_of(user: User) -> tuple[dict[str, str], dict[str, str]]:
    """The cookies and headers of a browser signed in as `user` (session + CSRF)."""
    client = Client()
    client.force_login(user)
    csrf = _get_new_csrf_string()
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf}
    return cookies, {"X-CSRFToken": csrf}


def real_ids(world: World) -> dict[str, Any]:
    """Ids that exist: the focal point's sheet and a document on it, the cycle, a leaf."""
    document = evidence_upload(
        assessment=world.sheet(),
        file=ContentFile(pdf_bytes(), name="quyet_dinh.pdf"),
        codes=["1.1.1"],
        by=world.focal["SO_NV"],
    )
    return {
        "assessment_id": world.sheet().pk,
        "cycle_id": world.cycle.pk,
        "code": "1.1.1",
        "evidence_id": document.pk,
    }


def fuzz_operations(user: User, world: World) -> Counter[str]:
    """Run every operation with generated requests; return the cases run per operation."""
    from parindex.site.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    cookies, headers = session_of(user)
    ids = real_ids(world)
    run: Counter[str] = Counter()
    for result in schema.get_all_operations():
        operation = result.ok()
        fixed = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        strategies = [
            operation.as_strategy(),  # every parameter generated: mostly ids nobody may see
            operation.as_strategy(path_parameters=fixed),  # the caller's own sheet and cycle
            operation.as_strategy(
                generation_mode=schemathesis.GenerationMode.NEGATIVE, path_parameters=fixed
            ),
        ]

        fuzz_one(operation.label, strategies, cookies, headers, run)
    return run


def fuzz_one(
    label: str,
    strategies: list[st.SearchStrategy[schemathesis.Case]],
    cookies: dict[str, str],
    headers: dict[str, str],
    run: Counter[str],
) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def check(case: schemathesis.Case) -> None:
        response = case.call(headers=headers, cookies=cookies)
        run[label] += 1
        case.validate_response(response, checks=CHECKS)

    check()


def test_api_gives_no_server_error_to_a_units_focal_point(wsgi_in_test_transaction: None) -> None:
    world = build()
    run = fuzz_operations(world.focal["SO_NV"], world)
    assert len(run) == OPERATIONS
    print(f"focal point: {len(run)} operations, {sum(run.values())} cases, 0 server errors")


def test_api_gives_no_server_error_to_the_secretariat(wsgi_in_test_transaction: None) -> None:
    world = build()
    run = fuzz_operations(world.secretariat, world)
    assert len(run) == OPERATIONS
    print(f"secretariat: {len(run)} operations, {sum(run.values())} cases, 0 server errors")
