"""Reading alerts: one by id, as the triage queue, a case form's prefill and the API find it."""

from __future__ import annotations

from typing import Any

from .. import validate
from ..errors import NotFound
from ..extensions import db
from .models import Alert


def get_alert(alert_id: Any) -> Alert:
    try:
        key = int(alert_id)
    except (TypeError, ValueError):
        raise NotFound(f"no alert {validate.label(alert_id)}") from None
    alert = db.session.get(Alert, key) if 0 < key <= validate.MAX_ID else None
    if alert is None:
        raise NotFound(f"no alert {key}")
    return alert
