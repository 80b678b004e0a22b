"""Deliver due e-mail notices: the Slack deliverer's claims, marks and outcomes, over SMTP.

The same guarantees as Slack's (``deliver``), from the same code: the claim commits before
any message is sent (FOR UPDATE SKIP LOCKED on PostgreSQL, a compare-and-set UPDATE
everywhere), each message's ``send_started_at`` commits before it is handed to the SMTP
server, and its outcome commits as soon as the server answers. A killed deliverer's claims
come back after the lease; only the message it was sending spends an attempt (it may be what
killed it), and only that one can reach its recipient twice — with the same Message-ID.
Retries, backoff and giving up ([EMAIL] MAX_ATTEMPTS) are the outbox's, as for Slack.

E-mail is not paced: one connection, messages one after another, within the pass's budget
(the rest wait for the next pass, no attempt spent). The calling thread does everything, so
there is no worker to coordinate.
"""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta

from flask import current_app

from ..clock import as_utc, now
from .deliver import (
    BACKOFF_BASE_S,
    BACKOFF_CAP_S,
    PASS_BUDGET_S,
    DeliveryReport,
    Start,
    _claim,
    _Pass,
    _record,
)
from .mail import Mailer
from .models import Notice
from .slack_calls import Outcome


def deliver_email(at: datetime, *, limit: int, worker: str, lease_s: float) -> DeliveryReport:
    """Send up to ``limit`` e-mail notices due as of ``at``; commits the session."""
    cfg = current_app.config["EMAIL"]
    at = max(as_utc(at), now())  # claims are stamped when they are made (after Slack's pass)
    deadline = time.monotonic() + min(PASS_BUDGET_S, lease_s / 2)
    claim = f"{worker[:50]}#{uuid.uuid4().hex[:8]}"
    p = _Pass("", "", 0.0, deadline, at, claim, int(cfg["MAX_ATTEMPTS"]))
    rows = _claim(p, limit, timedelta(seconds=lease_s), email=True)
    p.report.claimed = len(rows)
    p.attempts = {row.id: row.attempts for row in rows}
    mailer = Mailer(cfg)
    try:
        for n, row in enumerate(rows):
            if row.attempts >= p.max_attempts:
                why = row.last_error or "no error was recorded"
                _record(
                    [Outcome(row.id, "permanent", f"gave up after {row.attempts} attempts: {why}")],
                    p,
                )
                continue
            if mailer.down is not None or time.monotonic() > p.deadline:
                _put_off(rows[n:], mailer.down, p)
                break
            _record([], p, [Start(row.id)])  # committed: this notice's send starts now
            _record([mailer.send(row.id, row.dedup_key, row.payload or {})], p)
    finally:
        mailer.close()
    return p.report


def _put_off(rows: list[Notice], down: Outcome | None, p: _Pass) -> None:
    """Rows this pass will not try: to the next pass (out of time), or, with the server
    unreachable, to when the notice that found it so is retried; no attempt spent."""
    held = p.attempts.get(down.notice_id, 0) if down else 0
    retry = p.at + timedelta(seconds=min(BACKOFF_BASE_S * 2**held, BACKOFF_CAP_S)) if down else None
    why = f"not tried: {down.error}" if down else "the pass ran out of time"
    _record([Outcome(row.id, "deferred", why[:500], retry_at=retry) for row in rows], p)
