"""Reading the outbox for admins: notices by status/case, and people Slack cannot reach."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import false, func, select

from ..actor import Actor
from ..auth.models import User, UserFunction, UserRole
from ..auth.permissions import is_admin
from ..clock import iso
from ..extensions import db
from ..schemas import parse
from ..transaction import deny
from ..vocabulary import NoticeStatus, Role
from .case_rooms import rooms
from .inputs import NoticeFilters
from .models import Notice

Raw = Mapping[str, Any]  # what a door sends: a query string, a form


def list_notices(actor: Actor, data: Raw | NoticeFilters) -> tuple[list[Notice], int]:
    """Outbox rows, newest first (admins only: audiences and payloads name people)."""
    if not is_admin(actor.user):
        raise deny(actor, "notice.list", "notice", "outbox", "only admins can see the notices")
    filters = parse(NoticeFilters, data)
    query = select(Notice)
    if filters.status:
        query = query.where(Notice.status == filters.status)
    if filters.case:
        room = rooms().by_ref(filters.case.upper())
        query = query.where(Notice.case_id == room.id if room else false())
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(Notice.id.desc()).limit(filters.limit).offset(filters.offset)
    ).scalars()
    return list(rows), total


def email_waiting() -> int:
    """E-mail notices still pending (kept while [EMAIL] ENABLED is false)."""
    query = select(func.count()).select_from(Notice)
    query = query.where(Notice.status == NoticeStatus.PENDING, Notice.audience.like("email:%"))
    return db.session.execute(query).scalar_one()


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
