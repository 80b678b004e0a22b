"""Notices that need no case: to a person (Slack, e-mail or both, as they chose), the
executives, flagged alerts, and stopping a case's reminders (by id, from the outbox rows alone).

Every notice to a person goes through :func:`notify_user` (a row now) or :func:`user_rows`
(reminder slots for ``enqueue_unique``): one row per way the person is reached, each with its
own dedup key (the caller's key and the audience), so one cause or one reminder slot yields
exactly one Slack message and one e-mail at most.

Who hears about what on a case is ``cases/notices.py``: the case side knows the case and writes
outbox rows; notify knows cases only through those rows and the payloads they carry.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import current_app
from sqlalchemy import select, update

from ..auth.models import User, UserRole
from ..extensions import db
from ..vocabulary import REMINDER_KINDS, NoticeKind, NoticeStatus, Role
from .mail_text import email_payload
from .messages import alert_message
from .models import Notice
from .outbox import enqueue
from .reminders import reminder_row

__all__ = [
    "EMAIL_AUDIENCE",
    "REMINDER_KINDS",
    "alerts_flagged",
    "announce_by_email",
    "audience_of",
    "audiences_of",
    "cancel_reminders",
    "executives",
    "notify_user",
    "user_rows",
]

EMAIL_AUDIENCE = "email:"  # an e-mail row's audience: "email:<address>"
KEY_WIDTH = 200  # notices.dedup_key


def audience_of(user: User) -> str:
    """A user's Slack DM target, or a marker that they cannot be reached (no Slack id)."""
    return user.slack_user_id or f"user:{user.email}"


def email_on() -> bool:
    return bool(current_app.config["EMAIL"]["ENABLED"])


def audiences_of(user: User) -> list[str]:
    """Where a notice to ``user`` goes, by their choice (``users.notify_by``): their Slack DM,
    ``email:<address>``, or both. Without e-mail configured, Slack (or the undeliverable
    ``user:<email>`` marker); with it, a person without a Slack id gets e-mail whatever they
    chose, and one who chose e-mail gets no Slack message."""
    choice = user.notify_by or "slack"
    mail = email_on() and bool(user.email)
    out = []
    if (choice in ("slack", "both") and (user.slack_user_id or not mail)) or not mail:
        out.append(audience_of(user))
    if mail and (choice in ("email", "both") or not user.slack_user_id):
        out.append(f"{EMAIL_AUDIENCE}{user.email}")
    return out


def _key(dedup_key: str, audience: str) -> str:
    """The row's key: the caller's and the audience (a long one shortened by a hash, so the
    Slack and e-mail keys of one slot never collide when cut to the column)."""
    key = f"{dedup_key}:{audience}"
    if len(key) <= KEY_WIDTH:
        return key
    return f"{key[: KEY_WIDTH - 17]}#{hashlib.sha256(key.encode()).hexdigest()[:16]}"


def _payload(payload: dict[str, Any], audience: str) -> dict[str, Any]:
    if audience.startswith(EMAIL_AUDIENCE):
        return email_payload(payload, audience[len(EMAIL_AUDIENCE) :])
    return payload


def notify_user(
    kind: str,
    user: User,
    payload: dict[str, Any],
    dedup_key: str,
    *,
    case_id: int | None = None,
    alert_id: int | None = None,
) -> list[Notice]:
    """Notify one person (in the caller's transaction): a row per audience of
    :func:`audiences_of`, keyed ``<dedup_key>:<audience>``; ``payload`` is a message
    builder's (its Slack form, and the e-mail form beside it)."""
    return [
        enqueue(
            kind,
            audience,
            _payload(payload, audience),
            _key(dedup_key, audience),
            case_id=case_id,
            alert_id=alert_id,
        )
        for audience in audiences_of(user)
    ]


def announce_by_email(
    kind: str, payload: dict[str, Any], dedup_key: str, *, case_id: int | None = None
) -> None:
    """What the announce channel is told, also by e-mail to [EMAIL] ANNOUNCE_TO (when e-mail
    is on): the same payload, so a secret case's announcement says no more there."""
    if not email_on():
        return
    for address in current_app.config["EMAIL"]["ANNOUNCE_TO"]:
        audience = f"{EMAIL_AUDIENCE}{address}"
        body = email_payload(payload, address, announce=True)
        enqueue(kind, audience, body, _key(dedup_key, audience), case_id=case_id)


def user_rows(
    kind: str, case_id: int, user: User, payload: dict[str, Any], dedup_key: str
) -> list[dict[str, Any]]:
    """A reminder slot's rows for ``enqueue_unique``: one per audience, keyed as in
    :func:`notify_user`, so proposing the slot again lets none of them in twice."""
    rows = []
    for audience in audiences_of(user):
        body, key = _payload(payload, audience), _key(dedup_key, audience)
        rows.append(reminder_row(kind, case_id, audience, body, key))
    return rows


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
