"""Admin actions on a case's lifecycle: close, reopen as a new round, waive an assignment."""

from __future__ import annotations

from datetime import timedelta

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..clock import now
from ..errors import Conflict, Invalid
from ..followthrough.queries import open_actions
from ..transaction import deny, run_in_transaction
from ..vocabulary import DECIDED_OR_CLOSED, AssignmentStatus, CaseStatus
from .inputs import Note, RequiredNote
from .models import Case
from .queries import get_case
from .service import Raw, advance_if_complete, note_of, playbook_of, set_status


def close_case(actor: Actor, ref: str, raw: Note | Raw | str | None = None) -> Case:
    """Close a case (an admin); closing an undecided case needs a note saying why, and no
    follow-through action may still be open (each is done, or waived with a note)."""
    case = get_case(actor, ref)
    if not perm.is_admin(actor.user):
        raise deny(actor, "case.close", "case", case.ref, "only an admin can close a case")
    note = note_of(Note, raw)

    def work() -> Case:
        locked = get_case(actor, ref, for_update=True)
        if locked.status == CaseStatus.CLOSED:
            raise Conflict(f"{locked.ref} is already closed")
        if locked.status not in DECIDED_OR_CLOSED and not note:
            raise Invalid("closing a case without a decision needs a note saying why", field="note")
        still_open = open_actions(locked)
        if still_open:
            raise Conflict(
                f"{locked.ref} has open actions: "
                + "; ".join(f"“{a.title}” ({a.owner.name})" for a in still_open)
                + ". Mark each done, or waive it with a note, before closing."
            )
        set_status(actor, locked, CaseStatus.CLOSED, note or "closed after decision")
        return locked

    return run_in_transaction(work)


def reopen_case(actor: Actor, ref: str, raw: RequiredNote | Raw | str) -> Case:
    """Reopen a decided or closed case as a new round: each function confirms or updates."""
    case = get_case(actor, ref)
    if not perm.is_admin(actor.user):
        raise deny(actor, "case.reopen", "case", case.ref, "only an admin can reopen a case")
    note = note_of(RequiredNote, raw)
    playbook = playbook_of(case)

    def work() -> Case:
        locked = get_case(actor, ref, for_update=True)
        if locked.status not in DECIDED_OR_CLOSED:
            raise Conflict(f"{locked.ref} is {locked.status}: only decided or closed cases reopen")
        stamp = now()
        locked.round += 1
        locked.closed_at = locked.awaiting_since = None
        locked.decision_reminded_at = locked.escalated_at = None
        locked.decision_due_at = stamp + timedelta(days=playbook.decision_due_days)
        for assignment in locked.assignments:
            spec = playbook.function(assignment.function_key)
            assignment.status, assignment.last_reminded_at = AssignmentStatus.PENDING, None
            assignment.due_at = stamp + timedelta(days=spec.due_days if spec else 1)
        set_status(actor, locked, CaseStatus.OPEN, note)
        return locked

    return run_in_transaction(work)


def waive_assignment(
    actor: Actor, ref: str, function_key: str, raw: RequiredNote | Raw | str
) -> Case:
    """Excuse a function from filing on this case (an admin), with a note."""
    case = get_case(actor, ref)
    if not perm.is_admin(actor.user):
        raise deny(
            actor, "assignment.waive", "case", case.ref, "only an admin can waive an assignment"
        )
    note = note_of(RequiredNote, raw)

    def work() -> Case:
        locked = get_case(actor, ref, for_update=True)
        assignment = next((a for a in locked.assignments if a.function_key == function_key), None)
        if assignment is None:
            raise Invalid(f"{function_key!r} is not assigned on {locked.ref}", field="function")
        if locked.status != CaseStatus.OPEN or assignment.status != AssignmentStatus.PENDING:
            raise Conflict("only a pending assignment of an open case can be waived")
        assignment.status, assignment.note = AssignmentStatus.WAIVED, note
        audit.record(
            actor,
            "assignment.waived",
            "case",
            locked.ref,
            case_id=locked.id,
            details={"function": function_key, "note": note},
        )
        advance_if_complete(actor, locked)
        return locked

    return run_in_transaction(work)
