"""The public JSON shape of actions and case links (API)."""

from __future__ import annotations

from typing import Any

from ..cases.models import Case
from ..clock import iso, now
from ..vocabulary import ActionStatus
from .models import Action
from .queries import LinkView


def action_to_dict(action: Action, case: Case) -> dict[str, Any]:
    return {
        "id": action.id,
        "case": case.ref,
        "round": action.round,
        "carried_from_round": action.carried_from_round,
        "current_round": action.round == case.round,
        "title": action.title,
        "detail": action.detail,
        "owner": action.owner.email,
        "owner_name": action.owner.name,
        "due_at": iso(action.due_at),
        "overdue": action.status == ActionStatus.OPEN and action.due_at <= now(),
        "review_on": iso(action.review_on),
        "status": action.status,
        "note": action.note,
        "effectiveness": action.effectiveness,
        "created_at": iso(action.created_at),
        "completed_at": iso(action.completed_at),
        "last_reminded_at": iso(action.last_reminded_at),
    }


def link_to_dict(view: LinkView) -> dict[str, Any]:
    """A link as the case asked about sees it; ``direction`` is ``outgoing`` when that case
    is the link's subject (for ``duplicate_of``: it is the duplicate)."""
    other = view.other
    return {
        "id": view.link.id,
        "kind": view.link.kind,
        "direction": "outgoing" if view.outgoing else "incoming",
        "relation": view.relation,
        "note": view.link.note,
        "created_at": iso(view.link.created_at),
        "other": {
            "ref": other.ref,
            "title": other.title,
            "status": other.status,
            "jurisdiction": other.jurisdiction,
            "restricted": other.restricted,
        },
    }
