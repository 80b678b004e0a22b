"""Re-review reminders for monitored cases, part of the reminder sweep (jobs.sweep_reminders).

A re-review comes due like an assignment: its owner is reminded once when it is due within
``DUE_SOON`` (a day), and again, once it is overdue, at most once per ``every`` (the cadence of
overdue analyses, ``ASSIGNMENT_EVERY``). Each reminder slot has a unique key — due soon:
(case, the review's due time, person); overdue: (case, due time, local day, person) — so two
sweeps write it once, and the next review (a new due time) gets its own slots. A restricted or
gagged case's reminder carries only its reference and a link (``notify.messages.case_message``).
Only cases whose status is ``monitoring`` are swept.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from ..auth.models import User
from ..cases.models import Case
from ..extensions import db
from ..notify.events import user_rows
from ..notify.messages import case_message
from ..notify.outbox import enqueue_unique
from ..notify.reminders import WorkingHours, mark_reminded
from ..vocabulary import CaseStatus, NoticeKind
from .models import CaseMonitoring

DUE_SOON = timedelta(hours=24)  # "due soon": within a day of the re-review's due time
HEADLINES = {
    NoticeKind.REVIEW_DUE: "Re-review due soon",
    NoticeKind.REVIEW_OVERDUE: "Re-review overdue",
}


def review_reminders(at: datetime, hours: WorkingHours, every: timedelta) -> int:
    """Write the re-review reminders due as of ``at`` to owners at work then (``hours``: whose
    working time it is, and their own date, which names the overdue slot's day; ``every``: the
    least time between two reminders of one review). Returns the rows written."""
    query = (
        select(CaseMonitoring.case_id, CaseMonitoring.next_review_at, CaseMonitoring.every_days,
               User, Case)
        .join(Case, Case.id == CaseMonitoring.case_id)
        .join(User, User.id == CaseMonitoring.owner_id)
        .where(
            Case.status == CaseStatus.MONITORING,
            User.active.is_(True),
            CaseMonitoring.next_review_at <= at + DUE_SOON,
            (CaseMonitoring.last_reminded_at.is_(None))
            | (CaseMonitoring.last_reminded_at <= at - every),
        )
    )  # fmt: skip
    if hours.only_urgent:  # nobody is at work anywhere: only urgent cases can remind
        query = query.where(Case.playbook_key.in_(hours.urgent_playbooks))
    due = [row for row in db.session.execute(query).all() if hours.reaches(row.Case, row.User)]
    if not due:
        return 0
    rows = []
    for row in due:
        overdue = row.next_review_at <= at
        kind = NoticeKind.REVIEW_OVERDUE if overdue else NoticeKind.REVIEW_DUE
        payload = case_message(
            row.Case,
            HEADLINES[kind],
            due=row.next_review_at,
            detail=f"Record the re-review (every {row.every_days} days).",
        )
        slot = f"{row.next_review_at:%Y%m%dT%H%M}" + (
            f":{hours.local_date(row.User)}" if overdue else ""
        )
        rows += user_rows(kind, row.case_id, row.User, payload, f"{kind}:{row.case_id}:{slot}")
    ids = [row.case_id for row in due]
    mark_reminded(CaseMonitoring.last_reminded_at, ids, at, key=CaseMonitoring.case_id)
    return enqueue_unique(rows)
