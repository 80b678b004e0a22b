"""OpenAPI paths and schemas for engagement."""

from __future__ import annotations

from typing import Any

from .models import KINDS, LIMITS

STR = {"type": "string"}
TS = {"type": ["string", "null"], "format": "date-time"}
DAY = {"type": "string", "format": "date"}
KIND = {"enum": list(KINDS)}
COUNTRY = {"type": "string", "description": "ISO 3166 country code (or EU); empty if none"}
WEBSITE = {"type": "string", "maxLength": LIMITS["website"], "description": "http(s) only"}

ORG_FIELDS = {
    "name": {"type": "string", "minLength": 1, "maxLength": LIMITS["name"]},
    "kind": KIND,
    "country": COUNTRY,
    "website": WEBSITE,
    "notes": {"type": "string", "maxLength": LIMITS["notes"]},
}
ENTRY_FIELDS = {
    "contact": {"type": "string", "maxLength": LIMITS["contact"], "description": "person/role"},
    "engaged_on": {**DAY, "description": "date of the consultation; not in the future"},
    "summary": {"type": "string", "minLength": 1, "maxLength": LIMITS["summary"]},
    "advice": {"type": "string", "maxLength": LIMITS["advice"], "description": "what they advised"},
    "confidential": {
        "type": "boolean",
        "description": "true: the organisation may NOT be named (shown only to admins, "
        "executives, human-rights leads and the person who recorded it)",
    },
}

SCHEMAS: dict[str, Any] = {
    "Organisation": {
        "type": "object",
        "required": ["id", "name", "kind", "kind_label", "country", "website", "notes"],
        "properties": {
            "id": {"type": "integer"},
            **{k: STR for k in ("name", "kind_label", "country", "website", "notes")},
            "kind": KIND,
            "created_by": STR,
            "created_at": TS,
        },
    },
    "OrganisationDetail": {
        "allOf": [
            {"$ref": "#/components/schemas/Organisation"},
            {
                "type": "object",
                "required": ["consultations"],
                "properties": {
                    "consultations": {
                        "description": "Entries of engagement logs you may see, newest first",
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["engagement", "case", "engaged_on", "confidential"],
                            "properties": {
                                "engagement": {"type": "integer"},
                                "case": STR,
                                "case_title": STR,
                                "engaged_on": DAY,
                                "confidential": {"type": "boolean"},
                            },
                        },
                    }
                },
            },
        ]
    },
    "NewOrganisation": {
        "type": "object",
        "required": ["name", "kind"],
        "properties": ORG_FIELDS,
    },
    "OrganisationChanges": {"type": "object", "properties": ORG_FIELDS},
    "Engagement": {
        "type": "object",
        "required": ["id", "case", "organisation", "engaged_on", "summary", "confidential"],
        "properties": {
            "id": {"type": "integer"},
            "case": STR,
            "organisation": {
                "type": "object",
                "required": ["id", "name", "kind"],
                "properties": {"id": {"type": "integer"}, "name": STR, "kind": KIND},
            },
            "contact": STR,
            "engaged_on": DAY,
            "summary": STR,
            "advice": STR,
            "confidential": {"type": "boolean"},
            "recorded_by": STR,
            "recorded_at": TS,
        },
    },
    "NewEngagement": {
        "type": "object",
        "description": "Give organisation_id (from the directory) or organisation (added to "
        "the directory in the same step), not both.",
        "required": ["engaged_on", "summary", "confidential"],
        "properties": {
            "organisation_id": {"type": "integer", "minimum": 1},
            "organisation": {
                "type": "object",
                "required": ["name", "kind"],
                "properties": ORG_FIELDS,
            },
            **ENTRY_FIELDS,
        },
    },
    "EngagementChanges": {
        "type": "object",
        "properties": {"organisation_id": {"type": "integer", "minimum": 1}, **ENTRY_FIELDS},
    },
}


def paths(h: Any) -> dict[str, Any]:
    """Paths for engagement; ``h`` carries the shared helpers (json, list, body, errors,
    page_params, ref_param) of :mod:`incident_hub.api.openapi`."""
    org_id = {"name": "org_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    entry_id = {
        "name": "engagement_id",
        "in": "path",
        "required": True,
        "schema": {"type": "integer"},
    }
    filters = [
        {"name": "q", "in": "query", "schema": STR, "description": "part of the name"},
        {"name": "kind", "in": "query", "schema": KIND},
        {"name": "country", "in": "query", "schema": STR},
    ]
    return {
        "/api/v1/organisations": {
            "get": {
                "summary": "The organisations directory, by name",
                "parameters": [*h.page_params, *filters],
                "responses": {"200": h.list("Organisation"), **h.errors(422)},
            },
            "post": {
                "summary": "Add an organisation (any signed-in user); 409 if the name is taken",
                "requestBody": h.body("NewOrganisation"),
                "responses": {
                    "201": h.json("Organisation", "Created"),
                    **h.errors(400, 403, 409, 422),
                },
            },
        },
        "/api/v1/organisations/{org_id}": {
            "get": {
                "summary": "One organisation, with the consultations you may see",
                "parameters": [org_id],
                "responses": {"200": h.json("OrganisationDetail"), **h.errors(404)},
            },
            "patch": {
                "summary": "Edit an organisation (whoever added it, or an admin)",
                "parameters": [org_id],
                "requestBody": h.body("OrganisationChanges"),
                "responses": {
                    "200": h.json("Organisation"),
                    **h.errors(400, 403, 404, 409, 422),
                },
            },
        },
        "/api/v1/cases/{ref}/engagements": {
            "get": {
                "summary": "The case's engagement log (participants, executives, admins); "
                "confidential entries only for those allowed to see them",
                "parameters": [h.ref_param, *h.page_params],
                "responses": {"200": h.list("Engagement"), **h.errors(403, 404, 422)},
            },
            "post": {
                "summary": "Record a consultation (UNGP 18, RDR G5) on the case",
                "parameters": [h.ref_param],
                "requestBody": h.body("NewEngagement"),
                # 404: no such case, or no organisation with that id; 409: the new
                # organisation's name is already in the directory
                "responses": {
                    "201": h.json("Engagement", "Created"),
                    **h.errors(400, 403, 404, 409, 422),
                },
            },
        },
        "/api/v1/cases/{ref}/engagements/{engagement_id}": {
            "patch": {
                "summary": "Correct an entry (whoever recorded it, or an admin); never deleted",
                "parameters": [h.ref_param, entry_id],
                "requestBody": h.body("EngagementChanges"),
                "responses": {
                    "200": h.json("Engagement"),
                    **h.errors(400, 403, 404, 409, 422),
                },
            },
        },
    }
