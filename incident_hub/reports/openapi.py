"""OpenAPI paths and schemas for reports."""

from __future__ import annotations

from typing import Any

from . import rdr

_COUNT = {"type": "integer", "minimum": 0}
_DAYS = {"type": ["number", "null"], "minimum": 0}


def _obj(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required if required is not None else list(properties),
        "properties": properties,
    }


def _rows(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": _obj(properties)}


_TTD = {"decided": _COUNT, "median_days": _DAYS, "p90_days": _DAYS}
_STR = {"type": "string"}
_TITLED = {"title": _STR, "count": _COUNT}

SCHEMAS: dict[str, Any] = {
    "ReportSummary": _obj(
        {
            "generated_at": {"type": "string", "format": "date-time"},
            "scope": {"type": "string"},
            "open_cases": _obj(
                {
                    "total": _COUNT,
                    "by_jurisdiction": _rows({"jurisdiction": {"type": "string"}, "count": _COUNT}),
                    "by_playbook": _rows({"playbook": _STR, **_TITLED}),
                }
            ),
            "time_to_decision": _obj(
                {
                    "overall": _obj(_TTD),
                    "by_playbook": _rows(
                        {"playbook": {"type": "string"}, "title": {"type": "string"}, **_TTD}
                    ),
                }
            ),
            "overdue_analyses": _obj(
                {
                    "total": _COUNT,
                    "by_function": _rows({"function": _STR, **_TITLED}),
                }
            ),
            "alerts_by_week": _rows(
                {
                    "week_start": {"type": "string", "format": "date"},
                    "flagged": _COUNT,
                    "dismissed": _COUNT,
                }
            ),
            "source_yield": _rows(
                {
                    "source": {"type": "string"},
                    "title": {"type": "string"},
                    "items_seen": _COUNT,
                    "alerts": _COUNT,
                    "led_to_case": _COUNT,
                    "linked": _COUNT,
                    "yield": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                }
            ),
        }
    ),
    "TransparencyReport": _obj(
        {
            "report": {"const": "transparency"},
            "standard": {"type": "string"},
            "year": {"type": "integer"},
            "generated_at": {"type": "string", "format": "date-time"},
            "excluded": {"type": "string"},
            "counted_by": {"type": "string"},
            "indicators": _rows({"code": {"type": "string"}, "title": {"type": "string"}}),
            "demand_types": {"type": "object", "additionalProperties": {"type": "string"}},
            "compliance_by_option": {"type": "object", "additionalProperties": {"type": "string"}},
            "rows": _rows(
                {
                    "year": {"type": "integer"},
                    "country": {"type": "string"},
                    "legal_authority": {"type": "string"},
                    "indicator": {"enum": [i.code for i in rdr.INDICATORS]},
                    "demand_type": {"type": "string"},
                    "playbook": {"type": "string"},
                    "outcome": {"type": "string"},
                    "outcome_title": {"type": "string"},
                    "compliance": {"enum": list(rdr.COMPLIANCE_CLASSES)},
                    "count": _COUNT,
                }
            ),
            "totals": {
                "type": "array",
                "items": _obj(
                    {
                        "indicator": {"type": "string"},
                        "demand_type": {"type": "string"},
                        "count": _COUNT,
                        **{c.replace(" ", "_"): _COUNT for c in rdr.COMPLIANCE_CLASSES},
                    }
                ),
            },
        }
    ),
}


def paths(h: Any) -> dict[str, Any]:
    """Paths for reports; ``h`` carries the shared helpers (json, list, body, errors,
    page_params, ref_param) of :mod:`incident_hub.api.openapi`."""
    text = {"schema": {"type": "string"}}
    return {
        "/api/v1/reports/summary": {
            "get": {
                "summary": "Dashboard figures over the cases you may see",
                "responses": {"200": h.json("ReportSummary"), **h.errors()},
            }
        },
        "/api/v1/reports/transparency": {
            "get": {
                "summary": "Transparency export in RDR terms (F6, P11, F10, G4) for one year; "
                "restricted and gag-order cases excluded (admins, executives, triagers; audited)",
                "parameters": [
                    {
                        "name": "year",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1900, "maximum": 9998},
                        "description": "Year the cases were opened (default: this year)",
                    },
                    {"name": "format", "in": "query", "schema": {"enum": ["json", "csv"]}},
                ],
                "responses": {
                    "200": {
                        "description": "The export (CSV: '#' metadata lines, then a header row)",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/TransparencyReport"}
                            },
                            "text/csv": text,
                        },
                    },
                    **h.errors(403, 422),
                },
            }
        },
        "/api/v1/cases/{ref}/dossier": {
            "get": {
                "summary": "The case dossier for the board, Markdown or PDF (audited)",
                "parameters": [
                    h.ref_param,
                    {"name": "format", "in": "query", "schema": {"enum": ["md", "pdf"]}},
                ],
                "responses": {
                    "200": {
                        "description": "The dossier as an attachment",
                        "content": {
                            "text/markdown": text,
                            "application/pdf": {
                                "schema": {"type": "string", "contentMediaType": "application/pdf"}
                            },
                        },
                    },
                    **h.errors(404, 422),
                },
            }
        },
    }
