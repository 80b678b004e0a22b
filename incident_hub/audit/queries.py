"""Reading the audit trail (admins): lists, the head hash to anchor elsewhere, JSON Lines export."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import func, select

from ..actor import Actor
from ..auth.permissions import is_admin
from ..cases.models import Case
from ..extensions import db
from ..schemas import parse
from ..transaction import deny
from .inputs import AuditFilters
from .models import AuditEvent
from .service import GENESIS, content

EXPORT_BATCH = 1000
Raw = Mapping[str, Any]  # what a door sends: a query string, a form


def require_admin(actor: Actor) -> None:
    if actor.via != "cli" and not is_admin(actor.user):
        raise deny(actor, "audit.read", "audit", "trail", "only admins can read the audit trail")


def event_to_dict(event: AuditEvent) -> dict[str, Any]:
    """Every stored field, so an export can be re-verified outside the database."""
    return {"id": event.id, **content(event), "prev_hash": event.prev_hash, "hash": event.hash}


def list_events(actor: Actor, data: Raw | AuditFilters) -> tuple[list[AuditEvent], int]:
    """Events newest first, filtered by action prefix, actor, case reference and outcome;
    ``limit`` and ``offset`` pick the page."""
    require_admin(actor)
    filters = parse(AuditFilters, data)
    query = select(AuditEvent)
    if filters.action:
        query = query.where(AuditEvent.action.startswith(filters.action))
    if filters.actor:
        query = query.where(AuditEvent.actor == filters.actor.lower())
    if filters.outcome:
        query = query.where(AuditEvent.outcome == filters.outcome)
    if filters.case:
        ref = filters.case.upper()
        query = query.where(
            AuditEvent.case_id.in_(select(Case.id).where(Case.ref == ref))
            | (AuditEvent.object_ref == ref)
        )
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    page = query.order_by(AuditEvent.id.desc()).limit(filters.limit).offset(filters.offset)
    rows = db.session.execute(page)
    return list(rows.scalars()), total


def head() -> dict[str, Any]:
    """The chain's head: anchor this hash outside the database (a ticket, an e-mail, a notary)
    and any later rewrite of history shows as a different head."""
    last = db.session.execute(
        select(AuditEvent.id, AuditEvent.hash, AuditEvent.at)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    ).first()
    count = db.session.execute(select(func.count()).select_from(AuditEvent)).scalar_one()
    return {
        "events": count,
        "head_id": last.id if last else None,
        "head_hash": last.hash if last else GENESIS,
        "head_at": last.at.isoformat() if last else None,
    }


def export_lines(actor: Actor, since_id: int = 0) -> Iterator[str]:
    """The trail as JSON Lines, oldest first, in batches (memory stays flat for any size)."""
    require_admin(actor)  # checked now, not when the first line is pulled
    return _lines(since_id)


def _lines(since_id: int) -> Iterator[str]:
    last_id = since_id
    while True:
        rows = (
            db.session.execute(
                select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(EXPORT_BATCH)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        for event in rows:
            yield json.dumps(event_to_dict(event), sort_keys=True, ensure_ascii=False) + "\n"
        last_id = rows[-1].id
        db.session.expunge_all()
