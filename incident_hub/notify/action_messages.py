"""Slack messages about follow-through actions (assigned, due soon, overdue).

Built on :func:`case_message`, so they carry what every case notice carries (escaped and cut
to Slack's limits), and for a secret case (restricted or gagged) only its reference and a
link: neither the case title nor the action's title (which can describe the very measure the
government demanded) leaves Incident Hub.
"""

from __future__ import annotations

from typing import Any

from ..vocabulary import NoticeKind
from .messages import case_message

HEADLINES: dict[str, str] = {
    NoticeKind.ACTION_ASSIGNED: "An action is yours",
    NoticeKind.ACTION_DUE: "Action due soon",
    NoticeKind.ACTION_OVERDUE: "Action overdue",
}


def action_message(case: Any, kind: str, title: str, due: Any) -> dict[str, Any]:
    """A notice to an action's owner; ``case`` is a Case (or a row with ref, title, status,
    jurisdiction, restricted and gag_order), ``title`` the action's title, ``due`` its due time."""
    return case_message(case, HEADLINES[kind], due=due, detail=f"Action: {title}")
