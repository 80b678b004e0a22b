"""The reminder sweep's shared parts: working hours, and outbox rows keyed per reminder slot.
The sweeps themselves are on the side that knows their subject: overdue analyses, decision
reminders and escalations in cases/reminders.py, follow-through actions in
followthrough/reminders.py; ``jobs.sweep_reminders`` runs them in one commit.

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
from sqlalchemy import update

from ..extensions import db
from ..vocabulary import NoticeStatus

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


def reminder_row(kind: str, case_id: int, audience: str, payload: dict, key: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "case_id": case_id,
        "audience": audience[:120],
        "payload": payload,
        "dedup_key": key[:200],
        **(
            {"status": NoticeStatus.FAILED, "last_error": f"{audience[5:]} has no Slack user id"}
            if audience.startswith("user:")
            else {}
        ),
    }


def mark_reminded(column, ids: list[int], at: datetime) -> None:  # noqa: ANN001
    """Record when reminders went out, in chunks (bounded statement size)."""
    for start in range(0, len(ids), CHUNK):
        table = column.class_
        db.session.execute(
            update(table)
            .where(table.id.in_(ids[start : start + CHUNK]))
            .values({column.key: at})
            .execution_options(synchronize_session=False)  # the loaded rows are not used again
        )
