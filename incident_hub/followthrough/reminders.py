"""Reminders for follow-through actions, part of the reminder sweep (jobs.sweep_reminders).

An open action's owner is reminded when it is due within ``DUE_SOON`` and again, once it is
overdue, at most once per ``ASSIGNMENT_EVERY`` (the cadence of overdue analyses) — each
reminder slot has a unique key (action, kind, the owner's local day, person), so two sweeps
write it once. The owner is reminded within their own working hours (their time zone, the
business days of the case's countries; urgent playbooks around the clock): a reminder held
back for the night goes out at their next working sweep.
Done and waived actions are never reminded. A restricted or gagged case's reminder carries
only its reference and a link (see notify/action_messages.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..cases.models import Case
from ..extensions import db
from ..notify.action_messages import action_message
from ..notify.events import user_rows
from ..notify.outbox import enqueue_unique
from ..notify.reminders import WorkingHours, mark_reminded
from ..vocabulary import ActionStatus, CaseStatus, NoticeKind
from .models import Action

DUE_SOON = timedelta(hours=24)  # "due soon": within a day of the due time


def action_reminders(at: datetime, hours: WorkingHours, every: timedelta) -> int:
    """Write the reminders due as of ``at`` to owners at work then (``hours``; ``every``: the
    least time between two reminders of one action). Returns rows written."""
    query = (
        select(Action.id, Action.title, Action.due_at, User, Case)
        .join(Case, Case.id == Action.case_id)
        .join(User, User.id == Action.owner_id)
        .where(
            Action.status == ActionStatus.OPEN,
            Case.status != CaseStatus.CLOSED,
            User.active.is_(True),
            Action.due_at <= at + DUE_SOON,
            (Action.last_reminded_at.is_(None)) | (Action.last_reminded_at <= at - every),
        )
    )
    if hours.only_urgent:  # nobody is at work anywhere: only urgent cases can remind
        query = query.where(Case.playbook_key.in_(hours.urgent_playbooks))
    due = [row for row in db.session.execute(query).all() if hours.reaches(row.Case, row.User)]
    if not due:
        return 0
    rows = []
    for row in due:
        kind = NoticeKind.ACTION_OVERDUE if row.due_at <= at else NoticeKind.ACTION_DUE
        payload = action_message(row.Case, kind, row.title, row.due_at)
        key = f"{kind}:{row.id}:{hours.local_date(row.User)}"
        rows += user_rows(kind, row.Case.id, row.User, payload, key)
    mark_reminded(Action.last_reminded_at, [row.id for row in due], at)
    return enqueue_unique(rows)
