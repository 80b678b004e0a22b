"""Changing which functions a running case asks: adding one, or changing its playbook.

- **Adding a function** to a case still open or awaiting its decision (the playbook forgot
  engineering): the function answers its questions from the case's playbook if it lists them,
  else from another playbook that does (``questions_from``: the one named, else the first by
  key); it is due when given, else as opening would plan it from now (:func:`.schedule.plan`);
  its current leads are assigned to it and it is owned by the one named, else by its one lead.
  A required function added to a case awaiting its decision sends the case back to open.
- **Changing the playbook** while nothing is filed (no analysis on the case, in any round):
  the assignments are recomputed from the new playbook. Functions both playbooks list keep
  their assignment, owner and delegates (due times re-planned); functions added to the case by
  hand stay; the others go, with their assigned leads' need-to-know rows; the new playbook's
  other functions are assigned as at opening. Once anything is filed: 409.

Who may: admins, the case's opener and triagers (:func:`.assignees.may_route`); others are
refused (403, audited). Each is one audit event (``assignment.added``,
``case.playbook_changed``) with notices to the people asked for something new.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import delete

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..clock import as_utc, iso, now
from ..errors import Conflict, Invalid
from ..extensions import db
from ..playbooks import Playbook, PlaybookFunction, registry
from ..precedent import index as search_index
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import (
    OUTSTANDING,
    UNDECIDED,
    CaseStatus,
    MemberKind,
    NoticeKind,
    Role,
)
from . import assign_notices, assignees, draft_filings, members, schedule
from .assign_inputs import AddFunction, ChangePlaybook
from .models import Assignee, Assignment, Case, CaseMember
from .queries import get_case
from .service import playbook_of

Raw = Mapping[str, Any]


def _authorize(actor: Actor, case: Case, action: str, what: str) -> None:
    if not assignees.may_route(actor.user, case):
        raise deny(
            actor, action, "case", case.ref, f"only the case's opener, a triager or an admin {what}"
        )


def _refuse_if_decided(case: Case, what: str) -> None:
    if case.status not in UNDECIDED:
        raise Conflict(f"{case.ref} is {case.status}: {what}")


def _source(case: Case, function_key: str, named: str) -> tuple[str, PlaybookFunction]:
    """Where an added function's questions come from: (playbook key, its part there)."""
    own = playbook_of(case).function(function_key)
    if own is not None:
        return "", own
    reg = registry()
    if named:
        playbook = reg.get(named)
        spec = playbook.function(function_key) if playbook else None
        if spec is None:
            raise Invalid(
                f"questions_from: {named[:100]!r} is not a playbook listing {function_key}",
                field="questions_from",
            )
        return playbook.key if playbook else named, spec
    for key in sorted(reg.playbooks):
        spec = reg.playbooks[key].function(function_key)
        if spec is not None:
            return key, spec
    raise Invalid(
        f"no playbook asks {reg.function_title(function_key)} any questions",
        field="function",
    )


def _planned(case_playbook: Playbook, spec: PlaybookFunction, case: Case) -> Any:
    """When ``spec`` falls due if assigned now, planned as at opening (business days, the share
    of the time to the response deadline, never after it)."""
    alone = replace(case_playbook, functions=(spec,))
    return schedule.plan(alone, now(), case.response_deadline, case.jurisdictions).functions[
        spec.key
    ]


def _back_to_open(case: Case, new_required: bool) -> dict[str, Any]:
    """A case awaiting its decision that now waits for a new required function is open again
    (one moved early keeps waiting for the functions it was moved without)."""
    if case.status == CaseStatus.AWAITING_DECISION and new_required:
        case.status = CaseStatus.OPEN
        case.awaiting_since = None
        return {"status": {"from": CaseStatus.AWAITING_DECISION, "to": CaseStatus.OPEN}}
    return {}


def _assign(case: Case, assignment: Assignment, leads: list[User], owner: User | None,
            by: User | None) -> User | None:  # fmt: skip
    """Assign a new assignment's leads and name its owner (the one given, else its one lead)."""
    members.assign_leads(case, {assignment.function_key: leads}, by)
    db.session.flush()
    owner = owner or assignees.default_owner(leads)
    if owner is not None:
        assignees.name_owners(case, {}, {assignment.function_key: owner}, by)
    return owner


def add_function(actor: Actor, ref: str, raw: AddFunction | Raw) -> Assignment:
    """Add a function (with its questions, a due time and an owner) to a running case."""
    case = get_case(actor, ref)
    _authorize(actor, case, "assignment.add", "can add a function to it")
    data = parse(AddFunction, raw)
    key = data.function
    reg = registry()
    if key not in reg.functions:
        raise Invalid(
            f"unknown function {key[:60]!r} (functions: {', '.join(sorted(reg.functions))})",
            field="function",
        )
    _refuse_if_decided(case, "no function can be added")
    if any(a.function_key == key for a in case.assignments):
        raise Conflict(f"{reg.function_title(key)} is already assigned on {case.ref}")
    source_key, spec = _source(case, key, data.questions_from)
    owner = assignees.user_named(data.owner, "owner") if data.owner else None
    leads = current_leads([key])[key]

    def work() -> Assignment:
        locked = get_case(actor, ref, for_update=True)
        _refuse_if_decided(locked, "no function can be added")
        if any(a.function_key == key for a in locked.assignments):
            raise Conflict(f"{reg.function_title(key)} is already assigned on {locked.ref}")
        due = as_utc(data.due_at) if data.due_at else _planned(playbook_of(locked), spec, locked)
        assignment = Assignment(
            function_key=key, required=data.required, due_at=due, questions_from=source_key
        )
        locked.assignments.append(assignment)
        db.session.flush()
        named = _assign(locked, assignment, leads, owner, actor.user)
        details = {
            "function": key,
            "required": data.required,
            "due_at": iso(due),
            "owner": named.email if named else None,
        } | ({"questions_from": source_key} if source_key else {})
        details |= _back_to_open(locked, data.required)
        event = audit.record(
            actor, "assignment.added", "case", locked.ref, case_id=locked.id, details=details
        )
        db.session.flush()
        asked = [named] if named else []
        assign_notices.function_added(locked, assignment, event, asked + leads, len(spec.questions))
        return assignment

    return run_in_transaction(work)


