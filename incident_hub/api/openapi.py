"""The OpenAPI 3.1 document served at ``/api/v1/openapi.json``."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from .. import __version__
from ..assessment import openapi as openapi_assessment
from ..engagement import openapi as openapi_engagement
from ..followthrough import openapi as openapi_followthrough
from ..precedent import openapi as openapi_precedent
from ..reports import openapi as openapi_reports
from . import openapi_cases, openapi_watch

FEATURES = (
    openapi_assessment,
    openapi_engagement,
    openapi_followthrough,
    openapi_precedent,
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
    follow_ok = {
        "description": "Following state",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
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
            "schemas": openapi_cases.schemas() | openapi_watch.SCHEMAS | feature_schemas,
        },
        "paths": _with_transport_errors(
            watch_paths
            | feature_paths
            | {
                "/api/v1/playbooks": {
                    "get": {
                        "summary": "Installed playbooks",
                        "responses": {"200": _list("Playbook"), **_errors()},
                    }
                },
                "/api/v1/cases": {
                    "get": {
                        "summary": "Cases visible to you, most salient first, then newest "
                        "(sort=newest: newest first)",
                        "parameters": [
                            *PAGE_PARAMS,
                            {
                                "name": "status",
                                "in": "query",
                                "schema": {
                                    "enum": ["open", "awaiting_decision", "decided", "closed"]
                                },
                            },
                            {"name": "playbook", "in": "query", "schema": {"type": "string"}},
                            {"name": "jurisdiction", "in": "query", "schema": {"type": "string"}},
                            {"name": "q", "in": "query", "schema": {"type": "string"}},
                            {
                                "name": "sort",
                                "in": "query",
                                "description": "salience (default): highest salience first, "
                                "then newest; newest: newest first",
                                "schema": {"enum": ["salience", "newest"]},
                            },
                        ],
                        "responses": {"200": _list("CaseSummary"), **_errors(422)},
                    },
                    "post": {
                        "summary": "Open a case from a playbook (triagers, admins)",
                        "requestBody": _body("NewCase"),
                        # 404: an alert in alert_ids does not exist; 409: it was already triaged
                        "responses": {
                            "201": _json("Case", "Created"),
                            **_errors(400, 403, 404, 409, 422),
                        },
                    },
                },
                "/api/v1/cases/{ref}": {
                    "get": {
                        "summary": "One case",
                        "parameters": [REF_PARAM],
                        "responses": {"200": _json("Case"), **_errors(404)},
                    }
                },
                "/api/v1/cases/{ref}/analyses": {
                    "post": _case_action(
                        "File a function's analysis (a lead of that function, or an admin)",
                        "NewAnalysis",
                        "201",
                    )
                },
                "/api/v1/cases/{ref}/decision": {
                    "post": _case_action("Record the decision (an executive)", "NewDecision", "201")
                },
                "/api/v1/cases/{ref}/request-decision": {
                    "post": _case_action(
                        "Move an open case to decision early (admins, executives)", None
                    )
                },
                "/api/v1/cases/{ref}/close": {"post": _case_action("Close a case (admin)", "Note")},
                "/api/v1/cases/{ref}/reopen": {
                    "post": _case_action("Reopen as a new round (admin)", "Note")
                },
                "/api/v1/cases/{ref}/assignments/{function}/waive": {
                    "post": {
                        **_case_action("Waive a function's assignment (admin)", "Note"),
                        "parameters": [
                            REF_PARAM,
                            {
                                "name": "function",
                                "in": "path",
                                "required": True,
                                "schema": {"type": "string"},
                            },
                        ],
                    }
                },
                "/api/v1/cases/{ref}/follow": {
                    "post": {
                        "summary": "Follow",
                        "parameters": [REF_PARAM],
                        "responses": {"200": follow_ok, **_errors(404)},
                    },
                    "delete": {
                        "summary": "Unfollow",
                        "parameters": [REF_PARAM],
                        "responses": {"200": follow_ok, **_errors(404)},
                    },
                },
                "/api/v1/cases/{ref}/timeline": {
                    "get": {
                        "summary": "Audited events on the case",
                        "parameters": [REF_PARAM],
                        "responses": {
                            "200": {
                                "description": "Events, oldest first",
                                "content": {"application/json": {"schema": {"type": "array"}}},
                            },
                            **_errors(404),
                        },
                    }
                },
            }
        ),
    }
