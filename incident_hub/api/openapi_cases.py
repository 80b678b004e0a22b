"""OpenAPI schemas of the case API (playbooks, cases, analyses, decisions)."""

from __future__ import annotations

from typing import Any

TS = {"type": ["string", "null"], "format": "date-time"}


def schemas() -> dict[str, Any]:
    return {
        "Error": {
            "type": "object",
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "required": ["code", "message"],
                    "properties": {
                        "code": {"type": "string"},
                        "message": {"type": "string"},
                        "field": {"type": "string"},
                    },
                }
            },
        },
        "Playbook": {
            "type": "object",
            "required": ["key", "title", "rights", "functions", "options"],
            "properties": {
                "key": {"type": "string"},
                "title": {"type": "string"},
                "summary": {"type": "string"},
                "rights": {"type": "array", "items": {"type": "string"}},
                "decision_due_days": {"type": "number"},
                "functions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["key", "title", "due_days", "questions"],
                        "properties": {
                            "key": {"type": "string"},
                            "title": {"type": "string"},
                            "due_days": {"type": "number"},
                            "required": {"type": "boolean"},
                            "questions": {
                                "type": "array",
                                "items": {
                                    "type": "object",
                                    "properties": {
                                        "key": {"type": "string"},
                                        "text": {"type": "string"},
                                    },
                                },
                            },
                        },
                    },
                },
                "options": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["key", "title"],
                        "properties": {
                            "key": {"type": "string"},
                            "title": {"type": "string"},
                            "description": {"type": "string"},
                        },
                    },
                },
            },
        },
        "CaseSummary": {
            "type": "object",
            "required": [
                "ref",
                "title",
                "playbook",
                "jurisdiction",
                "status",
                "restricted",
                "opened_at",
                "decision_due_at",
            ],
            "properties": {
                "ref": {"type": "string", "pattern": "^INC-[0-9]{4}-[0-9]{4,}$"},
                "title": {"type": "string"},
                "playbook": {"type": "string"},
                "jurisdiction": {"type": "string"},
                "status": {"enum": ["open", "awaiting_decision", "decided", "closed"]},
                "restricted": {"type": "boolean"},
                "opened_at": TS,
                "decision_due_at": TS,
                "salience": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 100,
                    "description": "Human-rights salience 1–100 (0: not assessed); see Assessment",
                },
                "salience_band": {"enum": ["low", "medium", "high", "critical", None]},
            },
        },
        "Case": {
            "allOf": [
                {"$ref": "#/components/schemas/CaseSummary"},
                {
                    "type": "object",
                    "required": ["assignments", "analyses", "decision"],
                    "properties": {
                        "summary": {"type": "string"},
                        "intake": {"type": "object"},
                        "opened_by": {"type": "string"},
                        "round": {"type": "integer"},
                        "assignments": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["function", "lead", "status", "due_at"],
                                "properties": {
                                    "function": {"type": "string"},
                                    "lead": {"type": ["string", "null"]},
                                    "status": {"enum": ["pending", "filed", "waived"]},
                                    "due_at": TS,
                                },
                            },
                        },
                        "analyses": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Analysis"},
                        },
                        "decision": {
                            "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Decision"}]
                        },
                        "assessment": {
                            "oneOf": [
                                {"type": "null"},
                                {"$ref": "#/components/schemas/Assessment"},
                            ]
                        },
                    },
                },
            ],
        },
        "Analysis": {
            "type": "object",
            "properties": {
                "function": {"type": "string"},
                "author": {"type": "string"},
                "analysis": {"type": "string"},
                "recommendation": {"type": "string"},
                "answers": {"type": "object"},
                "version": {"type": "integer"},
                "current": {"type": "boolean"},
                "filed_at": TS,
            },
        },
        "Decision": {
            "type": "object",
            "properties": {
                "option": {"type": "string"},
                "rationale": {"type": "string"},
                "conditions": {"type": "string"},
                "executive": {"type": "string"},
                "override": {"type": "boolean"},
                "decided_at": TS,
            },
        },
        "NewCase": {
            "type": "object",
            "required": ["title", "playbook", "jurisdiction"],
            "properties": {
                "title": {"type": "string", "maxLength": 300},
                "playbook": {"type": "string"},
                "jurisdiction": {"type": "string", "pattern": "^[A-Za-z]{2}$"},
                "summary": {"type": "string"},
                "restricted": {"type": "boolean"},
                "instrument": {"type": "string"},
                "authority": {"type": "string"},
                "legal_basis": {"type": "string"},
                "stage": {"enum": ["draft", "consultation", "adopted", "in_force"]},
                "effective_date": {"type": "string", "format": "date"},
                "response_deadline": {"type": "string", "format": "date-time"},
                "gag_order": {"type": "boolean"},
                "source_url": {"type": "string"},
                "alert_ids": {"type": "array", "items": {"type": "integer"}},
            },
        },
        "NewAnalysis": {
            "type": "object",
            "required": ["function", "analysis", "recommendation"],
            "properties": {
                "function": {"type": "string"},
                "analysis": {"type": "string"},
                "recommendation": {"type": "string"},
                "answers": {"type": "object", "additionalProperties": {"type": "string"}},
                "assessment": {
                    "$ref": "#/components/schemas/AssessmentInput",
                    "description": "human-rights analysis: fills the case's assessment; legal "
                    "analysis: Telenor's tests only; other functions: not allowed (422)",
                },
            },
        },
        "NewDecision": {
            "type": "object",
            "required": ["option", "rationale"],
            "properties": {
                "option": {"type": "string"},
                "rationale": {"type": "string"},
                "conditions": {"type": "string"},
                "override": {"type": "boolean"},
            },
        },
        "Note": {"type": "object", "properties": {"note": {"type": "string"}}},
    }
