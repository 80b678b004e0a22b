"""Actions after a decision (UNGPs 19–20: integrate the findings, act, track effectiveness).

On a decided case, admins, executives and the case's opener add actions, each with an owner,
a due time and a date to review whether it worked. An action is open until it is done (the
owner, admins and executives, with a note saying what was done) or explicitly waived (admins
and executives, with a note saying why). After the review date the owner, admins or
executives record what the effectiveness review found. Actions belong to the round they were
added in; a case cannot be closed while any action of any round is open.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import update

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..cases import drafts
from ..cases.models import Case
from ..cases.queries import get_case
from ..clock import iso, now
from ..errors import Conflict, Invalid
from ..extensions import db
from ..notify.action_messages import action_message
from ..notify.events import notify_user
from ..notify.models import Notice
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import (
    ACTION_REMINDER_KINDS,
    DECIDED_NOT_CLOSED,
    ActionStatus,
    NoticeKind,
    NoticeStatus,
    status_label,
)
from .inputs import ActionChanges, NewAction
from .models import Action
from .queries import find_owner, get_action

Raw = Mapping[str, Any]  # what a door received, parsed here after the permission check
EDIT_FIELDS = ("owner", "due_at", "review_on")


def can_manage(user: Any, case: Case) -> bool:
    """Add actions and change their owner, due time or review date: admins, executives and
    the person who opened the case."""
    if not (user and user.active):
        return False
    return perm.is_admin(user) or perm.can_decide(user) or case.opened_by_id == user.id


def can_complete(user: Any, action: Action) -> bool:
    """Mark done, or record the effectiveness review: the owner, admins and executives."""
    if not (user and user.active):
        return False
    return perm.is_admin(user) or perm.can_decide(user) or action.owner_id == user.id


def can_waive(user: Any) -> bool:
    """Waive an action (explicitly, with a note): admins and executives only."""
    return perm.is_admin(user) or perm.can_decide(user)


def review_due(action: Action) -> bool:
    """Whether the effectiveness review can be recorded now."""
    return (
        action.status == ActionStatus.DONE
        and action.review_on is not None
        and now().date() >= action.review_on
    )


def _snapshot(action: Action) -> dict[str, Any]:
    return {
        "owner": action.owner.email if action.owner else None,
        "due_at": iso(action.due_at),
        "review_on": iso(action.review_on),
    }


def _notify_owner(case: Case, action: Action, event: Any, actor: Actor) -> None:
    """Tell the new owner the action is theirs (not when they assigned it to themselves)."""
    owner = action.owner
    if owner is None or not owner.active or (actor.user and actor.user.id == owner.id):
        return
    payload = action_message(case, NoticeKind.ACTION_ASSIGNED, action.title, action.due_at)
    key = f"action_assigned:{case.ref}:{event.id}"
    notify_user(NoticeKind.ACTION_ASSIGNED, owner, payload, key, case_id=case.id)


def _cancel_reminders(action: Action) -> None:
    """Reminders still waiting to go out for an action that is no longer open."""
    for kind in ACTION_REMINDER_KINDS:
        db.session.execute(
            update(Notice)
            .where(
                Notice.case_id == action.case_id,
                Notice.status == NoticeStatus.PENDING,
                Notice.kind == kind,
                Notice.dedup_key.like(f"{kind}:{action.id}:%"),
            )
            .values(status=NoticeStatus.CANCELLED, last_error="the action is no longer open")
        )


def _review_on(review_on: date | None, due: datetime) -> date | None:
    if review_on is not None and review_on < due.date():
        raise Invalid("review_on must not be before the due date", field="review_on")
    return review_on


def authorize_add_action(actor: Actor, case: Case) -> None:
    """Who may add actions to ``case`` (refusals audited); also asked before a draft of the
    action form is kept (cases/drafts.py)."""
    if not can_manage(actor.user, case):
        raise deny(
            actor,
            "action.add",
            "case",
            case.ref,
            "only admins, executives and the case's opener can add actions",
        )


def add_action(actor: Actor, ref: str, raw: NewAction | Raw) -> Action:
    """Add an action to a decided case (its current round) and tell the owner."""
    case = get_case(actor, ref)
    authorize_add_action(actor, case)
    data = parse(NewAction, raw)
    title, detail, due_at = data.title, data.detail, data.due_at
    assert due_at is not None  # NewAction says it is required
    owner = find_owner(data.owner, case)
    review_on = _review_on(data.review_on, due_at)

    def work() -> Action:
        locked = get_case(actor, ref, for_update=True)
        if locked.status not in DECIDED_NOT_CLOSED:
            raise Conflict(
                f"{locked.ref} is {locked.status}: actions follow a decision "
                "(add them once the case is decided)"
            )
        action = Action(
            case_id=locked.id,
            round=locked.round,
            title=title,
            detail=detail,
            owner_id=owner.id,
            due_at=due_at,
            review_on=review_on,
            created_by_id=actor.require_user().id,
            created_at=now(),
        )
        db.session.add(action)
        db.session.flush()
        action.owner = owner
        event = audit.record(
            actor,
            "action.added",
            "case",
            locked.ref,
            case_id=locked.id,
            details={
                "action": action.id,
                "title": title,
                "round": locked.round,
                "reason": f"“{title}” for {owner.email}",
                **_snapshot(action),
            },
        )
        _notify_owner(locked, action, event, actor)
        drafts.forget(actor.require_user().id, f"action:{locked.ref}")
        return action

    return run_in_transaction(work)


def _wanted(data: ActionChanges) -> dict[str, Any]:
    """The changes a PATCH asks for (the owner is resolved against the case later)."""
    sent = data.given()
    wanted: dict[str, Any] = {
        key: value for key, value in sent.items() if key not in ("status", "note") or value
    }
    if "status" in wanted and not wanted.get("note"):
        what = "what was done" if wanted["status"] == ActionStatus.DONE else "why it is waived"
        raise Invalid(f"a note saying {what} is required", field="note")
    if "note" in wanted and "status" not in wanted:
        raise Invalid("a note goes with a status (done or waived)", field="note")
    if "due_at" in wanted and wanted["due_at"] is None:
        raise Invalid("due_at cannot be removed", field="due_at")
    if not wanted:
        raise Invalid(
            "nothing to change: give status and note, effectiveness, owner, due_at or review_on",
            web="Nothing to change: give a status and a note, the effect seen, an owner, a due "
            "date or a review date",
        )
    return wanted


def _sent(raw: ActionChanges | Raw) -> Mapping[str, Any]:
    """What a change names, before its values are looked at."""
    if isinstance(raw, ActionChanges):
        return raw.given()
    return raw if isinstance(raw, Mapping) else {}


def _authorise(actor: Actor, case: Case, action: Action, data: Mapping[str, Any]) -> None:
    """Refuse (403, audited) any part of the change the actor may not make, before the
    values are looked at."""
    user = actor.user
    status = data.get("status")
    if any(k in data for k in EDIT_FIELDS) and not can_manage(user, case):
        raise deny(
            actor,
            "action.update",
            "case",
            case.ref,
            "only admins, executives and the case's opener can change an action's owner or dates",
        )
    if status == ActionStatus.WAIVED and not can_waive(user):
        raise deny(
            actor, "action.waive", "case", case.ref, "only admins and executives can waive actions"
        )
    if status == ActionStatus.DONE and not can_complete(user, action):
        raise deny(
            actor,
            "action.done",
            "case",
            case.ref,
            "only the action's owner, admins and executives can mark it done",
        )
    if "effectiveness" in data and not can_complete(user, action):
        raise deny(
            actor,
            "action.review",
            "case",
            case.ref,
            "only the action's owner, admins and executives can record its review",
        )


def update_action(actor: Actor, ref: str, action_id: Any, raw: ActionChanges | Raw) -> Action:
    """Change an action: its owner, due time or review date; mark it done or waived (with a
    note); record its effectiveness review. Each part is checked, applied and audited."""
    case = get_case(actor, ref)
    action = get_action(case, action_id)
    if not (can_manage(actor.user, case) or can_complete(actor.user, action)):
        raise deny(
            actor,
            "action.update",
            "case",
            case.ref,
            "only the action's owner, admins, executives and the case's opener change actions",
        )
    _authorise(actor, case, action, _sent(raw))
    wanted = _wanted(parse(ActionChanges, raw))
    owner = find_owner(wanted["owner"], case) if "owner" in wanted else None

    def work() -> Action:
        locked_case = get_case(actor, ref, for_update=True)
        locked = get_action(locked_case, action.id, for_update=True)
        if any(k in wanted for k in EDIT_FIELDS):
            _edit(actor, locked_case, locked, wanted, owner)
        if "status" in wanted:
            _close(actor, locked_case, locked, wanted["status"], wanted["note"])
        if "effectiveness" in wanted:
            _review(actor, locked_case, locked, wanted["effectiveness"])
        return locked

    return run_in_transaction(work)


def _edit(actor: Actor, case: Case, action: Action, wanted: dict, owner: Any) -> None:
    if action.status != ActionStatus.OPEN and ("owner" in wanted or "due_at" in wanted):
        raise Conflict(
            f"the action is {action.status}: its owner and due time are settled",
            web=f"The action is {status_label(action.status).lower()}: its owner and due date "
            "are settled",
        )
    if "review_on" in wanted and action.effectiveness:
        raise Conflict("the effectiveness review is recorded: the review date is settled")
    before = _snapshot(action)
    if owner is not None:
        action.owner_id, action.owner = owner.id, owner
    if "due_at" in wanted:
        action.due_at = wanted["due_at"]
    if "review_on" in wanted:
        action.review_on = _review_on(wanted["review_on"], action.due_at)
    elif "due_at" in wanted and action.review_on and action.review_on < action.due_at.date():
        raise Invalid("the review date would fall before the new due date", field="due_at")
    after = _snapshot(action)
    if before == after:
        return
    if before["owner"] != after["owner"] or before["due_at"] != after["due_at"]:
        action.last_reminded_at = None  # a new owner or due time starts the reminders afresh
    event = audit.record(
        actor,
        "action.updated",
        "case",
        case.ref,
        case_id=case.id,
        details={
            "action": action.id,
            "title": action.title,
            "before": {k: v for k, v in before.items() if after[k] != v},
            "after": {k: v for k, v in after.items() if before[k] != v},
            "reason": f"“{action.title}”",
        },
    )
    if before["owner"] != after["owner"]:
        _notify_owner(case, action, event, actor)


def _close(actor: Actor, case: Case, action: Action, status: str, note: str) -> None:
    if action.status != ActionStatus.OPEN:
        raise Conflict(f"the action is already {action.status}")
    action.status, action.note, action.completed_at = status, note, now()
    audit.record(
        actor,
        f"action.{status}",
        "case",
        case.ref,
        case_id=case.id,
        details={
            "action": action.id,
            "title": action.title,
            "note": note,
            "reason": f"“{action.title}”: {note}",
        },
    )
    _cancel_reminders(action)


def waive_open_action(actor: Actor, case: Case, action: Action, note: str) -> None:
    """Waive an open action inside the caller's transaction, with the same state rule, audit
    and cancelled reminders as a waiver through :func:`update_action` (a reopen closes the
    earlier round's actions this way). The caller has checked :func:`can_waive`."""
    _close(actor, case, action, ActionStatus.WAIVED, note)


def carry_over(actor: Actor, case: Case, action: Action, to_round: int) -> None:
    """Move an open action to round ``to_round`` of its case (a reopen), audited with its id
    and both rounds; it keeps its owner and due time, and the round it was first added in."""
    if action.status != ActionStatus.OPEN:
        raise Conflict(f"the action is {action.status}: only an open action is carried over")
    from_round = action.round
    action.carried_from_round = action.carried_from_round or from_round
    action.round = to_round
    audit.record(
        actor,
        "action.carried",
        "case",
        case.ref,
        case_id=case.id,
        details={
            "action": action.id,
            "title": action.title,
            "from_round": from_round,
            "to_round": to_round,
            "reason": f"“{action.title}” carried over from round {from_round} to {to_round}",
        },
    )


def _review(actor: Actor, case: Case, action: Action, effectiveness: str) -> None:
    if action.status != ActionStatus.DONE:
        raise Conflict(f"the action is {action.status}: only a done action's effect is reviewed")
    if action.review_on is None:
        raise Conflict(
            "the action has no review date: set review_on first",
            web="The action has no review date: set one first",
        )
    if now().date() < action.review_on:
        raise Conflict(f"the effectiveness review is due on {action.review_on.isoformat()}")
    before = action.effectiveness
    action.effectiveness = effectiveness
    audit.record(
        actor,
        "action.reviewed",
        "case",
        case.ref,
        case_id=case.id,
        details={
            "action": action.id,
            "title": action.title,
            "before": before,
            "after": effectiveness,
            "reason": f"“{action.title}”: {effectiveness}",
        },
    )
