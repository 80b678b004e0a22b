"""Recording a re-review of a monitored case, and acting on its outcome: ``continue`` (the
next re-review one cadence after the one just due; past ``until``, monitoring ends), ``end``
(monitoring ends, the case is decided again) or ``reopen`` (through
:func:`cases.admin_actions.reopen_case`, so only who may reopen can choose it). Who may record
one: the review's owner, admins and executives (see :mod:`.service`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete

from ..actor import Actor
from ..audit import service as audit
from ..cases.models import LIMITS, Case
from ..cases.queries import get_case
from ..clock import iso, now
from ..errors import Conflict, Forbidden
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import CaseStatus
from .inputs import RecordReview
from .models import CaseMonitoring, CaseReview
from .service import (
    can_review,
    cancel_review_reminders,
    leave_monitoring,
    locked_schedule,
    monitoring_of,
)

Raw = Mapping[str, Any]


def _deny_review(actor: Actor, case: Case) -> Forbidden:
    return deny(
        actor,
        "monitoring.review",
        "case",
        case.ref,
        "only the review's owner, admins and executives can record a re-review",
    )


def record_review(actor: Actor, ref: str, raw: RecordReview | Raw) -> CaseReview:
    """Record a re-review of a monitored case and act on its outcome (see the module)."""
    case = get_case(actor, ref)
    schedule = monitoring_of(case)
    if not can_review(actor.user, schedule):
        raise _deny_review(actor, case)
    data = parse(RecordReview, raw)
    if schedule is None:
        raise Conflict(f"{case.ref} is {case.status}, not under monitoring")
    if data.outcome == "reopen":
        return _review_and_reopen(actor, ref, schedule, data)

    def work() -> CaseReview:
        locked, current = locked_schedule(actor, ref)
        review = _review_row(actor, locked, current.next_review_at, data.outcome, data.note)
        cancel_review_reminders(locked.id)
        follows = current.next_review_at + timedelta(days=current.every_days)
        if data.outcome == "continue" and (
            current.until is None or follows.date() <= current.until
        ):
            current.next_review_at, current.last_reminded_at = follows, None
        else:
            reason = (
                f"monitoring ended: no re-review after {current.until.isoformat()}"
                if data.outcome == "continue" and current.until is not None
                else "monitoring ended by a re-review"
            )
            leave_monitoring(actor, locked, reason)
        still = locked.status == CaseStatus.MONITORING
        _audit_review(actor, locked, review, current.next_review_at if still else None)
        return review

    return run_in_transaction(work)


def _review_row(actor: Actor, case: Case, due: datetime, outcome: str, note: str) -> CaseReview:
    review = CaseReview(
        case_id=case.id,
        round=case.round,
        due_at=due,
        reviewed_at=now(),
        reviewer_id=actor.require_user().id,
        outcome=outcome,
        note=note,
    )
    db.session.add(review)
    return review


def _audit_review(actor: Actor, case: Case, review: CaseReview, next_at: datetime | None) -> None:
    db.session.flush()
    audit.record(
        actor,
        "monitoring.reviewed",
        "case",
        case.ref,
        case_id=case.id,
        details={
            "review": review.id,
            "outcome": review.outcome,
            "due_at": iso(review.due_at),
            "next_review_at": iso(next_at),
            "note": review.note,
            "reason": f"{review.outcome}: {review.note}"[:300],
        },
    )


def _review_and_reopen(
    actor: Actor, ref: str, schedule: CaseMonitoring, data: RecordReview
) -> CaseReview:
    """Reopen through the one reopen path (its own permission, state check and transaction),
    then keep the re-review that asked for it. Reopening first: a refused reopen (403, 409)
    leaves no review claiming it happened."""
    from ..cases.admin_actions import reopen_case

    due, monitored_round = schedule.next_review_at, schedule.round
    note = data.note
    reopen_case(
        actor,
        ref,
        {
            "note": f"re-review: {note}"[: LIMITS["note"]],
            "actions": data.actions,
            "all_actions": data.all_actions,
        },
    )

    def work() -> CaseReview:
        locked = get_case(actor, ref, for_update=True)
        db.session.execute(delete(CaseMonitoring).where(CaseMonitoring.case_id == locked.id))
        cancel_review_reminders(locked.id)
        review = _review_row(actor, locked, due, "reopen", note)
        review.round = monitored_round  # the round that was under monitoring
        _audit_review(actor, locked, review, None)
        return review

    return run_in_transaction(work)
