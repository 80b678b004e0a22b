"""Write and verify the hash-chained audit trail.

``hash = sha256(prev_hash + canonical JSON of the event)``. Events are written in the same
transaction as the change they describe; on PostgreSQL an advisory lock serialises appends so
the chain never forks (the unique ``prev_hash`` column would refuse a fork anyway).
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from ..actor import Actor
from ..clock import now
from ..extensions import db
from ..validate import label
from .models import AuditEvent

GENESIS = "0" * 64
_CHAIN_LOCK = 0x1A0D17  # advisory lock id for appends on PostgreSQL


def content(event: AuditEvent) -> dict[str, Any]:
    """The hashed fields of an event (everything but its id and the hashes themselves)."""
    return {
        "at": event.at.isoformat(timespec="microseconds"),
        "actor_id": event.actor_id,
        "actor": event.actor,
        "action": event.action,
        "object_type": event.object_type,
        "object_ref": event.object_ref,
        "case_id": event.case_id,
        "origin": event.origin,
        "outcome": event.outcome,
        "details": event.details or {},
    }


def canonical(event: AuditEvent) -> str:
    """The event's content as canonical JSON (sorted keys, no spaces, UTC ISO time)."""
    return json.dumps(
        content(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def chain_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + canonical(event)).encode("utf-8")).hexdigest()


def record(
    actor: Actor,
    action: str,
    object_type: str,
    object_ref: str,
    *,
    case_id: int | None = None,
    outcome: str = "ok",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append an event to the current transaction (the caller commits)."""
    session = db.session
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _CHAIN_LOCK})
    last = session.execute(
        db.select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1)
    ).scalar()
    event = AuditEvent(
        at=now(),
        actor_id=actor.user.id if actor.user else None,
        actor=actor.label,
        action=action,
        object_type=object_type,
        object_ref=label(object_ref),  # raw input of a refused attempt is cleaned here, once
        case_id=case_id,
        origin=actor.origin[:120],
        outcome=outcome,
        details=details or {},
        prev_hash=last or GENESIS,
    )
    event.hash = chain_hash(event.prev_hash, event)
    session.add(event)
    session.flush()
    return event


CHAIN_ATTEMPTS = 8  # how often an append that lost a race on the chain's head is tried


def lost_chain_race(exc: Exception) -> bool:
    """Whether a failed commit only lost a race to append to the audit chain, so the same work
    in a fresh transaction will succeed: on SQLite the chain's head is read before the write
    lock is taken, so a concurrent append can make it stale (the unique ``prev_hash`` refuses
    the fork), or the lock could not be had in time ("database is locked")."""
    if isinstance(exc, IntegrityError):
        return "prev_hash" in str(exc.orig)
    return isinstance(exc, OperationalError) and "locked" in str(exc).lower()


def back_off(attempt: int) -> None:
    """Wait a little, longer each attempt and jittered, so racers do not collide again."""
    time.sleep(random.uniform(0.002, 0.01) * attempt)  # noqa: S311 (timing, not security)


def record_committed(
    actor: Actor, action: str, object_type: str, object_ref: str, **fields: Any
) -> None:
    """Append an event and commit it at once (with whatever the session holds), trying again
    when another process appended at the same moment (see :func:`lost_chain_race`). For events
    that are the whole of their transaction — audited reads, refusals — which must not fail
    because someone else was writing."""
    for attempt in range(1, CHAIN_ATTEMPTS + 1):
        try:
            record(actor, action, object_type, object_ref, **fields)
            db.session.commit()
            return
        except (IntegrityError, OperationalError) as exc:
            db.session.rollback()
            if not lost_chain_race(exc) or attempt == CHAIN_ATTEMPTS:
                raise
            back_off(attempt)


def record_denied(
    actor: Actor, action: str, object_type: str, object_ref: str, reason: str
) -> None:
    """Record a refused attempt in its own transaction (the attempted change is rolled back)."""
    db.session.rollback()
    record_committed(
        actor, action, object_type, object_ref, outcome="denied", details={"reason": reason}
    )


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head: str
    bad_event_id: int | None = None
    problem: str = ""


def _events(batch: int = 1000, last_id: int = 0) -> Iterator[AuditEvent]:
    while True:
        rows = (
            db.session.execute(
                db.select(AuditEvent)
                .where(AuditEvent.id > last_id)
                .order_by(AuditEvent.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        if not rows:
            return
        yield from rows
        last_id = rows[-1].id
        db.session.expunge_all()


def verify() -> VerifyResult:
    """Re-check the whole chain; report the first event whose link or content does not match."""
    prev, checked, last_id, batch = GENESIS, 0, 0, 1000
    while True:
        try:
            for event in _events(batch, last_id):
                if event.prev_hash != prev:
                    return VerifyResult(
                        False,
                        checked,
                        prev,
                        event.id,
                        "previous hash does not match: an event before it was removed or altered",
                    )
                if chain_hash(prev, event) != event.hash:
                    problem = "content does not match its hash"
                    return VerifyResult(False, checked, prev, event.id, problem)
                prev, checked, last_id = event.hash, checked + 1, event.id
            return VerifyResult(True, checked, prev)
        except (ValueError, TypeError):  # a stored value cannot even be read back (on SQLite,
            db.session.rollback()  # details that are no longer JSON, a garbled time)
            if batch == 1:
                bad = db.session.execute(
                    db.select(db.func.min(AuditEvent.id)).where(AuditEvent.id > last_id)
                ).scalar()
                problem = "content cannot be read back: it was altered"
                return VerifyResult(False, checked, prev, bad, problem)
            batch = 1  # find the unreadable event: re-read one by one from the last good one
