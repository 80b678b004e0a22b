"""The public JSON shape of cases, shared by the API and Slack."""

from __future__ import annotations

from typing import Any

from ..auth.permissions import leads_by_function
from ..clock import iso as iso  # re-exported: the API modules read it from here
from ..playbooks import registry
from .models import Analysis, Case, Decision


def analysis_to_dict(a: Analysis) -> dict[str, Any]:
    return {
        "function": a.function_key,
        "author": a.author.email,
        "analysis": a.text,
        "answers": a.answers,
        "recommendation": a.recommendation,
        "version": a.version,
        "current": a.current,
        "filed_at": iso(a.filed_at),
    }


def decision_to_dict(d: Decision | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "option": d.option_key,
        "rationale": d.rationale,
        "conditions": d.conditions,
        "executive": d.executive.email,
        "override": d.overridden,
        "round": d.round,
        "decided_at": iso(d.decided_at),
    }


def case_summary(case: Case) -> dict[str, Any]:
    return {
        "ref": case.ref,
        "title": case.title,
        "playbook": case.playbook_key,
        "jurisdiction": case.jurisdiction,
        "status": case.status,
        "restricted": case.restricted,
        "opened_at": iso(case.opened_at),
        "decision_due_at": iso(case.decision_due_at),
    }


def case_to_dict(case: Case, *, leads: dict[str, list[str]] | None = None) -> dict[str, Any]:
    """Full case, with assignments (and their leads), every analysis version and the decision."""
    if leads is None:
        leads = {
            key: [u.email for u in users]
            for key, users in leads_by_function(a.function_key for a in case.assignments).items()
        }
    out = case_summary(case)
    out.update(
        summary=case.summary,
        intake={
            "instrument": case.instrument,
            "authority": case.authority,
            "legal_basis": case.legal_basis,
            "stage": case.stage,
            "effective_date": iso(case.effective_date),
            "response_deadline": iso(case.response_deadline),
            "gag_order": case.gag_order,
            "source_url": case.source_url,
        },
        opened_by=case.opened_by.email,
        round=case.round,
        assignments=[
            {
                "function": a.function_key,
                "title": registry().function_title(a.function_key),
                "lead": next(iter(leads.get(a.function_key) or []), None),
                "leads": leads.get(a.function_key, []),
                "required": a.required,
                "status": a.status,
                "due_at": iso(a.due_at),
                "filed_at": iso(a.filed_at),
            }
            for a in case.assignments
        ],
        analyses=[analysis_to_dict(a) for a in case.analyses],
        decision=decision_to_dict(case.decision),
        decisions=[decision_to_dict(d) for d in case.decisions],
    )
    return out
