"""The REST API (django-ninja): one `NinjaAPI` mounted at /api/, one router per app.

Token auth (`Authorization: Bearer …`, see `parindex.accounts.tokens`) or the browser session;
the same services and permission checks as the UI. The OpenAPI document is generated from the
routers and served at /api/openapi.json; `/healthz`, which lives outside /api/, is added to it
by hand so that the document describes every machine-facing path.
"""

import json
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.responses import NinjaJSONEncoder
from ninja.security import django_auth

from parindex.accounts.tokens import BearerToken

OPENAPI_VERSION = "3.1.0"


def _package_version() -> str:
    try:
        return version("parindex")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


def _healthz_document() -> dict[str, Any]:
    """The hand-written description of /healthz (outside the ninja routers)."""
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


class ParindexAPI(NinjaAPI):
    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        extra = _healthz_document()
        schema["paths"] = {**extra["paths"], **schema["paths"]}
        components = schema.setdefault("components", {})
        components.setdefault("schemas", {}).update(extra["components"]["schemas"])
        schema["info"]["summary"] = extra["info"]["summary"]
        schema["info"]["license"] = extra["info"]["license"]
        _document_validation_errors(schema)
        return schema


def _document_validation_errors(schema: dict[str, Any]) -> None:
    """Every operation that reads parameters or a body answers 422 with ninja's list of
    problems when they do not fit the schema (found by schemathesis: it was undocumented)."""
    schema["components"]["schemas"]["ValidationErrorOut"] = {
        "type": "object",
        "required": ["detail"],
        "properties": {"detail": {"type": "array", "items": {"type": "object"}}},
    }
    answer = {
        "description": "The parameters or the body do not fit the schema",
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/ValidationErrorOut"}}
        },
    }
    for operations in schema["paths"].values():
        for operation in operations.values():
            if operation.get("parameters") or operation.get("requestBody"):
                operation["responses"].setdefault("422", answer)


api = ParindexAPI(
    title="parindex",
    version=_package_version(),
    description="Chỉ số cải cách hành chính (PAR INDEX): units, criteria sets, cycles, results",
    urls_namespace="api",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=[BearerToken(), django_auth],
)


def _add_routers() -> None:
    from parindex.accounts.api import router as accounts
    from parindex.assessments import api as assessments
    from parindex.assessments.appraisal_api import appraisals
    from parindex.assessments.errors import AssessmentError
    from parindex.results.api import router as results
    from parindex.units.api import router as units

    api.add_router("/", accounts, tags=["accounts"])
    api.add_router("/", units, tags=["units"])
    api.add_router("/", assessments.cycles, tags=["cycles"])
    api.add_router("/", assessments.sheets, tags=["self-assessment"])
    api.add_router("/", appraisals, tags=["appraisal"])
    api.add_router("/public", results, tags=["public results"])
    api.add_exception_handler(Http404, assessments.not_found)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(AssessmentError, assessments.refusal)


def _http_error(request: HttpRequest, error: object) -> HttpResponse:
    """ninja's own refusals (400 for a body that is not JSON) in the shape of every other
    refusal, `{"detail", "problems"}`, as the operations document it."""
    assert isinstance(error, HttpError)
    body = {"detail": str(error), "problems": []}
    return api.create_response(request, body, status=error.status_code)


_add_routers()


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document of the whole API, as served at /api/openapi.json."""
    schema = api.get_openapi_schema(path_prefix="/api/")
    document: dict[str, Any] = json.loads(json.dumps(schema, cls=NinjaJSONEncoder))
    return document
