"""Monitoring a decided case while its law phases in: start, change or stop the re-review
schedule (re-reviews themselves: :mod:`.reviews`).

Only a decided case can be put under monitoring (409 otherwise); its status becomes
``monitoring`` (still decided: follow-through actions go on, it can be closed or reopened).
Who may:

- start monitoring: admins, executives and the case's opener (those who manage its
  follow-through, :func:`followthrough.service.can_manage`);
- change the schedule or stop monitoring: the same, and the review's owner;
- record a re-review: the owner, admins and executives. Its outcome ``continue`` moves the
  next re-review one cadence after the one just due (past ``until``: monitoring ends, the case
  is decided again); ``end`` ends monitoring (decided); ``reopen`` calls
  :func:`cases.admin_actions.reopen_case` (so only who may reopen — admins — can choose it).

Every change is audited (refusals too); the owner is told when the re-reviews become theirs.
The schedule row means something only while the case's status is ``monitoring``: a case
closed or reopened by the ordinary doors leaves it behind, ignored by the sweep and My work,
and replaced when monitoring starts again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import get_case
from ..cases.service import set_status
from ..clock import iso, now
from ..errors import Conflict, Invalid
from ..extensions import db
from ..followthrough.queries import find_owner
from ..followthrough.service import can_manage
from ..notify.events import notify_user
from ..notify.messages import case_message
from ..notify.models import Notice
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import REVIEW_REMINDER_KINDS, CaseStatus, NoticeKind, NoticeStatus
from .inputs import MonitoringChanges, StartMonitoring
from .models import CaseMonitoring, CaseReview

Raw = Mapping[str, Any]  # what a door received, parsed here after the permission check


def monitoring_of(case: Case) -> CaseMonitoring | None:
    """The case's re-review schedule while it is under monitoring, else None."""
    if case.status != CaseStatus.MONITORING:
        return None
    return db.session.get(CaseMonitoring, case.id)


def reviews_of(case: Case) -> list[CaseReview]:
    """Every re-review recorded on the case, newest first."""
    return list(
        db.session.execute(
            select(CaseReview)
            .where(CaseReview.case_id == case.id)
            .order_by(CaseReview.reviewed_at.desc(), CaseReview.id.desc())
        ).scalars()
    )


def can_change(user: User | None, case: Case, schedule: CaseMonitoring | None) -> bool:
    """Change the schedule or stop monitoring: who may start it, and the owner."""
    owner = bool(user and user.active and schedule and schedule.owner_id == user.id)
    return owner or can_manage(user, case)


def can_review(user: User | None, schedule: CaseMonitoring | None) -> bool:
    """Record a re-review: the owner, admins and executives."""
    if not (user and user.active):
        return False
    owner = schedule is not None and schedule.owner_id == user.id
    return owner or perm.is_admin(user) or perm.can_decide(user)


def cancel_review_reminders(case_id: int) -> None:
    """Reminders still waiting to go out for a re-review that is no longer due then."""
    db.session.execute(
        update(Notice)
        .where(
            Notice.case_id == case_id,
            Notice.status == NoticeStatus.PENDING,
            Notice.kind.in_(REVIEW_REMINDER_KINDS),
        )
        .values(status=NoticeStatus.CANCELLED, last_error="the re-review is no longer due then")
    )


def _snapshot(schedule: CaseMonitoring) -> dict[str, Any]:
    return {
        "owner": schedule.owner.email if schedule.owner else None,
        "review_at": iso(schedule.next_review_at),
        "every_days": schedule.every_days,
        "until": iso(schedule.until),
    }


def _described(schedule: CaseMonitoring) -> str:
    until = f" until {schedule.until.isoformat()}" if schedule.until else ""
    return (
        f"every {schedule.every_days} days{until}, next {schedule.next_review_at:%Y-%m-%d}, "
        f"owner {schedule.owner.email}"
    )


def _check_dates(review_at: datetime, until: Any, *, moved: bool = True) -> None:
    """A re-review moved (or set) must be in the future; none may fall after ``until``."""
    if moved and review_at <= now():
        raise Invalid("review_at must be in the future", field="review_at")
    if until is not None and review_at.date() > until:
        raise Invalid("review_at must not be after until", field="review_at")


def _tell_owner(actor: Actor, case: Case, schedule: CaseMonitoring, event: Any) -> None:
    """The owner hears that the re-reviews are theirs (not when they chose themselves)."""
    owner = schedule.owner
    if not owner.active or (actor.user is not None and actor.user.id == owner.id):
        return
    until = f" until {schedule.until.isoformat()}" if schedule.until else ""
    payload = case_message(
        case,
        "Re-reviews of this case are yours",
        due=schedule.next_review_at,
        detail=f"Monitoring: a re-review every {schedule.every_days} days{until}.",
    )
    key = f"{NoticeKind.MONITORING_OWNER}:{case.ref}:{event.id}"
    notify_user(NoticeKind.MONITORING_OWNER, owner, payload, key, case_id=case.id)


def authorize_start(actor: Actor, case: Case) -> None:
    """Who may put ``case`` under monitoring (refusals audited); the form asks it too."""
    if not can_manage(actor.user, case):
        raise deny(
            actor,
            "monitoring.start",
            "case",
            case.ref,
            "only admins, executives and the case's opener can put a case under monitoring",
        )


