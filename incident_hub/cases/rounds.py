"""A case's rounds as they happened: who opened or reopened each and why, the analyses filed
in it, its decision, its follow-through actions and what became of them, and when it closed.

A case starts in round 1 and each reopen starts the next one (``Case.round``). Analyses,
decisions and actions carry their round; when a round started and closed is read from the
audit trail (the ``case.open`` event of each reopen, the ``case.closed`` events), so cases
reopened before rounds were recorded read the same. An action carried over by a reopen
belongs to the newest round it reached, and shows as *carried* in each round it left.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..audit.models import AuditEvent
from ..auth.models import User
from ..auth.permissions import can_read_privileged
from ..clock import iso
from ..extensions import db
from ..followthrough.models import Action
from ..followthrough.queries import actions_of
from .models import Analysis, Case, Decision
from .serialize import decision_to_dict

CARRIED = "carried"  # an action's outcome in a round it was carried over from


@dataclass
class RoundAction:
    """An action as one round saw it: its outcome there (open, done, waived or carried)."""

    action: Action
    outcome: str


@dataclass
class Round:
    number: int
    current: bool
    opened_at: datetime | None  # None: a round whose start the audit trail does not show
    opened_by: str  # the opener's or reopener's email (the audit trail's actor)
    note: str  # why it was reopened ("" for round 1)
    closed_at: datetime | None
    decision: Decision | None
    analyses: list[Analysis] = field(default_factory=list)
    actions: list[RoundAction] = field(default_factory=list)


def _boundaries(case: Case) -> tuple[list[AuditEvent], list[AuditEvent]]:
    """The case's reopen events and its close events, oldest first."""
    rows = db.session.execute(
        select(AuditEvent)
        .where(
            AuditEvent.case_id == case.id,
            AuditEvent.outcome == "ok",
            AuditEvent.action.in_(("case.open", "case.closed")),
        )
        .order_by(AuditEvent.id)
    ).scalars()
    reopens: list[AuditEvent] = []
    closes: list[AuditEvent] = []
    for event in rows:
        (reopens if event.action == "case.open" else closes).append(event)
    return reopens, closes


def _outcomes(number: int, actions: list[Action]) -> list[RoundAction]:
    seen = []
    for action in actions:
        if action.round == number:
            seen.append(RoundAction(action, action.status))
        elif (action.carried_from_round or action.round) <= number < action.round:
            seen.append(RoundAction(action, CARRIED))
    return seen


def rounds_of(case: Case, actions: list[Action] | None = None) -> list[Round]:
    """Every round of ``case``, the first first (``actions``: the case's actions when the
    caller has them already)."""
    actions = actions_of(case) if actions is None else actions
    reopens, closes = _boundaries(case)
    rounds = []
    for number in range(1, case.round + 1):
        start = reopens[number - 2] if 0 <= number - 2 < len(reopens) else None
        end = reopens[number - 1] if number - 1 < len(reopens) else None
        after = start.id if start else 0
        closed = [e for e in closes if e.id > after and (end is None or e.id < end.id)]
        opened_at: datetime | None
        if number == 1:
            opened_at, by, note = case.opened_at, case.opened_by.email, ""
        else:
            opened_at = start.at if start else None
            by = start.actor if start else ""
            note = str(start.details.get("reason", "")) if start else ""
        rounds.append(
            Round(
                number=number,
                current=number == case.round,
                opened_at=opened_at,
                opened_by=by,
                note=note,
                closed_at=closed[-1].at if closed and number < case.round else case.closed_at,
                decision=next((d for d in case.decisions if d.round == number), None),
                analyses=[a for a in case.analyses if a.round == number],
                actions=_outcomes(number, actions),
            )
        )
    return rounds


def round_to_dict(r: Round, *, readable: bool) -> dict[str, Any]:
    """One round as the API shows it; a privileged analysis the reader may not read keeps
    only that it was filed (see :func:`..serialize.analysis_to_dict`)."""
    return {
        "number": r.number,
        "current": r.current,
        "opened_at": iso(r.opened_at),
        "opened_by": r.opened_by,
        "note": r.note,
        "closed_at": iso(r.closed_at),
        "analyses": [
            {
                "function": a.function_key,
                "author": a.author.email,
                "version": a.version,
                "recommendation": "" if a.privileged and not readable else a.recommendation,
                "privileged": a.privileged,
                "withheld": a.privileged and not readable,
                "filed_at": iso(a.filed_at),
            }
            for a in r.analyses
        ],
        "decision": decision_to_dict(r.decision),
        "actions": [
            {
                "id": ra.action.id,
                "title": ra.action.title,
                "owner": ra.action.owner.email,
                "owner_name": ra.action.owner.name,
                "due_at": iso(ra.action.due_at),
                "outcome": ra.outcome,
                "note": "" if ra.outcome == CARRIED else ra.action.note,
                "completed_at": None if ra.outcome == CARRIED else iso(ra.action.completed_at),
            }
            for ra in r.actions
        ],
    }


def rounds_to_dicts(case: Case, reader: User | None) -> list[dict[str, Any]]:
    """Every round of ``case`` as ``reader`` may see it (the caller checked they see the case)."""
    readable = not any(a.privileged for a in case.analyses) or can_read_privileged(reader, case)
    return [round_to_dict(r, readable=readable) for r in rounds_of(case)]
