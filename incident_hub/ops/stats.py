"""Recording each periodic job run in ``job_stats`` (the heartbeat the web workers read)."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..clock import now
from ..extensions import db
from .models import JobStat

log = logging.getLogger(__name__)
HOST = f"{socket.gethostname()}:{os.getpid()}"[:200]


def _add_totals(totals: Mapping[str, Any], summary: Any) -> dict[str, Any]:
    out = dict(totals or {})
    if isinstance(summary, Mapping):
        for key, value in summary.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                out[key] = out.get(key, 0) + value
    return out


def record_run(
    name: str, started: datetime, seconds: float, summary: Any = None, error: str = ""
) -> None:
    """Add one run to the job's row, in its own transaction (never raises: a database that
    cannot take the heartbeat is what /healthz then reports)."""
    try:
        db.session.rollback()
        stat = db.session.execute(
            select(JobStat).where(JobStat.name == name).with_for_update()
        ).scalar_one_or_none()
        if stat is None:
            stat = JobStat(name=name, runs=0, failures=0, totals={})
            db.session.add(stat)
        stat.runs = (stat.runs or 0) + 1
        stat.last_started_at, stat.last_seconds, stat.host = started, seconds, HOST
        if error:
            stat.failures = (stat.failures or 0) + 1
            stat.last_error = error[:500]
        else:
            stat.last_ok_at = now()
            stat.totals = _add_totals(stat.totals, summary)
        db.session.commit()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.warning("could not record the %s job run", name, exc_info=True)


def recorded(name: str, job: Callable[[datetime | None], dict[str, Any]]):  # noqa: ANN201
    """Wrap a job so that every run, successful or not, is recorded."""

    def run(at: datetime | None = None) -> dict[str, Any]:
        started, t0 = now(), time.monotonic()
        try:
            summary = job(at)
        except Exception as exc:
            record_run(name, started, time.monotonic() - t0, error=f"{type(exc).__name__}: {exc}")
            raise
        record_run(name, started, time.monotonic() - t0, summary)
        return summary

    run.__name__ = getattr(job, "__name__", name)
    run.__doc__ = job.__doc__
    return run
