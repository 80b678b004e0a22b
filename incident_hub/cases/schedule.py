"""Due times derived from the case's response deadline (placeholder).

The ``schedule`` work of issue 16 replaces this file: :func:`reschedule` recomputes the open
assignments' and the decision's due times from the case's current response deadline, audits
the old and new values and tells the assignees. Until then it changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..actor import Actor
    from ..audit.models import AuditEvent
    from .models import Case


def reschedule(actor: Actor, case: Case, reason: str) -> AuditEvent | None:
    """Recompute ``case``'s open due times after its deadline (or jurisdictions, whose
    holidays count) changed; called on the locked case inside the caller's transaction.
    Returns the audit event written, or None when nothing moved (here: always None)."""
    return None
