"""Periodic work, one function per job. ``incident-hub tick`` runs them once; the scheduler
process runs the same functions on a timer, so cron-style deployments need no scheduler."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .clock import now
from .ops.stats import recorded
from .watch.service import poll
from .watch.sources import sync_sources_from_files


def poll_due_feeds(at: datetime | None = None) -> dict[str, Any]:
    """Sync the shipped sources from FEEDS_DIR, then poll every source that is due."""
    sync_sources_from_files()
    results = poll(at=at or now())
    return {
        "sources": len(results),
        "errors": sum(r.status == "error" for r in results),
        "new": sum(r.new for r in results),
        "flagged": sum(r.flagged for r in results),
        "joined": sum(r.joined for r in results),
    }


def sweep_reminders(at: datetime) -> dict[str, Any]:
    """Write the reminder and escalation notices due as of ``at``; commit; return counts.

    Each person is reminded within their own working hours, urgent playbooks around the clock
    (notify/reminders.py ``WorkingHours``); each sweep lives with its subject.
    ``outside_working_hours``: it is outside working hours in every time zone in use, so only
    urgent cases were swept.
    """
    from .cases import reminders as cases
    from .extensions import db
    from .followthrough.reminders import action_reminders
    from .monitoring.reminders import review_reminders
    from .notify.reminders import ASSIGNMENT_EVERY, WorkingHours

    hours = WorkingHours(at)
    counts: dict[str, Any] = {
        "overdue": cases.overdue_assignments(at, hours),
        "decision": cases.decision_reminders(at, hours),
        "escalations": cases.escalations(at, hours),
        "actions": action_reminders(at, hours, ASSIGNMENT_EVERY),
        "reviews": review_reminders(at, hours, ASSIGNMENT_EVERY),
        "outside_working_hours": hours.only_urgent,
    }
    db.session.commit()
    return counts


def send_reminders(at: datetime | None = None) -> dict[str, Any]:
    """Overdue assignments, decision reminders and escalations due as of ``at``."""
    return sweep_reminders(at or now())


def deliver_notices(at: datetime | None = None) -> dict[str, Any]:
    """Send the notices that are due, to Slack and by e-mail (each kept pending on the notices
    page while it is not configured)."""
    from .notify.deliver import deliver_due

    return deliver_due(at or now()).as_dict()


# name -> (job, seconds between runs in the scheduler). Order matters for tick: reminders
# written in this pass are delivered in the same pass.
# Every run is recorded in job_stats (ops.stats): the scheduler heartbeat behind /healthz.
JOBS: dict[str, tuple[Callable[[datetime | None], dict[str, Any]], int]] = {
    "poll": (recorded("poll", poll_due_feeds), 60),
    "reminders": (recorded("reminders", send_reminders), 60),
    "deliver": (recorded("deliver", deliver_notices), 1),
}


def tick(at: datetime | None = None) -> dict[str, dict[str, Any]]:
    """One pass of every job as of ``at``."""
    at = at or now()
    return {name: job(at) for name, (job, _every) in JOBS.items()}
