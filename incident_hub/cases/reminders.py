"""Reminders and escalations of a case until its decision is recorded: overdue analyses,
decision reminders and escalations past the decision's due time. Each writes one outbox row per
reminder slot with a unique key (assignment/case, round, slot, person), so a crash, a restart or
a second scheduler proposing the same slot again lets exactly one row in.

Each person is reminded within their own working hours (``WorkingHours``, notify/reminders.py):
a reminder not sent because it is night or a holiday for that person is proposed again at the
next sweep and goes out at their next working one. An assignment or case is marked reminded only
once everyone it reminds was reached, so nobody's slot is skipped; the keys that count days use
the recipient's own date. Urgent playbooks are reminded and escalated around the clock.
``hours.only_urgent`` (nobody is at work anywhere) narrows each query to urgent cases.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from ..notify.events import executives, user_rows
from ..notify.messages import case_message
from ..notify.outbox import enqueue_unique
from ..notify.reminders import ASSIGNMENT_EVERY, WorkingHours, mark_reminded, reminder_row
from ..playbooks import registry
from ..vocabulary import (
    OUTSTANDING,
    UNDECIDED,
    AssignmentStatus,
    CaseStatus,
    MemberKind,
    NoticeKind,
)
from .assignees import named_by_assignment
from .models import Assignment, Case, CaseMember


def _assigned_leads(case_ids: set[int]) -> dict[tuple[int, str], list[User]]:
    """(case id, function key) -> the active leads assigned to it: who is reminded (a lead of
    the function who is not on the case is not told about it)."""
    out: dict[tuple[int, str], list[User]] = {}
    ids = sorted(case_ids)
    for start in range(0, len(ids), 500):
        rows = db.session.execute(
            select(CaseMember.case_id, CaseMember.function_key, User)
            .join(User, User.id == CaseMember.user_id)
            .where(
                CaseMember.case_id.in_(ids[start : start + 500]),
                CaseMember.kind == MemberKind.ASSIGNED,
                User.active.is_(True),
            )
        ).all()
        for case_id, key, user in rows:
            out.setdefault((case_id, key), []).append(user)
    return out


def _urgent_only(query, hours: WorkingHours):  # noqa: ANN001, ANN202
    """``query`` narrowed to the cases of urgent playbooks when nobody is at work anywhere."""
    if hours.only_urgent:
        return query.where(Case.playbook_key.in_(hours.urgent_playbooks))
    return query


def overdue_assignments(at: datetime, hours: WorkingHours) -> int:
    # Plain rows, not ORM objects: a first sweep may meet tens of thousands of overdue rows.
    query = (
        select(
            Assignment.id,
            Assignment.function_key,
            Assignment.due_at,
            Assignment.status.label("assignment_status"),
            Case.id.label("case_id"),
            Case.ref,
            Case.title,
            Case.status,
            Case.jurisdiction,
            Case.restricted,
            Case.gag_order,  # secret (restricted or gagged): case_message shows the ref alone
            Case.salience,
            Case.round,
            Case.playbook_key,
        )
        .join(Case, Case.id == Assignment.case_id)
        .where(
            Case.status == CaseStatus.OPEN,
            Assignment.status.in_(OUTSTANDING),
            Assignment.due_at <= at,
            (Assignment.last_reminded_at.is_(None))
            | (Assignment.last_reminded_at <= at - ASSIGNMENT_EVERY),
        )
    )
    due = db.session.execute(_urgent_only(query, hours)).all()
    if not due:
        return 0
    leads, rows, reminded = _assigned_leads({row.case_id for row in due}), [], []
    named = named_by_assignment(row.id for row in due)
    for row in due:
        # its owner and delegates; an assignment nobody has taken yet: its assigned leads
        assigned = [u for u in named[row.id].people if u.active] or leads.get(
            (row.case_id, row.function_key), []
        )
        reached = [lead for lead in assigned if hours.reaches(row, lead)]
        if assigned and not reached:
            continue  # night or a holiday for every lead: their next working sweep
        if len(reached) == len(assigned):
            reminded.append(row.id)
        title = registry().function_title(row.function_key)
        payload = case_message(
            row,
            "Overdue: your analysis",
            due=row.due_at,
            detail=f"The {title} analysis is overdue."
            + (
                " Its draft still leaves required questions open."
                if row.assignment_status == AssignmentStatus.DRAFT
                else ""
            ),
        )
        for lead in reached:
            day = hours.local_date(lead)  # the lead's own date: one reminder a day where they are
            key = f"overdue:{row.id}:r{row.round}:{day}"
            rows += user_rows(NoticeKind.ASSIGNMENT_OVERDUE, row.case_id, lead, payload, key)
    mark_reminded(Assignment.last_reminded_at, reminded, at)
    return enqueue_unique(rows)


def decision_reminders(at: datetime, hours: WorkingHours) -> int:
    query = select(Case).where(
        Case.status == CaseStatus.AWAITING_DECISION, Case.awaiting_since.is_not(None)
    )
    cases = db.session.execute(_urgent_only(query, hours)).scalars()
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
        reached = [person for person in execs if hours.reaches(case, person)]
        if execs and not reached:
            continue
        payload = case_message(case, "Reminder: decision needed", due=case.decision_due_at)
        for person in reached:
            key = f"decision:{case.id}:r{case.round}:s{slot}"
            rows += user_rows(NoticeKind.DECISION_REMINDER, case.id, person, payload, key)
        if len(reached) == len(execs):
            reminded.append(case.id)
    mark_reminded(Case.decision_reminded_at, reminded, at)
    return enqueue_unique(rows)


def escalations(at: datetime, hours: WorkingHours) -> int:
    query = select(Case).where(
        Case.status.in_(UNDECIDED),
        Case.escalated_at.is_(None),
        Case.decision_due_at <= at,
    )
    candidates = db.session.execute(_urgent_only(query, hours)).scalars()
    override = current_app.config["SLACK"]["ESCALATION_CHANNEL"]
    rows, escalated = [], []
    for case in candidates:
        playbook = registry().get(case.playbook_key)
        after = timedelta(hours=playbook.escalate_after_hours if playbook else 24)
        if at < case.decision_due_at + after or not hours.reaches(case, None):
            continue  # not yet; or outside the channel's working hours ([REMINDERS] TIMEZONE)
        audience = override or (playbook.escalate_to if playbook else "") or "#incident-hub"
        late = at - case.decision_due_at
        payload = case_message(
            case,
            "Escalation: no decision yet",
            due=case.decision_due_at,
            detail=f"The decision is {late.days}d {late.seconds // 3600}h overdue.",
        )
        key = f"escalation:{case.id}:r{case.round}:{audience}"
        rows.append(reminder_row(NoticeKind.DECISION_ESCALATION, case.id, audience, payload, key))
        escalated.append(case.id)
    mark_reminded(Case.escalated_at, escalated, at)
    return enqueue_unique(rows)
