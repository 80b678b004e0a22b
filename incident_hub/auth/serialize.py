"""API tokens as the API writes them (shapes documented in :mod:`.outputs`)."""

from __future__ import annotations

from typing import Any

from ..clock import iso, now
from .models import ApiToken


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
