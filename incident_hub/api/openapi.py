"""The OpenAPI 3.1 document served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .. import __version__
from ..assessment import openapi as openapi_assessment
from ..reports import openapi as openapi_reports
from . import openapi_watch
from .spec import generated

FEATURES = (
    openapi_assessment,
    openapi_reports,
)

REF_PARAM = {
    "name": "ref",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "maxLength": 40},
    "example": "INC-2026-0007",
}
PAGE_PARAMS = [
    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 10000}},
    {
        "name": "offset",
        "in": "query",
        "schema": {"type": "integer", "minimum": 0, "maximum": 2**31 - 1},
    },
]


def _errors(*codes: int) -> dict[str, Any]:
    ref = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    names = {
        400: "Bad input",
        401: "No or bad token",
        403: "Not allowed",
        404: "Not found",
        409: "Wrong state",
        413: "Too large",
        422: "Validation failed",
        429: "Too many requests ([LIMITS] API, per token)",
    }
    return {str(c): {"description": names[c], **ref} for c in (401, *codes)}


def _with_transport_errors(paths: dict[str, Any]) -> dict[str, Any]:
    """Answers any operation can give whatever it does: 429 (every API call is rate-limited)
    and, when it takes a body, 413 (larger than MAX_CONTENT_LENGTH)."""
    for operations in paths.values():
        for operation in operations.values():
            extra = (413, 429) if "requestBody" in operation else (429,)
            operation["responses"].update(_errors(*extra))
    return paths


def _json(schema_name: str, description: str = "OK") -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def _list(schema_name: str) -> dict[str, Any]:
    return {
        "description": "A page of results; X-Total-Count gives the total",
        "headers": {"X-Total-Count": {"schema": {"type": "integer"}}},
        "content": {
            "application/json": {
                "schema": {
                    "type": "array",
                    "items": {"$ref": f"#/components/schemas/{schema_name}"},
                }
            }
        },
    }


def _body(schema_name: str) -> dict[str, Any]:
    return {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
        },
    }


def _case_action(
    summary: str,
    body: str | None,
    status: str = "200",
    errors: tuple[int, ...] = (400, 403, 404, 409, 422),
) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": summary,
        "parameters": [REF_PARAM],
        "responses": {status: _json("Case"), **_errors(*errors)},
    }
    if body:
        op["requestBody"] = _body(body)
    return op


def document() -> dict[str, Any]:
    """The hand-written operations, with the generated ones (``spec.py``) in their place."""
    doc = _hand_written()
    made = generated()
    doc["components"]["schemas"] |= made["components"]["schemas"]
    for path, operations in made["paths"].items():
        doc["paths"][path] = doc["paths"].get(path, {}) | operations
    doc["tags"] = made.get("tags", [])
    return doc


def _hand_written() -> dict[str, Any]:
    watch_paths = openapi_watch.paths(_json, _list, _body, _errors, PAGE_PARAMS)
    helpers = SimpleNamespace(
        json=_json,
        list=_list,
        body=_body,
        errors=_errors,
        page_params=PAGE_PARAMS,
        ref_param=REF_PARAM,
        case_action=_case_action,
    )
    feature_paths: dict[str, Any] = {}
    feature_schemas: dict[str, Any] = {}
    for feature in FEATURES:
        feature_paths |= feature.paths(helpers)
        feature_schemas |= feature.SCHEMAS
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Incident Hub API",
            "version": __version__,
            "description": "Coordinate a cross-functional response to law changes that "
            "threaten users' human rights.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": openapi_watch.SCHEMAS | feature_schemas,
        },
        "paths": _with_transport_errors(watch_paths | feature_paths),
    }