def start_monitoring(actor: Actor, ref: str, raw: StartMonitoring | Raw) -> CaseMonitoring:
    """Put a decided case under monitoring and tell the owner (the actor by default)."""
    case = get_case(actor, ref)
    authorize_start(actor, case)
    data = parse(StartMonitoring, raw)
    every = data.every_days
    if every is None:
        raise Invalid("every_days is required: days between two re-reviews", field="every_days")
    owner = find_owner(data.owner, case) if data.owner is not None else actor.require_user()
    review_at = data.review_at or now() + timedelta(days=every)
    _check_dates(review_at, data.until)

    def work() -> CaseMonitoring:
        locked = get_case(actor, ref, for_update=True)
        if locked.status != CaseStatus.DECIDED:
            already = locked.status == CaseStatus.MONITORING
            raise Conflict(
                f"{locked.ref} is already under monitoring: change its schedule instead"
                if already
                else f"{locked.ref} is {locked.status}: only a decided case can be monitored"
            )
        db.session.execute(delete(CaseMonitoring).where(CaseMonitoring.case_id == locked.id))
        schedule = CaseMonitoring(
            case_id=locked.id,
            owner_id=owner.id,
            next_review_at=review_at,
            every_days=every,
            until=data.until,
            note=data.note,
            round=locked.round,
            started_at=now(),
            started_by_id=actor.require_user().id,
        )
        db.session.add(schedule)
        schedule.owner = owner
        set_status(actor, locked, CaseStatus.MONITORING, data.note or "monitoring started")
        event = audit.record(
            actor,
            "monitoring.started",
            "case",
            locked.ref,
            case_id=locked.id,
            details=_snapshot(schedule)
            | {"reason": _described(schedule)}
            | ({"note": data.note} if data.note else {}),
        )
        _tell_owner(actor, locked, schedule, event)
        return schedule

    return run_in_transaction(work)


def leave_monitoring(actor: Actor, case: Case, reason: str) -> None:
    """The case is decided again; its schedule and pending reminders go."""
    db.session.execute(delete(CaseMonitoring).where(CaseMonitoring.case_id == case.id))
    cancel_review_reminders(case.id)
    set_status(actor, case, CaseStatus.DECIDED, reason)


def _same_minute(a: datetime, b: datetime) -> bool:
    return a.replace(second=0, microsecond=0) == b.replace(second=0, microsecond=0)


def locked_schedule(actor: Actor, ref: str) -> tuple[Case, CaseMonitoring]:
    locked = get_case(actor, ref, for_update=True)
    schedule = monitoring_of(locked)
    if schedule is None:
        raise Conflict(f"{locked.ref} is {locked.status}, not under monitoring")
    return locked, schedule


def change_monitoring(
    actor: Actor, ref: str, raw: MonitoringChanges | Raw
) -> CaseMonitoring | None:
    """Change the owner, cadence, next re-review or last date; or stop monitoring (``stop``
    with a note: the case is decided again, None is returned)."""
    case = get_case(actor, ref)
    if not can_change(actor.user, case, monitoring_of(case)):
        raise deny(
            actor,
            "monitoring.change",
            "case",
            case.ref,
            "only admins, executives, the case's opener and the review's owner can change "
            "its monitoring",
        )
    data = parse(MonitoringChanges, raw)
    given = data.given()
    owner = find_owner(data.owner, case) if given.get("owner") is not None else None
    if "owner" in given and owner is None:
        raise Invalid("owner must be an active user (email or id)", field="owner")
    if "review_at" in given and data.review_at is None:
        raise Invalid("review_at cannot be removed: give the next re-review", field="review_at")
    if "every_days" in given and data.every_days is None:
        raise Invalid("every_days cannot be removed", field="every_days")
    if data.stop and not data.note:
        raise Invalid("stopping monitoring needs a note saying why", field="note")

    def work() -> CaseMonitoring | None:
        locked, schedule = locked_schedule(actor, ref)
        if data.stop:
            leave_monitoring(actor, locked, data.note or "monitoring stopped")
            audit.record(
                actor,
                "monitoring.stopped",
                "case",
                locked.ref,
                case_id=locked.id,
                details={"note": data.note, "reason": data.note},
            )
            return None
        before = _snapshot(schedule)
        if owner is not None:
            schedule.owner_id, schedule.owner = owner.id, owner
        if data.every_days is not None:
            schedule.every_days = data.every_days
        if "until" in given:
            schedule.until = data.until
        # The same time again (a web form sends the field as shown, to the minute): not a move.
        moved = data.review_at is not None and not _same_minute(
            data.review_at, schedule.next_review_at
        )
        if moved:
            assert data.review_at is not None
            schedule.next_review_at, schedule.last_reminded_at = data.review_at, None
            cancel_review_reminders(locked.id)
        if moved or "until" in given:
            _check_dates(schedule.next_review_at, schedule.until, moved=moved)
        after = _snapshot(schedule)
        changed = {k: {"from": before[k], "to": after[k]} for k in after if before[k] != after[k]}
        if not changed:
            return schedule
        event = audit.record(
            actor,
            "monitoring.changed",
            "case",
            locked.ref,
            case_id=locked.id,
            details={
                "changes": changed,
                "reason": ", ".join(f"{k} → {v['to'] or 'none'}" for k, v in changed.items()),
            }
            | ({"note": data.note} if data.note else {}),
        )
        if "owner" in changed:
            _tell_owner(actor, locked, schedule, event)
        return schedule

    return run_in_transaction(work)
