"""Notices that need no case: a person's Slack audience, the executives, flagged alerts, and
stopping a case's reminders (by id, from the outbox rows alone).

Who hears about what on a case is ``cases/notices.py``: the case side knows the case and writes
outbox rows; notify knows cases only through those rows and the payloads they carry.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select, update

from ..auth.models import User, UserRole
from ..extensions import db
from ..vocabulary import REMINDER_KINDS, NoticeKind, NoticeStatus, Role
from .messages import alert_message
from .models import Notice
from .outbox import enqueue

__all__ = ["REMINDER_KINDS", "alerts_flagged", "audience_of", "cancel_reminders", "executives"]


def audience_of(user: User) -> str:
    """A user's Slack DM target, or a marker that they cannot be reached (no Slack id)."""
    return user.slack_user_id or f"user:{user.email}"


def _slack() -> dict:
    return current_app.config["SLACK"]


def executives() -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .join(UserRole)
            .where(UserRole.role == Role.EXECUTIVE, User.active.is_(True))
        ).scalars()
    )


def cancel_reminders(case_id: int) -> None:
    """A decision (or closing) stops every reminder still waiting to go out for the case."""
    db.session.execute(
        update(Notice)
        .where(
            Notice.case_id == case_id,
            Notice.status == NoticeStatus.PENDING,
            Notice.kind.in_(REMINDER_KINDS),
        )
        .values(status=NoticeStatus.CANCELLED, last_error="the case was decided or closed")
    )


def alerts_flagged(alerts: list[dict]) -> None:
    """Alerts at or above SLACK.ALERT_MIN_SCORE go to the triage channel (see alert_message)."""
    threshold = _slack()["ALERT_MIN_SCORE"]
    for alert in alerts:
        if alert["score"] >= threshold:
            enqueue(
                NoticeKind.ALERT_FLAGGED,
                _slack()["TRIAGE_CHANNEL"],
                alert_message(alert),
                f"alert_flagged:{alert['id']}",
                alert_id=alert["id"],
            )
