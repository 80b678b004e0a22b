"""A linked alert changed: the case it belongs to shows what changed and tells its people.

Watch calls :func:`on_linked_alert_changed` (registered by ``create_app`` through
``watch.hooks``) when a re-poll finds that a feed item of an alert linked to a case, or that
opened one, has new content: an amended bill, a corrected order. The case gets a timeline
entry (``case.alert_changed``: "Linked alert changed: title was “X”, now “Y”") and its people
and followers a notice, in the poll's transaction. Watch calls only on a real change (the
item's content hash differs), so each change is told once, never once per poll; a restricted
case's notices carry its reference alone (``notify.messages.case_message``).
"""

from __future__ import annotations

from typing import Any

from ..actor import Actor
from ..audit import service as audit
from ..cases import notices
from ..cases.models import Case
from ..extensions import db
from ..watch.models import Alert

SHOWN = 300  # characters of an old or new title kept in the timeline entry
KEPT = 2000  # characters of an old or new summary kept in the event's details
WATCH = Actor.system("watch")  # the feeds changed, nobody acted


def _cut(value: Any, size: int) -> str:
    text = value if isinstance(value, str) else ""
    return text if len(text) <= size else text[: size - 1] + "…"


def describe(changes: dict[str, Any]) -> str:
    """What changed, in words: ``Linked alert changed: title was “X”, now “Y”; the summary
    changed`` ("" when neither the title, the summary nor a report changed)."""
    parts = []
    title = changes.get("title")
    if isinstance(title, list) and len(title) == 2:
        parts.append(f"title was “{_cut(title[0], SHOWN)}”, now “{_cut(title[1], SHOWN)}”")
    if "summary" in changes:
        parts.append("the summary changed")
    if changes.get("report"):
        parts.append(f"the report from {_cut(changes['report'], 60)} changed")
    return f"Linked alert changed: {'; '.join(parts)}" if parts else ""


def on_linked_alert_changed(alert: Alert, changes: dict[str, Any]) -> None:
    """Record the change on the alert's case and tell the case's people (poll transaction)."""
    what = describe(changes)
    case = db.session.get(Case, alert.case_id) if alert.case_id is not None else None
    if not what or case is None:
        return
    kept = {
        key: [_cut(v, KEPT) for v in value]
        for key, value in changes.items()
        if key in ("title", "summary") and isinstance(value, list)
    }
    event = audit.record(
        WATCH,
        "case.alert_changed",
        "case",
        case.ref,
        case_id=case.id,
        details={"alert": alert.id, "version": changes.get("version"), "reason": what}
        | kept
        | ({"report": changes["report"]} if changes.get("report") else {}),
    )
    notices.linked_alert_changed(case, event, what)
