"""Notices of named assignees, added functions and a changed playbook (through
:func:`.notices._to_users`, so each goes by the person's chosen channel and its dedup key is
tied to the audit event that caused it)."""

from __future__ import annotations

from ..audit.models import AuditEvent
from ..auth.models import User
from ..notify.messages import case_message
from ..playbooks import registry
from ..vocabulary import NoticeKind
from .models import Assignment, Case
from .notices import _to_users


def assignees_changed(
    case: Case,
    assignment: Assignment,
    event: AuditEvent,
    *,
    old_owner: User | None,
    new_owner: User | None,
    added: list[User],
    actor_id: int | None,
) -> None:
    """The new owner hears it is theirs, the old one that it no longer is, each new delegate
    that it is delegated to them (not whoever made the change)."""
    title = registry().function_title(assignment.function_key)
    exclude = {actor_id} if actor_id is not None else set()
    due = assignment.due_at
    told: set[int] = set()
    if new_owner is not None:
        payload = case_message(
            case, "Assigned to you", due=due, detail=f"You now own the {title} analysis."
        )
        told |= _to_users(
            NoticeKind.ASSIGNMENT_CHANGED,
            case,
            event,
            [new_owner],
            payload,
            exclude=exclude,
            tag="owner",
        )
    if old_owner is not None:
        payload = case_message(
            case,
            "No longer assigned to you",
            detail=f"The {title} analysis is now owned by "
            f"{new_owner.name if new_owner else 'nobody yet'}.",
        )
        told |= _to_users(
            NoticeKind.ASSIGNMENT_CHANGED,
            case,
            event,
            [old_owner],
            payload,
            exclude=exclude | told,
            tag="was-owner",
        )
    if added:
        payload = case_message(
            case,
            "Delegated to you",
            due=due,
            detail=f"You are asked to help file the {title} analysis.",
        )
        _to_users(
            NoticeKind.ASSIGNMENT_CHANGED,
            case,
            event,
            added,
            payload,
            exclude=exclude | told,
            tag="delegate",
        )


def function_added(
    case: Case,
    assignment: Assignment,
    event: AuditEvent,
    people: list[User],
    questions: int,
    kind: str = NoticeKind.FUNCTION_ADDED,
) -> set[int]:
    """The people asked to file a function new on the case (its owner and assigned leads)."""
    title = registry().function_title(assignment.function_key)
    payload = case_message(
        case,
        "Your analysis is needed",
        due=assignment.due_at,
        detail=f"{title} was added to this case: you are asked for its analysis "
        f"({questions} questions) and a recommendation.",
    )
    return _to_users(kind, case, event, people, payload, tag=assignment.function_key)


def function_dropped(case: Case, function_key: str, event: AuditEvent, people: list[User]) -> None:
    """The playbook changed and no longer asks this function for an analysis."""
    title = registry().function_title(function_key)
    payload = case_message(
        case,
        "Analysis no longer needed",
        detail=f"The case's playbook changed: the {title} analysis is no longer asked for.",
    )
    _to_users(NoticeKind.PLAYBOOK_CHANGED, case, event, people, payload, tag=function_key)
