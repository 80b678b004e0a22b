"""When each part of a case falls due: from the playbook, the working calendar and the law.

Without a response deadline a function's analysis is due ``due_days`` *business days* after
the case opened (weekends and the public holidays of the case's and the company's countries
skipped, :mod:`incident_hub.workcal`; read in ``[REMINDERS] TIMEZONE``, due at the same clock
time it opened), the decision ``decision_due_days`` business days after. An urgent playbook
counts clock hours instead (``due_hours``, ``decision_due_hours``): an emergency does not wait
for Monday.

With a response deadline the deadline rules, on the government's clock (nights, weekends and
holidays included): a function is due after its ``deadline_share`` of the time from opening to
the deadline, the decision ``decision_before_deadline_hours`` before it. The earlier of that and
the playbook's own due time wins, so a deadline far away never delays work the playbook wants
sooner. The decision is never due before opening, an analysis never after the decision, and
nothing ever after the deadline: a deadline already past makes everything due at the deadline
(overdue at once).

:func:`reschedule` recomputes a case's open due times when its deadline changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..audit.models import AuditEvent
from ..clock import as_utc, iso
from ..errors import Conflict
from ..extensions import db
from ..playbooks import Playbook
from ..vocabulary import OUTSTANDING, UNDECIDED, CaseStatus
from ..workcal import countries_for, is_business_day, zone
from .models import Case

__all__ = ["Plan", "add_business_days", "plan", "reschedule", "round_start"]


@dataclass(frozen=True)
class Plan:
    """Due times: each function's analysis (by function key) and the decision."""

    functions: dict[str, datetime]
    decision: datetime


def add_business_days(start: datetime, days: float, countries: Sequence[str]) -> datetime:
    """``start`` plus ``days`` business days, at the same clock time in ``[REMINDERS]
    TIMEZONE`` (a fraction of a day adds its hours after the whole days); a time that lands on
    a weekend or holiday moves on to the next business day."""
    local = as_utc(start).astimezone(zone())
    whole = int(days)
    for _ in range(whole):
        local = _next_business_day(local + timedelta(days=1), countries)
    local = _next_business_day(local + timedelta(hours=(days - whole) * 24), countries)
    return as_utc(local.astimezone(UTC))


def _next_business_day(local: datetime, countries: Sequence[str]) -> datetime:
    for _ in range(366):  # a calendar with no business day in a year is a broken config
        if is_business_day(local.date(), countries):
            return local
        local += timedelta(days=1)
    return local


def _due(playbook: Playbook, start: datetime, days: float, countries: Sequence[str]) -> datetime:
    if playbook.urgent:
        return start + timedelta(hours=days * 24)
    return add_business_days(start, days, countries)


def plan(
    playbook: Playbook,
    start: datetime,
    deadline: datetime | None,
    jurisdictions: Sequence[str],
) -> Plan:
    """The due times of a case of ``playbook`` opened (or its round started) at ``start``."""
    start = as_utc(start)
    countries = () if playbook.urgent else countries_for(jurisdictions)
    functions = {f.key: _due(playbook, start, f.due_days, countries) for f in playbook.functions}
    decision = _due(playbook, start, playbook.decision_due_days, countries)
    if deadline is None:
        return Plan(functions, decision)
    deadline = as_utc(deadline)
    if deadline <= start:  # already past: everything is due at it, overdue at once
        return Plan(dict.fromkeys(functions, deadline), deadline)
    before = timedelta(hours=playbook.decision_before_deadline_hours)
    decision = min(decision, max(start, deadline - before))
    span = deadline - start
    for f in playbook.functions:
        functions[f.key] = min(functions[f.key], start + span * f.deadline_share, decision)
    return Plan(functions, decision)


def round_start(case: Case) -> datetime:
    """When the case's current round began: its opening, or its latest reopening."""
    if case.round <= 1:
        return as_utc(case.opened_at)
    reopened = db.session.execute(
        select(AuditEvent.at)
        .where(
            AuditEvent.case_id == case.id,
            AuditEvent.action == f"case.{CaseStatus.OPEN}",
            AuditEvent.outcome == "ok",
        )
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).scalar()
    return as_utc(reopened or case.opened_at)


def reschedule(actor: Actor, case: Case, reason: str) -> AuditEvent | None:
    """Recompute the due times still open on ``case`` (locked, inside a transaction) from its
    current response deadline: each pending assignment's and the decision's, while the case is
    undecided (a decided or closed case has nothing due: None).

    Due times are planned from the start of the current round, as if the deadline had been
    known then (so a shorter deadline never moves anything later). Returns None when nothing
    moved; else the ``case.rescheduled`` audit event (before and after, ISO, per function and
    "decision"), announced to the assigned leads of the functions that moved and to the
    executives. A due time moved later starts its reminders afresh.
    """
    from . import notices
    from .service import case_playbook

    playbook = case_playbook(case)  # functions added to the case move with the deadline too
    if playbook is None:
        raise Conflict(f"playbook {case.playbook_key!r} of {case.ref} is no longer installed")
    new = plan(playbook, round_start(case), case.response_deadline, case.jurisdictions)
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    if case.status not in UNDECIDED:  # decided or closed: nothing is due any more
        return None
    for assignment in case.assignments:
        due = new.functions.get(assignment.function_key)
        if assignment.status not in OUTSTANDING or due is None:
            continue
        old = as_utc(assignment.due_at)
        if due != old:
            before[assignment.function_key], after[assignment.function_key] = iso(old), iso(due)
            if due > old:
                assignment.last_reminded_at = None
            assignment.due_at = due
    old = as_utc(case.decision_due_at)
    if new.decision != old:
        before["decision"], after["decision"] = iso(old), iso(new.decision)
        if new.decision > old:
            case.decision_reminded_at = case.escalated_at = None
        case.decision_due_at = new.decision
    if not after:
        return None
    event = audit.record(
        actor,
        "case.rescheduled",
        "case",
        case.ref,
        case_id=case.id,
        details={
            "reason": reason,
            "deadline": iso(case.response_deadline),
            "before": before,
            "after": after,
        },
    )
    notices.case_rescheduled(case, event, sorted(k for k in after if k != "decision"))
    return event
