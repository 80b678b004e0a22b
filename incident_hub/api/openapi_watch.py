"""OpenAPI paths and schemas for sources and the alert queue."""

from __future__ import annotations

from typing import Any

STR = {"type": "string"}
STRS = {"type": "array", "items": STR}
NULLABLE_TS = {"type": ["string", "null"], "format": "date-time"}
ALERT_ID = {"name": "alert_id", "in": "path", "required": True, "schema": STR}

SCHEMAS: dict[str, Any] = {
    "Source": {
        "type": "object",
        "required": ["key", "title", "url", "healthy", "last_status"],
        "properties": {
            "key": STR,
            "title": STR,
            "url": STR,
            "moved_from": {"type": ["string", "null"]},
            "moved_at": NULLABLE_TS,
            "jurisdiction": STR,
            "language": STR,
            "covers": STR,
            "interval_min": {"type": "integer"},
            "effective_interval_min": {"type": "integer"},
            "origin": STR,
            "enabled": {"type": "boolean"},
            "healthy": {"type": "boolean"},
            "last_status": {"enum": ["never", "ok", "not_modified", "error"]},
            "last_error": STR,
            "error_count": {"type": "integer"},
            "last_polled_at": NULLABLE_TS,
            "last_success_at": NULLABLE_TS,
            "next_poll_at": NULLABLE_TS,
            "items_seen": {"type": "integer"},
            "alerts_flagged": {"type": "integer"},
        },
    },
    "NewSource": {
        "type": "object",
        "required": ["key", "title", "url"],
        "properties": {
            "key": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 60},
            "title": {"type": "string", "maxLength": 200},
            "url": {"type": "string", "maxLength": 2000},
            "jurisdiction": STR,
            "language": STR,
            "covers": STR,
            "interval_min": {"type": "integer", "minimum": 1},
        },
    },
    "Alert": {
        "type": "object",
        "required": [
            "id",
            "source",
            "title",
            "url",
            "published_at",
            "topics",
            "rights",
            "jurisdictions",
            "score",
            "suggested_playbook",
            "status",
            "reports",
        ],
        "properties": {
            "id": {"type": "integer"},
            "source": STR,
            "title": STR,
            "summary": STR,
            "url": STR,
            "published_at": NULLABLE_TS,
            "topics": STRS,
            "rights": STRS,
            "jurisdictions": STRS,
            "regions": {
                **STRS,
                "description": "Places below the national level the reports name, each with "
                "its country: 'Manipur (IN)', 'Balochistan (PK)'.",
            },
            "language": {
                "type": "string",
                "description": "ISO 639-1 code of the language detected in the item that raised "
                "the alert ('' for alerts from before detection).",
            },
            "matched": STRS,
            "score": {"type": "number"},
            "suggested_playbook": {"type": ["string", "null"]},
            "status": {"enum": ["new", "dismissed", "linked", "case-opened"]},
            "triage_note": STR,
            "triaged_at": NULLABLE_TS,
            "version": {"type": "integer"},
            "changes": {"type": "object"},
            "created_at": NULLABLE_TS,
            "updated_at": NULLABLE_TS,
            "reports": {
                "type": "array",
                "description": "Every feed item that reported this development, the one that "
                "raised the alert first: the same story from several feeds is one alert.",
                "items": {"$ref": "#/components/schemas/AlertReport"},
            },
        },
    },
    "AlertReport": {
        "type": "object",
        "required": ["source", "title", "url", "published_at"],
        "properties": {
            "source": {"type": "string", "description": "the source's key"},
            "source_title": STR,
            "title": STR,
            "url": STR,
            "published_at": NULLABLE_TS,
            "matched_by": {
                "enum": ["first", "url", "title"],
                "description": "why it joined: it raised the alert, the same canonical URL, "
                "or a near-identical title from another feed within FEEDS.SAME_STORY_DAYS",
            },
        },
    },
    "Notice": {
        "type": "object",
        "required": ["id", "kind", "audience", "status", "attempts", "slack_ts"],
        "properties": {
            "id": {"type": "integer"},
            "kind": STR,
            "case": {"type": ["string", "null"]},
            "alert_id": {"type": ["integer", "null"]},
            "audience": STR,
            "status": {"enum": ["pending", "sending", "sent", "failed", "cancelled"]},
            "attempts": {"type": "integer"},
            "next_attempt_at": NULLABLE_TS,
            "slack_channel": STR,
            "slack_ts": STR,
            "last_error": STR,
            "text": STR,
            "created_at": NULLABLE_TS,
            "sent_at": NULLABLE_TS,
        },
    },
    "AuditEvent": {
        "type": "object",
        "required": ["id", "at", "actor", "action", "outcome", "prev_hash", "hash"],
        "properties": {
            "id": {"type": "integer"},
            "at": STR,
            "actor_id": {"type": ["integer", "null"]},
            "actor": STR,
            "action": STR,
            "object_type": STR,
            "object_ref": STR,
            "case_id": {"type": ["integer", "null"]},
            "origin": STR,
            "outcome": {"enum": ["ok", "denied"]},
            "details": {"type": "object"},
            "prev_hash": STR,
            "hash": STR,
        },
    },
    "AuditHead": {
        "type": "object",
        "required": ["events", "head_hash"],
        "properties": {
            "events": {"type": "integer"},
            "head_id": {"type": ["integer", "null"]},
            "head_hash": STR,
            "head_at": {"type": ["string", "null"]},
        },
    },
    "Dismiss": {"type": "object", "required": ["reason"], "properties": {"reason": STR}},
    "BulkDismiss": {
        "type": "object",
        "required": ["ids", "reason"],
        "properties": {
            "ids": {"type": "array", "items": {"type": "integer"}, "maxItems": 1000},
            "reason": STR,
        },
    },
    "Link": {"type": "object", "required": ["case"], "properties": {"case": STR}},
}


