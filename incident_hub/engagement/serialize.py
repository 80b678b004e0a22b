"""The JSON shape of organisations and engagement entries (API; other exports may reuse it)."""

from __future__ import annotations

from typing import Any

from ..auth.models import User
from ..cases.models import Case
from ..clock import iso
from ..extensions import db
from .models import KINDS, Engagement, Organisation


def organisation_to_dict(org: Organisation) -> dict[str, Any]:
    creator = db.session.get(User, org.created_by_id)
    return {
        "id": org.id,
        "name": org.name,
        "kind": org.kind,
        "kind_label": KINDS.get(org.kind, org.kind),
        "country": org.country,
        "website": org.website,
        "notes": org.notes,
        "created_by": creator.email if creator else "",
        "created_at": iso(org.created_at),
    }


def consultation_to_dict(entry: Engagement, case: Case) -> dict[str, Any]:
    """One line of an organisation's record: which case, when (only what the viewer may see)."""
    return {
        "engagement": entry.id,
        "case": case.ref,
        "case_title": case.title,
        "engaged_on": entry.engaged_on.isoformat(),
        "confidential": entry.confidential,
    }


def engagement_to_dict(entry: Engagement, case_ref: str) -> dict[str, Any]:
    org = entry.organisation
    return {
        "id": entry.id,
        "case": case_ref,
        "organisation": {"id": org.id, "name": org.name, "kind": org.kind},
        "contact": entry.contact,
        "engaged_on": entry.engaged_on.isoformat(),
        "summary": entry.summary,
        "advice": entry.advice,
        "confidential": entry.confidential,
        "recorded_by": entry.recorded_by.email,
        "recorded_at": iso(entry.recorded_at),
    }
