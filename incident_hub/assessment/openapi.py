"""OpenAPI paths and schemas for assessment."""

from __future__ import annotations

from typing import Any

from .vocabulary import ANSWERS, GROUPS, INVOLVEMENT, RIGHTS, SCORES, TESTS

TS = {"type": ["string", "null"], "format": "date-time"}
ANSWER = {"enum": [*ANSWERS, None]}


def _score(key: str) -> dict[str, Any]:
    levels = SCORES[key]["levels"]
    guidance = "; ".join(f"{n} {name}: {text}" for n, (name, text) in levels.items())
    return {
        "type": ["integer", "null"],
        "minimum": 1,
        "maximum": 5,
        "description": f"{SCORES[key]['question']} {guidance}",
    }


def _fields() -> dict[str, Any]:
    return {
        "rights": {
            "type": "array",
            "items": {"enum": list(RIGHTS)},
            "description": "Rights affected",
        },
        "at_risk_groups": {
            "type": "array",
            "items": {"enum": list(GROUPS)},
            "description": "Groups at heightened risk (UNGP 18)",
        },
        "groups_note": {"type": "string", "maxLength": 2000},
        **{key: _score(key) for key in SCORES},
        "involvement": {
            "enum": [*INVOLVEMENT, None],
            "description": "UNGP 19: the company causes, contributes to or is directly linked "
            "to the impact",
        },
        "leverage": {"type": "string", "maxLength": 5000},
    }


def _tests(entry: dict[str, Any], required: bool) -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Telenor's tests: " + "; ".join(t for t, _ in TESTS.values()),
        "properties": {key: entry for key in TESTS},
        "additionalProperties": False,
        **({"required": list(TESTS)} if required else {}),
    }


SCHEMAS: dict[str, Any] = {
    "TelenorTest": {
        "type": "object",
        "required": ["answer", "note"],
        "properties": {"answer": ANSWER, "note": {"type": "string"}},
    },
    "Assessment": {
        "type": "object",
        "required": [
            "case",
            *_fields(),
            "tests",
            "salience",
            "band",
            "version",
            "updated_by",
            "updated_at",
        ],
        "properties": {
            "case": {"type": "string"},
            **_fields(),
            "tests": _tests({"$ref": "#/components/schemas/TelenorTest"}, True),
            "salience": {
                "type": "integer",
                "minimum": 0,
                "maximum": 100,
                "description": "(scale + scope + 2 × irremediability) × likelihood; 0 until "
                "all four are scored",
            },
            "band": {"enum": ["low", "medium", "high", "critical", None]},
            "version": {"type": "integer", "minimum": 0, "description": "0: not assessed yet"},
            "updated_by": {"type": ["string", "null"]},
            "updated_at": TS,
        },
    },
    "AssessmentInput": {
        "type": "object",
        "description": "Only the fields given change. Admins and human-rights leads: every "
        "field; legal leads: tests only.",
        "properties": {
            **_fields(),
            "tests": _tests(
                {
                    "type": "object",
                    "properties": {
                        "answer": ANSWER,
                        "note": {"type": "string", "maxLength": 2000},
                    },
                    "additionalProperties": False,
                },
                False,
            ),
            "version": {
                "type": "integer",
                "minimum": 0,
                "description": "The version you read; 409 if it changed since",
            },
        },
        "additionalProperties": False,
    },
}


def paths(h: Any) -> dict[str, Any]:
    """Paths for assessment; ``h`` carries the shared helpers (json, list, body, errors,
    page_params, ref_param) of :mod:`incident_hub.api.openapi`."""
    return {
        "/api/v1/cases/{ref}/assessment": {
            "get": {
                "summary": "The case's human-rights assessment (version 0: not assessed yet)",
                "parameters": [h.ref_param],
                "responses": {"200": h.json("Assessment"), **h.errors(404)},
            },
            "put": {
                "summary": "Change the fields given of the assessment (admins, human-rights "
                "leads; legal leads: Telenor's tests only)",
                "parameters": [h.ref_param],
                "requestBody": h.body("AssessmentInput"),
                "responses": {
                    "200": h.json("Assessment"),
                    **h.errors(400, 403, 404, 409, 422),
                },
            },
        }
    }
