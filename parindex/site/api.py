"""The site's HTTP API surface: for now, the OpenAPI document that describes it.

The document is written by hand while the API is this small. Every path the site serves to
machines must appear here; tests/site checks that each documented path resolves.
"""

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

OPENAPI_VERSION = "3.1.0"


def _package_version() -> str:
    try:
        return version("parindex")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description of the site's machine-facing endpoints."""
    json_object = {"type": "object"}
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "parindex",
            "summary": "Public Administration Reform index (Chỉ số CCHC)",
            "version": _package_version(),
            "license": {"name": "AGPL-3.0-or-later", "identifier": "AGPL-3.0-or-later"},
        },
        "tags": [{"name": "operations", "description": "Health and self-description"}],
        "paths": {
            "/healthz": {
                "get": {
                    "operationId": "healthz",
                    "tags": ["operations"],
                    "summary": "Report whether the server and its database are working",
                    "responses": {
                        "200": {
                            "description": "The server is up and its database answers",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Health"}
                                }
                            },
                        },
                        "503": {
                            "description": "The database does not answer",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/HealthFailure"}
                                }
                            },
                        },
                    },
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "tags": ["operations"],
                    "summary": "This OpenAPI document",
                    "responses": {
                        "200": {
                            "description": "An OpenAPI 3.1 document",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        **json_object,
                                        "required": ["openapi", "info", "paths"],
                                        "properties": {
                                            "openapi": {"type": "string", "pattern": r"^3\.1\."}
                                        },
                                    }
                                }
                            },
                        }
                    },
                }
            },
        },
        "components": {
            "schemas": {
                "Health": {
                    **json_object,
                    "required": ["status"],
                    "properties": {"status": {"const": "ok"}},
                },
                "HealthFailure": {
                    **json_object,
                    "required": ["status", "database"],
                    "properties": {
                        "status": {"const": "error"},
                        "database": {"enum": ["unreachable"]},
                    },
                },
            }
        },
    }


@require_safe
def openapi_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_document())
