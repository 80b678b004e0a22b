"""OpenAPI paths and schemas for followthrough: actions after a decision, and case links."""

from __future__ import annotations

from typing import Any

TS = {"type": ["string", "null"], "format": "date-time"}
DAY = {"type": ["string", "null"], "format": "date"}
ID_MAX = 2**31 - 1

SCHEMAS: dict[str, Any] = {
    "Action": {
        "type": "object",
        "required": ["id", "case", "round", "title", "owner", "due_at", "status"],
        "properties": {
            "id": {"type": "integer"},
            "case": {"type": "string"},
            "round": {"type": "integer"},
            "current_round": {"type": "boolean"},
            "title": {"type": "string"},
            "detail": {"type": "string"},
            "owner": {"type": "string", "description": "the owner's email"},
            "owner_name": {"type": "string"},
            "due_at": TS,
            "overdue": {"type": "boolean"},
            "review_on": DAY,
            "status": {"enum": ["open", "done", "waived"]},
            "note": {"type": "string", "description": "what was done, or why it was waived"},
            "effectiveness": {"type": "string", "description": "what the review found"},
            "created_at": TS,
            "completed_at": TS,
            "last_reminded_at": TS,
        },
    },
    "NewAction": {
        "type": "object",
        "required": ["title", "owner", "due_at"],
        "properties": {
            "title": {"type": "string", "maxLength": 300},
            "detail": {"type": "string"},
            "owner": {
                "oneOf": [{"type": "string"}, {"type": "integer"}],
                "description": "an active user's email or id (who may see the case)",
            },
            "due_at": {"type": "string", "format": "date-time"},
            "review_on": {"type": "string", "format": "date"},
        },
    },
    "ActionUpdate": {
        "type": "object",
        "description": "Any of: status with a note (done: the owner, admins, executives; "
        "waived: admins, executives); effectiveness once the review date has come; owner, "
        "due_at, review_on (admins, executives, the case's opener).",
        "properties": {
            "status": {"enum": ["done", "waived"]},
            "note": {"type": "string"},
            "effectiveness": {"type": "string"},
            "owner": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "due_at": {"type": "string", "format": "date-time"},
            "review_on": {"type": ["string", "null"], "format": "date"},
        },
    },
    "CaseLink": {
        "type": "object",
        "required": ["id", "kind", "direction", "other"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"enum": ["related", "same_law", "duplicate_of"]},
            "direction": {
                "enum": ["outgoing", "incoming"],
                "description": "outgoing: this case is the link's subject (for duplicate_of, "
                "this case is the duplicate)",
            },
            "relation": {"type": "string"},
            "note": {"type": "string"},
            "created_at": TS,
            "other": {
                "type": "object",
                "required": ["ref", "title", "status"],
                "properties": {
                    "ref": {"type": "string"},
                    "title": {"type": "string"},
                    "status": {"enum": ["open", "awaiting_decision", "decided", "closed"]},
                    "jurisdiction": {"type": "string"},
                    "restricted": {"type": "boolean"},
                },
            },
        },
    },
    "NewCaseLink": {
        "type": "object",
        "required": ["other", "kind"],
        "properties": {
            "other": {"type": "string", "description": "the other case's reference"},
            "kind": {"enum": ["related", "same_law", "duplicate_of"]},
            "note": {"type": "string"},
        },
    },
    "Unlinked": {
        "type": "object",
        "required": ["id", "deleted"],
        "properties": {
            "id": {"type": "integer"},
            "kind": {"type": "string"},
            "deleted": {"type": "boolean"},
        },
    },
}


def _id_param(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "integer", "minimum": 1, "maximum": ID_MAX},
    }


def paths(h: Any) -> dict[str, Any]:
    """Paths for followthrough; ``h`` carries the shared helpers (json, list, body, errors,
    page_params, ref_param) of :mod:`incident_hub.api.openapi`."""
    ref = h.ref_param
    return {
        "/api/v1/cases/{ref}/actions": {
            "get": {
                "summary": "The case's follow-through actions, every round (current first)",
                "parameters": [ref, *h.page_params],
                "responses": {"200": h.list("Action"), **h.errors(404, 422)},
            },
            "post": {
                "summary": "Add an action to a decided case (admins, executives, the opener)",
                "parameters": [ref],
                "requestBody": h.body("NewAction"),
                "responses": {
                    "201": h.json("Action", "Created"),
                    **h.errors(400, 403, 404, 409, 422),
                },
            },
        },
        "/api/v1/cases/{ref}/actions/{action_id}": {
            "patch": {
                "summary": "Mark an action done or waived (with a note), record its "
                "effectiveness review, or change its owner or dates",
                "parameters": [ref, _id_param("action_id")],
                "requestBody": h.body("ActionUpdate"),
                "responses": {"200": h.json("Action"), **h.errors(400, 403, 404, 409, 422)},
            }
        },
        "/api/v1/cases/{ref}/links": {
            "get": {
                "summary": "Links to other cases (only cases you may see)",
                "parameters": [ref, *h.page_params],
                "responses": {"200": h.list("CaseLink"), **h.errors(404, 422)},
            },
            "post": {
                "summary": "Link to another case (admins, triagers); duplicate_of merges this "
                "case into the other",
                "parameters": [ref],
                "requestBody": h.body("NewCaseLink"),
                "responses": {
                    "201": h.json("CaseLink", "Created"),
                    **h.errors(400, 403, 404, 409, 422),
                },
            },
        },
        "/api/v1/cases/{ref}/links/{link_id}": {
            "delete": {
                "summary": "Remove a link (admins, triagers)",
                "parameters": [ref, _id_param("link_id")],
                "responses": {"200": h.json("Unlinked"), **h.errors(403, 404, 409)},
            }
        },
    }
