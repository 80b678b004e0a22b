"""Reminders and escalations, computed from database state until a decision is recorded
(and after it, reminders of follow-through actions: followthrough/reminders.py).

Each sweep asks: which assignments are overdue, which cases await a decision past a reminder
slot, which are past their escalation time — and writes one notice per reminder *slot*, with a
unique key (assignment/case, round, slot, person). A crash, a restart or a second scheduler can
propose the same slot again; the key lets exactly one row in. Sweeps only send within working
hours on business days in REMINDERS.TIMEZONE; a slot that falls outside them goes out at the
next working sweep.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from ..auth.models import User, UserFunction
from ..cases.models import Assignment, Case
from ..extensions import db
from ..playbooks import registry
from .events import audience_of, executives
from .messages import case_message
from .outbox import enqueue_unique

ASSIGNMENT_EVERY = timedelta(hours=20)  # at most one overdue reminder per working day
CHUNK = 500


def _hhmm(value: str) -> time:
    hours, minutes = (int(part) for part in value.split(":"))
    return time(hours, minutes)


def working_time(at: datetime) -> tuple[bool, datetime]:
    """Whether ``at`` is within working hours, and the local time it stands for."""
    cfg = current_app.config["REMINDERS"]
    local = at.astimezone(ZoneInfo(cfg["TIMEZONE"]))
    start, end = _hhmm(cfg["WORKDAY_START"]), _hhmm(cfg["WORKDAY_END"])
    return local.weekday() in cfg["BUSINESS_DAYS"] and start <= local.time() < end, local


def sweep(at: datetime) -> dict[str, Any]:
    """Write the reminder and escalation notices due as of ``at``; commit; return counts."""
    from ..followthrough.reminders import action_reminders  # follow-through builds on notify

    working, local = working_time(at)
    if not working:
        return {"overdue": 0, "decision": 0, "escalations": 0, "outside_working_hours": True}
    counts = {
        "overdue": _overdue_assignments(at, local),
        "decision": _decision_reminders(at),
        "escalations": _escalations(at),
        "actions": action_reminders(at, local, ASSIGNMENT_EVERY),
    }
    db.session.commit()
    return counts


def _leads_by_function() -> dict[str, list[User]]:
    rows = db.session.execute(
        select(UserFunction.function_key, User).join(User).where(User.active.is_(True))
    ).all()
    out: dict[str, list[User]] = {}
    for key, user in rows:
        out.setdefault(key, []).append(user)
    return out


def _row(kind: str, case_id: int, audience: str, payload: dict, key: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "case_id": case_id,
        "audience": audience[:120],
        "payload": payload,
        "dedup_key": key[:200],
        **(
            {"status": "failed", "last_error": f"{audience[5:]} has no Slack user id"}
            if audience.startswith("user:")
            else {}
        ),
    }


def _mark(column, ids: list[int], at: datetime) -> None:  # noqa: ANN001
    """Record when reminders went out, in chunks (bounded statement size)."""
    for start in range(0, len(ids), CHUNK):
        table = column.class_
        db.session.execute(
            update(table)
            .where(table.id.in_(ids[start : start + CHUNK]))
            .values({column.key: at})
            .execution_options(synchronize_session=False)  # the loaded rows are not used again
        )


def _overdue_assignments(at: datetime, local: datetime) -> int:
    # Plain rows, not ORM objects: a first sweep may meet tens of thousands of overdue rows.
    due = db.session.execute(
        select(
            Assignment.id,
            Assignment.function_key,
            Assignment.due_at,
            Case.id.label("case_id"),
            Case.ref,
            Case.title,
            Case.status,
            Case.jurisdiction,
            Case.restricted,
            Case.salience,
            Case.round,
        )
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Case.status == "open",
            Assignment.status == "pending",
            Assignment.due_at <= at,
            (Assignment.last_reminded_at.is_(None))
            | (Assignment.last_reminded_at <= at - ASSIGNMENT_EVERY),
        )
    ).all()
    if not due:
        return 0
    leads, rows = _leads_by_function(), []
    for row in due:
        title = registry().function_title(row.function_key)
        payload = case_message(
            row,
            "Overdue: your analysis",
            due=row.due_at,
            detail=f"The {title} analysis is overdue.",
        )
        for lead in leads.get(row.function_key, []):
            audience = audience_of(lead)
            key = f"overdue:{row.id}:r{row.round}:{local.date()}:{audience}"
            rows.append(_row("assignment_overdue", row.case_id, audience, payload, key))
    _mark(Assignment.last_reminded_at, [row.id for row in due], at)
    return enqueue_unique(rows)


def _decision_reminders(at: datetime) -> int:
    cases = db.session.execute(
        select(Case).where(Case.status == "awaiting_decision", Case.awaiting_since.is_not(None))
    ).scalars()
    execs = [e for e in executives()]
    rows, reminded = [], []
    for case in cases:
        playbook = registry().get(case.playbook_key)
        every = timedelta(hours=playbook.reminder_every_hours if playbook else 24)
        since = case.awaiting_since
        assert since is not None  # the query selects awaiting_since IS NOT NULL
        slot = int((at - since) / every)
        if slot < 1:
            continue
        slot_start = since + slot * every
        if case.decision_reminded_at is not None and case.decision_reminded_at >= slot_start:
            continue
        payload = case_message(case, "Reminder: decision needed", due=case.decision_due_at)
        for person in execs:
            audience = audience_of(person)
            key = f"decision:{case.id}:r{case.round}:s{slot}:{audience}"
            rows.append(_row("decision_reminder", case.id, audience, payload, key))
        reminded.append(case.id)
    _mark(Case.decision_reminded_at, reminded, at)
    return enqueue_unique(rows)


def _escalations(at: datetime) -> int:
    candidates = db.session.execute(
        select(Case).where(
            Case.status.in_(("open", "awaiting_decision")),
            Case.escalated_at.is_(None),
            Case.decision_due_at <= at,
        )
    ).scalars()
    override = current_app.config["SLACK"]["ESCALATION_CHANNEL"]
    rows, escalated = [], []
    for case in candidates:
        playbook = registry().get(case.playbook_key)
        after = timedelta(hours=playbook.escalate_after_hours if playbook else 24)
        if at < case.decision_due_at + after:
            continue
        audience = override or (playbook.escalate_to if playbook else "") or "#incident-hub"
        late = at - case.decision_due_at
        payload = case_message(
            case,
            "Escalation: no decision yet",
            due=case.decision_due_at,
            detail=f"The decision is {late.days}d {late.seconds // 3600}h overdue.",
        )
        key = f"escalation:{case.id}:r{case.round}:{audience}"
        rows.append(_row("decision_escalation", case.id, audience, payload, key))
        escalated.append(case.id)
    _mark(Case.escalated_at, escalated, at)
    return enqueue_unique(rows)
