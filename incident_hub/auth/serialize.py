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
    }
