"""API tokens and your own account as the API writes them (shapes documented in :mod:`.outputs`)."""

from __future__ import annotations

from typing import Any

from ..clock import iso, now
from ..workcal import zone
from .models import ApiToken, User


def token_to_dict(row: ApiToken) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "user": row.user.email,
        "created_at": iso(row.created_at),
        "expires_at": iso(row.expires_at),
        "last_used_at": iso(row.last_used_at),
        "revoked_at": iso(row.revoked_at),
        "live": row.live(now()),
    }


def me_to_dict(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "name": user.name,
        "roles": sorted(user.roles),
        "functions": sorted(user.functions),
        "timezone": user.timezone,
        "reminder_timezone": zone(user.timezone).key,
        "notify_by": user.notify_by,
        "notified_by": notified_by(user),
    }


def notified_by(user: User) -> list[str]:
    """Where a notice to ``user`` goes now: ``slack`` and/or ``email`` (see notify.events)."""
    from ..notify.events import EMAIL_AUDIENCE, audiences_of

    ways = ["email" if a.startswith(EMAIL_AUDIENCE) else "slack" for a in audiences_of(user)]
    return [way for way in ways if way == "email" or user.slack_user_id]
