"""OpenAPI paths and schemas for precedent and search."""

from __future__ import annotations

from typing import Any

from ..assessment.vocabulary import RIGHTS
from ..cases.models import STATUSES
from .similar import MAX_LIMIT
from .terms import MAX_QUERY_CHARS

STR = {"type": "string"}
TS = {"type": "string", "format": "date-time"}
SUMMARY_FIELDS = {
    "ref": STR,
    "title": STR,
    "status": {"enum": list(STATUSES)},
    "playbook": STR,
    "jurisdiction": STR,
    "restricted": {"type": "boolean"},
    "opened_at": TS,
}

SCHEMAS: dict[str, Any] = {
    "SearchHit": {
        "type": "object",
        "required": [*SUMMARY_FIELDS, "rank", "snippet", "snippet_html"],
        "properties": {
            **SUMMARY_FIELDS,
            "rank": {"type": "number", "description": "Higher is better, within one search"},
            "snippet": {"type": "string", "description": "Matching text, plain"},
            "snippet_html": {
                "type": "string",
                "description": "The snippet as HTML: text escaped, matched words in <mark>",
            },
        },
    },
    "SimilarCase": {
        "type": "object",
        "required": [*SUMMARY_FIELDS, "score", "reasons", "decision", "outcome"],
        "properties": {
            **SUMMARY_FIELDS,
            "score": {"type": "number", "minimum": 0, "maximum": 1},
            "reasons": {
                "type": "array",
                "items": STR,
                "description": "Why it matched, e.g. 'same situation: internet shutdown or "
                "blocking', 'same instrument: Law 7253'",
            },
            "decision": {
                "type": ["object", "null"],
                "description": "The decision of its current round, if any",
                "required": ["option", "option_title", "decided_at", "rationale"],
                "properties": {
                    "option": STR,
                    "option_title": STR,
                    "decided_at": TS,
                    "rationale": {"type": "string", "description": "The start of it"},
                },
            },
            "outcome": {
                "type": "object",
                "required": ["status", "actions_done", "actions_waived", "actions_total"],
                "properties": {
                    "status": {"enum": list(STATUSES)},
                    "actions_done": {"type": "integer"},
                    "actions_waived": {"type": "integer"},
                    "actions_total": {"type": "integer"},
                },
            },
        },
    },
}


def _query(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description, **extra}


SEARCH_PARAMS = [
    _query(
        "q",
        {"type": "string", "minLength": 1, "maxLength": MAX_QUERY_CHARS},
        'Words to find; "a phrase", -excluded, a OR b',
        required=True,
    ),
    _query("playbook", STR, "Playbook key"),
    _query("jurisdiction", STR, "ISO 3166 country code or EU"),
    _query("status", {"enum": list(STATUSES)}, "Case status"),
    _query("right", {"enum": list(RIGHTS)}, "A right at stake (assessment, else playbook)"),
    _query("year", {"type": "integer", "minimum": 1900, "maximum": 9998}, "Opened that year"),
    _query("opened_from", {"type": "string", "format": "date"}, "Opened on or after"),
    _query("opened_to", {"type": "string", "format": "date"}, "Opened on or before"),
]


def paths(h: Any) -> dict[str, Any]:
    """Paths for precedent; ``h`` carries the shared helpers (json, list, body, errors,
    page_params, ref_param) of :mod:`incident_hub.api.openapi`."""
    return {
        "/api/v1/search": {
            "get": {
                "summary": "Full-text search across cases, analyses and decisions you may see",
                "parameters": [*SEARCH_PARAMS, *h.page_params],
                "responses": {"200": h.list("SearchHit"), **h.errors(422)},
            }
        },
        "/api/v1/cases/{ref}/similar": {
            "get": {
                "summary": "Past cases most like this one, with why each matched",
                "parameters": [
                    h.ref_param,
                    _query("limit", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}, ""),
                ],
                "responses": {"200": h.list("SimilarCase"), **h.errors(404, 422)},
            }
        },
    }
