"""The public JSON shape of cases, shared by the API and Slack."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..auth.models import User
from ..auth.permissions import can_read_privileged, leads_by_function
from ..clock import iso as iso  # re-exported: the API modules read it from here
from ..extensions import db
from ..playbooks import PlaybookFunction, registry
from ..vocabulary import MemberKind, stage_label
from . import completeness, draft_filings
from .assignees import named_on
from .draft_filings import AnalysisDraft
from .models import Analysis, Assignment, Case, CaseMember, Decision, LawStage


def _spec(case: Case, function_key: str) -> PlaybookFunction | None:
    from .service import case_playbook

    playbook = case_playbook(case)  # with the functions added to the case
    return playbook.function(function_key) if playbook else None


def analysis_to_dict(a: Analysis, *, readable: bool) -> dict[str, Any]:
    """One analysis version; a privileged one the reader may not read keeps only that it was
    filed (function, author, version, when, how many questions it answers), not its text,
    answers or recommendation."""
    withheld = a.privileged and not readable
    return completeness.of(_spec(a.case, a.function_key), a.answers).to_dict() | {
        "function": a.function_key,
        "author": a.author.email,
        "analysis": "" if withheld else a.text,
        "answers": {} if withheld else a.answers,
        "recommendation": "" if withheld else a.recommendation,
        "version": a.version,
        "current": a.current,
        "filed_at": iso(a.filed_at),
        "privileged": a.privileged,
        "withheld": withheld,
    }


def members_to_dicts(case: Case, members: list[CaseMember]) -> list[dict[str, Any]]:
    """The case's opener, then each member row (a person may be named and assigned)."""
    adders = {m.added_by_id for m in members if m.added_by_id}
    users = (
        {u.id: u for u in db.session.execute(select(User).where(User.id.in_(adders))).scalars()}
        if adders
        else {}
    )
    opener = {
        "user_id": case.opened_by_id,
        "email": case.opened_by.email,
        "name": case.opened_by.name,
        "kind": MemberKind.OPENER,
        "function": None,
        "added_by": None,
        "added_at": iso(case.opened_at),
    }
    return [opener] + [
        {
            "user_id": m.user_id,
            "email": m.user.email,
            "name": m.user.name,
            "kind": m.kind,
            "function": m.function_key or None,
            "added_by": users[m.added_by_id].email if m.added_by_id in users else None,
            "added_at": iso(m.added_at),
        }
        for m in members
    ]


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
        "jurisdictions": case.jurisdictions,
        "status": case.status,
        "restricted": case.restricted,
        "opened_at": iso(case.opened_at),
        "decision_due_at": iso(case.decision_due_at),
    }


def case_to_dict(
    case: Case, reader: User | None, *, leads: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    """Full case, with assignments (and their leads), every analysis version and the decision,
    as ``reader`` may see it (privileged analyses: see :func:`analysis_to_dict`)."""
    readable = not any(a.privileged for a in case.analyses) or can_read_privileged(reader, case)
    if leads is None:
        leads = {
            key: [u.email for u in users]
            for key, users in leads_by_function(a.function_key for a in case.assignments).items()
        }
    named = named_on(case)
    out = case_summary(case)
    current, drafts = case.current_analyses(), draft_filings.drafts_of(case)
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
        version=case.version,
        assignments=[
            {
                "function": a.function_key,
                "title": registry().function_title(a.function_key),
                "lead": next(iter(leads.get(a.function_key) or []), None),
                "leads": leads.get(a.function_key, []),
                "owner": owner.email if (owner := named[a.function_key].owner) else None,
                "delegates": [u.email for u in named[a.function_key].delegates],
                "required": a.required,
                "status": a.status,
                "due_at": iso(a.due_at),
                "filed_at": iso(a.filed_at),
            }
            | _draft_fields(case, a, drafts.get(a.function_key), current.get(a.function_key))
            for a in case.assignments
        ],
        analyses=[analysis_to_dict(a, readable=readable) for a in case.analyses],
        decision=decision_to_dict(case.decision),
        decisions=[decision_to_dict(d) for d in case.decisions],
    )
    return out


def _draft_fields(
    case: Case, a: Assignment, draft: AnalysisDraft | None, current: Analysis | None
) -> dict[str, Any]:
    """An assignment's completeness and its draft filing, if any (when and by whom; what it
    says is the function's own work in progress, shown on its analysis form)."""
    spec = _spec(case, a.function_key)
    return completeness.of_assignment(spec, a.status, draft, current).to_dict() | {
        "draft_saved_at": iso(draft.saved_at) if draft else None,
        "draft_by": draft.author.email if draft else None,
    }


def stages_to_dicts(rows: list[LawStage]) -> list[dict[str, Any]]:
    """A case's law stages, oldest date first; the last one is marked current."""
    return [
        {
            "id": row.id,
            "stage": row.stage,
            "label": stage_label(row.stage),
            "dated": row.dated.isoformat(),
            "source_url": row.source_url,
            "note": row.note,
            "alert_id": row.alert_id,
            "added_by": row.added_by.email if row.added_by else None,
            "added_at": iso(row.added_at),
            "current": index == len(rows) - 1,
        }
        for index, row in enumerate(rows)
    ]
