import re
from typing import Any

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from parindex.site.api import openapi_document

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def document(client: Client) -> dict[str, Any]:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def test_openapi_document_is_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.")
    assert document["openapi"].startswith("3.1.")
    assert document["info"]["title"]
    assert document["info"]["version"]


def test_openapi_document_describes_healthz_and_itself(document: dict[str, Any]) -> None:
    assert "/healthz" in document["paths"]
    assert "/api/openapi.json" in document["paths"]
    assert set(document["paths"]["/healthz"]["get"]["responses"]) == {"200", "503"}


def test_every_documented_path_is_served() -> None:
    for documented in openapi_document()["paths"]:
        path = re.sub(r"\{[^}]+\}", "1", documented)
        try:
            resolve(path)
        except Resolver404:  # pragma: no cover - the assertion below reports it
            pytest.fail(f"{path} is documented but not routed in parindex.site.urls")


def test_every_operation_has_a_unique_id_and_documented_responses() -> None:
    operations = [
        operation
        for item in openapi_document()["paths"].values()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
    ids = [operation["operationId"] for operation in operations]

    assert len(ids) == len(set(ids))
    assert all(operation["responses"] for operation in operations)


def test_every_schema_reference_points_to_a_component() -> None:
    document = openapi_document()
    schemas = document["components"]["schemas"]

    def references(node: object) -> list[str]:
        if isinstance(node, dict):
            found = [node["$ref"]] if "$ref" in node else []
            return found + [ref for value in node.values() for ref in references(value)]
        if isinstance(node, list):
            return [ref for value in node for ref in references(value)]
        return []

    for ref in references(document):
        prefix, _, name = ref.rpartition("/")
        assert prefix == "#/components/schemas"
        assert name in schemas, ref


def test_openapi_document_passes_the_reference_validator() -> None:
    validator = pytest.importorskip(
        "openapi_spec_validator", reason="openapi-spec-validator is not installed"
    )
    validator.validate(openapi_document())
