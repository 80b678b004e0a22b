"""Periodic work, one function per job. ``incident-hub tick`` runs them once; the scheduler
process runs the same functions on a timer, so cron-style deployments need no scheduler."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .clock import now
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
    }


JOBS = {"poll": poll_due_feeds}


def tick(at: datetime | None = None) -> dict[str, dict[str, Any]]:
    """One pass of every job as of ``at``."""
    at = at or now()
    return {name: job(at) for name, job in JOBS.items()}
