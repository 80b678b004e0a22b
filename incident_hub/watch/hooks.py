"""What other packages do when a feed item of a triaged alert changes, without watch
importing them.

Watch knows feeds and alerts, never cases (tests/test_import_walls.py). When a re-poll finds
that an item of an alert already linked to a case (or that opened one) has changed, ingest
hands the alert and what changed to the function registered here (``create_app`` registers
``triage.alert_changes.on_linked_alert_changed``), inside the poll's transaction: the case's
timeline entry and notices commit with the change, or not at all. An item that did not change
is never handed over, so a poll that finds nothing new tells nobody anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Alert

AlertChanged = Callable[["Alert", dict[str, Any]], None]
_changed: AlertChanged | None = None


def linked_alert_changed_with(listener: AlertChanged) -> None:
    """Register what to do when a tied alert's item changes (triage does, at start-up)."""
    global _changed
    _changed = listener


def linked_alert_changed(alert: Alert, changes: dict[str, Any]) -> None:
    """Tell the registered listener, if any (watch alone, in a tool or a test, has none)."""
    if _changed is not None:
        _changed(alert, changes)