def change_playbook(actor: Actor, ref: str, raw: ChangePlaybook | Raw) -> Case:
    """Move a case to another playbook while nothing is filed on it."""
    case = get_case(actor, ref)
    _authorize(actor, case, "case.playbook_change", "can change its playbook")
    data = parse(ChangePlaybook, raw)
    new = registry().get(data.playbook)
    if new is None:
        raise Invalid(
            f"unknown playbook {data.playbook[:100]!r} "
            f"(playbooks: {', '.join(registry().playbooks)})",
            field="playbook",
            web="Playbook: choose one of the playbooks offered",
        )
    _refuse_if_decided(case, "its playbook can no longer change")
    leads = current_leads(f.key for f in new.functions)

    def work() -> Case:
        locked = get_case(actor, ref, for_update=True)
        _refuse_if_decided(locked, "its playbook can no longer change")
        if data.version is not None and data.version != locked.version:
            raise Conflict(f"{locked.ref} changed since you read it (version {locked.version})")
        if locked.analyses:
            raise Conflict(
                f"{locked.ref} already has analyses filed: its playbook can no longer change "
                "(add a function instead)",
                field="playbook",
            )
        if new.key == locked.playbook_key:
            return locked  # nothing to change: nothing recorded
        wanted_keys = {f.key for f in new.functions}
        drafted = sorted(k for k in draft_filings.drafts_of(locked) if k not in wanted_keys)
        if drafted:  # a draft filing is typed work: it never vanishes with its function
            raise Conflict(
                f"{locked.ref} has a draft analysis saved for {', '.join(drafted)}, which the "
                f"{new.key} playbook does not ask for: file or clear it first",
                field="playbook",
            )
        before = locked.playbook_key
        plan = schedule.plan(
            new, schedule.round_start(locked), locked.response_deadline, locked.jurisdictions
        )
        wanted = {f.key: f for f in new.functions}
        kept, dropped = [], []
        for a in list(locked.assignments):
            spec = wanted.get(a.function_key)
            if spec is not None:
                a.required, a.questions_from = spec.required, ""
                if a.status in OUTSTANDING:
                    due = plan.functions[a.function_key]
                    if due > as_utc(a.due_at):
                        a.last_reminded_at = None
                    a.due_at = due
                kept.append(a.function_key)
            elif not a.questions_from:  # added by hand: it stays
                dropped.append(a)
        gone = {a.function_key: _drop(locked, a) for a in dropped}
        added = []
        for f in new.functions:
            if f.key not in kept:
                a = Assignment(
                    function_key=f.key, required=f.required, due_at=plan.functions[f.key]
                )
                locked.assignments.append(a)
                added.append(a)
        db.session.flush()
        owners = {a.function_key: _assign(locked, a, leads[a.function_key], None, actor.user)
                  for a in added}  # fmt: skip
        if plan.decision > as_utc(locked.decision_due_at):
            locked.decision_reminded_at = locked.escalated_at = None
        locked.decision_due_at = plan.decision
        locked.playbook_key = new.key
        details: dict[str, Any] = {
            "from": before,
            "to": new.key,
            "kept": kept,
            "added": [a.function_key for a in added],
            "removed": sorted(gone),
        } | _back_to_open(locked, any(a.required for a in added))
        event = audit.record(
            actor, "case.playbook_changed", "case", locked.ref, case_id=locked.id, details=details
        )
        db.session.flush()
        for a in added:
            owner = owners[a.function_key]
            people = ([owner] if owner else []) + leads[a.function_key]
            questions = len(wanted[a.function_key].questions)
            assign_notices.function_added(
                locked, a, event, people, questions, NoticeKind.PLAYBOOK_CHANGED
            )
        for key, people in gone.items():
            assign_notices.function_dropped(locked, key, event, people)
        search_index.refresh(locked)
        return locked

    return run_in_transaction(work)


def _drop(case: Case, assignment: Assignment) -> list[User]:
    """Take a function off the case: its assignees and assigned leads' rows go with it.
    Returns who was asked for it (to be told)."""
    people = assignees.named_by_assignment([assignment.id])[assignment.id].people
    people += members.assigned_leads(case).get(assignment.function_key, [])
    db.session.execute(delete(Assignee).where(Assignee.assignment_id == assignment.id))
    db.session.execute(
        delete(CaseMember).where(
            CaseMember.case_id == case.id,
            CaseMember.function_key == assignment.function_key,
            CaseMember.kind == MemberKind.ASSIGNED,
        )
    )
    case.assignments.remove(assignment)
    return people


def current_leads(function_keys: Iterable[str]) -> dict[str, list[User]]:
    """The active users holding the lead role of each function (as a new case assigns)."""
    return {
        key: [u for u in users if u.has_role(Role.LEAD)]
        for key, users in perm.leads_by_function(function_keys).items()
    }