def paths(ok: Any, listing: Any, body: Any, errors: Any, page_params: list) -> dict[str, Any]:
    """The watch/triage paths, built with the main document's helpers."""
    alert_filters = [
        {"name": n, "in": "query", "schema": STR}
        for n in ("status", "topic", "right", "jurisdiction", "source", "min_score")
    ]

    def action(summary: str, schema: str | None, errs: tuple[int, ...]) -> dict[str, Any]:
        op = {
            "summary": summary,
            "parameters": [ALERT_ID],
            "responses": {"200": ok("Alert"), **errors(*errs)},
        }
        if schema:
            op["requestBody"] = body(schema)
        return op

    return {
        "/api/v1/sources": {
            "get": {
                "summary": "Feed sources with their health",
                "responses": {"200": listing("Source"), **errors()},
            },
            "post": {
                "summary": "Add a source (admin)",
                "requestBody": body("NewSource"),
                "responses": {"201": ok("Source"), **errors(400, 403, 409, 422)},
            },
        },
        "/api/v1/alerts": {
            "get": {
                "summary": "The alert queue, newest first, one alert per development with every "
                "report of it (every status unless status is given)",
                "parameters": [*page_params, *alert_filters],
                "responses": {"200": listing("Alert"), **errors(422)},
            }
        },
        "/api/v1/alerts/dismiss": {
            "post": {
                "summary": "Dismiss several new alerts at once (triagers, admins)",
                "requestBody": body("BulkDismiss"),
                "responses": {"200": listing("Alert"), **errors(400, 403, 404, 409, 422)},
            }
        },
        "/api/v1/alerts/{alert_id}": {
            "get": {
                "summary": "One alert",
                "parameters": [ALERT_ID],
                "responses": {"200": ok("Alert"), **errors(404)},
            }
        },
        "/api/v1/alerts/{alert_id}/dismiss": {
            "post": action(
                "Dismiss with a reason (kept, reversible)", "Dismiss", (400, 403, 404, 409, 422)
            )
        },
        "/api/v1/alerts/{alert_id}/restore": {
            "post": action("Put a dismissed alert back in the queue", None, (403, 404, 409))
        },
        "/api/v1/alerts/{alert_id}/link": {
            "post": action("Link the alert to an existing case", "Link", (400, 403, 404, 409, 422))
        },
        "/api/v1/notices": {
            "get": {
                "summary": "The Slack outbox with status, attempts and Slack ts (admin)",
                "parameters": [
                    *page_params,
                    {"name": "status", "in": "query", "schema": STR},
                    {"name": "case", "in": "query", "schema": STR},
                ],
                "responses": {"200": listing("Notice"), **errors(403, 422)},
            }
        },
        "/api/v1/audit": {
            "get": {
                "summary": "Audit events, newest first (admin)",
                "parameters": [
                    *page_params,
                    *[
                        {"name": n, "in": "query", "schema": STR}
                        for n in ("action", "actor", "case", "outcome")
                    ],
                ],
                "responses": {"200": listing("AuditEvent"), **errors(403, 422)},
            }
        },
        "/api/v1/audit/head": {
            "get": {
                "summary": "The audit chain's head hash and event count (admin)",
                "responses": {"200": ok("AuditHead"), **errors(403)},
            }
        },
    }
