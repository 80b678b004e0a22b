"""What other packages do when a case changes, without cases importing them.

Triage owns alerts and imports cases; cases never imports triage (tests/test_import_walls.py).
So when ``open_case`` is given ``alert_ids``, it hands them to the function triage registered
here (``create_app`` registers ``triage.service.attach_to_new_case``), inside the same
transaction: an unknown alert is still a 404 and an already-triaged one a 409, and nothing of the
case is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..actor import Actor
    from .models import Case

AlertAttacher = Callable[["Actor", "Case", Any], None]
_attach: AlertAttacher | None = None


def attach_alerts_with(attach: AlertAttacher) -> None:
    """Register how alerts become a new case's (triage does, at start-up)."""
    global _attach
    _attach = attach


def attach_alerts(actor: Actor, case: Case, alert_ids: Any) -> None:
    """Mark ``alert_ids`` as having opened ``case`` (nothing to do without any)."""
    if not alert_ids:
        return
    if _attach is None:  # pragma: no cover - create_app always registers triage's
        raise RuntimeError("no alert attacher registered: create_app() registers triage's")
    _attach(actor, case, alert_ids)
