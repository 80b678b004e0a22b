"""Admin actions on a case's lifecycle: close, reopen as a new round, waive an assignment."""

from __future__ import annotations

from datetime import datetime

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..clock import now
from ..errors import Conflict, Invalid
from ..followthrough.models import Action
from ..followthrough.queries import open_actions
from ..followthrough.service import carry_over, waive_open_action
from ..playbooks import Playbook
from ..precedent import outcomes
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import DECIDED_OR_CLOSED, OUTSTANDING, AssignmentStatus, CaseStatus
from ..workcal import countries_for
from . import draft_filings
from .inputs import CloseCase, Note, Reopen, RequiredNote
from .models import Case
from .queries import get_case
from .schedule import add_business_days, plan
from .service import Raw, advance_if_complete, note_of, playbook_of, set_status


def close_case(actor: Actor, ref: str, raw: CloseCase | Note | Raw | str | None = None) -> Case:
    """Close a case (an admin); closing an undecided case needs a note saying why, and no
    follow-through action may still be open (each is done, or waived with a note). What the
    government did next and the lesson learned, when given, are recorded for the round."""
    case = get_case(actor, ref)
    if not perm.is_admin(actor.user):
        raise deny(actor, "case.close", "case", case.ref, "only an admin can close a case")
    if raw is None or isinstance(raw, str):
        raw = {"note": raw or ""}
    data = parse(CloseCase, raw.model_dump() if isinstance(raw, Note) else raw)
    note = data.note

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
        outcomes.record(
            actor,
            locked,
            locked.round,
            data.government_response,
            data.government_response_note,
            data.lesson,
        )
        return locked

    return run_in_transaction(work)


def _round_due_times(
    playbook: Playbook, case: Case, start: datetime
) -> tuple[dict[str, datetime], datetime]:
    """When each assigned function and the decision fall due in a round starting at ``start``:
    planned as at opening (:func:`.schedule.plan`: business days, the playbook's shares of the
    time to the case's response deadline, never later than it). A function the playbook no
    longer lists keeps one business day, capped the same way."""
    planned = plan(playbook, start, case.response_deadline, case.jurisdictions)
    fallback = min(add_business_days(start, 1, countries_for(case.jurisdictions)), planned.decision)
    functions = {
        a.function_key: planned.functions.get(a.function_key, fallback) for a in case.assignments
    }
    return functions, planned.decision


def _choices(case: Case, data: Reopen) -> dict[Action, str]:
    """What the reopen does with each open action ("carry" or "close"); refuses an action id
    that is not open on the case (422) and open actions no choice covers (409, naming them)."""
    still_open = {str(a.id): a for a in open_actions(case)}
    unknown = [key for key in data.actions if key not in still_open]
    if unknown:
        raise Invalid(
            f"{case.ref} has no open action {', '.join(unknown[:10])} "
            f"(open: {', '.join(still_open) or 'none'})",
            field="actions",
        )
    chosen = {a: data.actions.get(key) or data.all_actions for key, a in still_open.items()}
    missing = [a for a, choice in chosen.items() if choice is None]
    if missing:
        rounds = sorted({a.round for a in missing})
        raise Conflict(
            f"{case.ref}: {len(missing)} open action{'s' if len(missing) > 1 else ''} of "
            f"round {', '.join(map(str, rounds))}: "
            + ", ".join(f"“{a.title}” ({a.owner.name}, #{a.id})" for a in missing)
            + ": carry them over or close them",
            web=f"{case.ref} still has {len(missing)} open action"
            f"{'s' if len(missing) > 1 else ''}: "
            + ", ".join(f"“{a.title}” ({a.owner.name})" for a in missing)
            + ". Choose for each whether it is carried over to the new round or closed.",
        )
    return {a: choice for a, choice in chosen.items() if choice is not None}


def reopen_case(actor: Actor, ref: str, raw: Reopen | Raw | str) -> Case:
    """Reopen a decided or closed case as a new round: each function confirms or updates,
    due by the playbook's day counts (never after the response deadline), and each action
    still open is carried over to the new round or closed (waived with the note), as asked."""
    case = get_case(actor, ref)
    if not perm.is_admin(actor.user):  # an admin may also waive actions (can_waive)
        raise deny(actor, "case.reopen", "case", case.ref, "only an admin can reopen a case")
    data = parse(Reopen, {"note": raw} if isinstance(raw, str) else raw)
    playbook = playbook_of(case)

    def work() -> Case:
        locked = get_case(actor, ref, for_update=True)
        if locked.status not in DECIDED_OR_CLOSED:
            raise Conflict(f"{locked.ref} is {locked.status}: only decided or closed cases reopen")
        choices = _choices(locked, data)
        stamp = now()
        locked.round += 1
        for action, choice in choices.items():
            if choice == "carry":
                carry_over(actor, locked, action, locked.round)
            else:
                waive_open_action(actor, locked, action, data.note)
        functions, decision_due = _round_due_times(playbook, locked, stamp)
        locked.closed_at = locked.awaiting_since = None
        locked.decision_reminded_at = locked.escalated_at = None
        locked.decision_due_at = decision_due
        kept = draft_filings.drafts_of(locked)  # a draft filing carries into the new round
        for assignment in locked.assignments:
            assignment.status = (
                AssignmentStatus.DRAFT
                if assignment.function_key in kept
                else AssignmentStatus.PENDING
            )
            assignment.last_reminded_at = None
            assignment.due_at = functions[assignment.function_key]
        set_status(actor, locked, CaseStatus.OPEN, data.note)
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
        if locked.status != CaseStatus.OPEN or assignment.status not in OUTSTANDING:
            raise Conflict("only a pending or draft assignment of an open case can be waived")
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
