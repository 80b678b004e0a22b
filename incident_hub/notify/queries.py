"""Reading the outbox for admins: notices by status/case, and people Slack cannot reach."""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, func, select

from .. import validate
from ..actor import Actor
from ..auth.models import User, UserFunction, UserRole
from ..auth.permissions import is_admin
from ..clock import iso
from ..extensions import db
from ..transaction import deny
from ..vocabulary import NOTICE_STATUSES, Role
from .case_rooms import rooms
from .models import Notice


def list_notices(
    actor: Actor, filters: dict[str, Any], limit: int = 100, offset: int = 0
) -> tuple[list[Notice], int]:
    """Outbox rows, newest first (admins only: audiences and payloads name people)."""
    if not is_admin(actor.user):
        raise deny(actor, "notice.list", "notice", "outbox", "only admins can see the notices")
    query = select(Notice)
    if filters.get("status"):
        query = query.where(
            Notice.status == validate.choice(filters["status"], "status", NOTICE_STATUSES)
        )
    if filters.get("case"):
        ref = validate.storable(str(filters["case"]).strip().upper(), "case")
        room = rooms().by_ref(ref)
        query = query.where(Notice.case_id == room.id if room else false())
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(Notice.id.desc()).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


def unreachable_people() -> list[User]:
    """Active leads and executives with no Slack id: they miss direct messages."""
    leads = select(UserFunction.user_id)
    execs = select(UserRole.user_id).where(UserRole.role == Role.EXECUTIVE)
    return list(
        db.session.execute(
            select(User)
            .where(
                User.active.is_(True),
                User.slack_user_id.is_(None),
                User.id.in_(leads) | User.id.in_(execs),
            )
            .order_by(User.email)
        ).scalars()
    )


def notice_to_dict(notice: Notice) -> dict[str, Any]:
    return {
        "id": notice.id,
        "kind": notice.kind,
        "case": notice.case_id and rooms().refs([notice.case_id])[notice.case_id],
        "alert_id": notice.alert_id,
        "audience": notice.audience,
        "status": notice.status,
        "attempts": notice.attempts,
        "next_attempt_at": iso(notice.next_attempt_at),
        "slack_channel": notice.slack_channel,
        "slack_ts": notice.slack_ts,
        "last_error": notice.last_error,
        "text": (notice.payload or {}).get("text", ""),
        "created_at": iso(notice.created_at),
        "sent_at": iso(notice.sent_at),
    }
