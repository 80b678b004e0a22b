"""The case lifecycle: one function per action, called by web, API, Slack and CLI alike.

open ──(every required function filed, or moved early)──► awaiting_decision ──(decision)──►
decided ──(close)──► closed; an admin may reopen a decided or closed case (a new round).
Each action checks permission and state, writes its audit event in the same transaction and
commits. Refusals raise :mod:`incident_hub.errors` exceptions; denied attempts are audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from ..actor import Actor
from ..audit import service as audit
from ..audit.models import AuditEvent
from ..auth import permissions as perm
from ..auth.sessions import require_recent as require_recent_sign_in
from ..clock import now
from ..errors import Conflict, Invalid
from ..extensions import db
from ..playbooks import Playbook, PlaybookFunction, registry
from ..precedent import index as search_index
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import OUTSTANDING, UNDECIDED, CaseStatus, status_label
from . import assignees, drafts, members, schedule, stages
from . import notices as events
from .hooks import attach_alerts
from .inputs import Note, OpenCase, RecordDecision, RequiredNote
from .models import Assignment, Case, Decision, RefCounter
from .queries import get_case

Raw = Mapping[str, Any]  # what a door received, parsed here after the permission check


def note_of(model: type[Note | RequiredNote], raw: Note | RequiredNote | Raw | str | None) -> str:
    """The note of an action, from a note model, what a door received, or a plain string."""
    if raw is None or isinstance(raw, str):
        raw = {"note": raw or ""}
    return parse(model, raw).note


def case_playbook(case: Case) -> Playbook | None:
    """The case's playbook with the functions added to the case (None: not installed)."""
    playbook = registry().get(case.playbook_key)
    return with_added_functions(playbook, case) if playbook else None


def with_added_functions(playbook: Playbook, case: Case) -> Playbook:
    """``playbook`` with the functions added to ``case`` that it does not list, each with the
    questions of the playbook it was added from (``questions_from``), as the case requires."""
    extra = []
    for a in case.assignments:
        if not a.questions_from or playbook.function(a.function_key) is not None:
            continue
        source = registry().get(a.questions_from)
        spec = source.function(a.function_key) if source else None
        if spec is None:  # that playbook is gone, or no longer lists it: no questions
            spec = PlaybookFunction(key=a.function_key, due_days=1, required=True, questions=())
        extra.append(replace(spec, required=a.required))
    return replace(playbook, functions=playbook.functions + tuple(extra)) if extra else playbook


def playbook_of(case: Case) -> Playbook:
    playbook = case_playbook(case)
    if playbook is None:
        raise Conflict(f"playbook {case.playbook_key!r} of {case.ref} is no longer installed")
    return playbook


def _next_ref(year: int) -> str:
    bump = (
        update(RefCounter)
        .where(RefCounter.year == year)
        .values(last=RefCounter.last + 1)
        .returning(RefCounter.last)
    )
    number = db.session.execute(bump).scalar()
    if number is None:
        try:
            with db.session.begin_nested():
                db.session.add(RefCounter(year=year, last=1))
            number = 1
        except IntegrityError:  # another writer created the year's counter first
            number = db.session.execute(bump).scalar()
    return f"INC-{year}-{number:04d}"


def authorize_open_case(actor: Actor) -> None:
    """Refuse (audited) unless ``actor`` may open cases: the check :func:`open_case` makes
    first, and what the web form asks before showing itself."""
    if not perm.can_open_case(actor.user):
        raise deny(actor, "case.open", "case", "-", "only triagers and admins can open cases")


def _titles(titles: Any) -> str:
    """Titles as a list in words: "A, B or C"."""
    names = [f"“{t}”" for t in titles]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _status(case: Case) -> str:
    return status_label(case.status).lower()


def case_jurisdictions(
    primary: str | None, listed: list[str] | None, current: list[str]
) -> list[str]:
    """The jurisdictions a case is to have: ``listed`` (all of them) with ``primary`` first,
    or ``current`` with its first replaced by ``primary``; 422 at the field when none is left."""
    kept = current[1:] if primary else current  # the primary sent replaces the first
    codes = list(listed if listed is not None else kept)
    if primary:
        codes = [primary] + [c for c in codes if c != primary]
    if not codes:
        field = "jurisdictions" if listed is not None else "jurisdiction"
        raise Invalid(
            f"{field} is required: name at least one country",
            field=field,
            web="Jurisdiction: name at least one country (or the European Union)",
        )
    return codes


def open_case(actor: Actor, raw: OpenCase | Raw) -> Case:
    """Open a case from a playbook, with one assignment per playbook function."""
    authorize_open_case(actor)
    data = parse(OpenCase, raw)
    playbook = registry().get(data.playbook)
    if playbook is None:
        raise Invalid(
            f"unknown playbook {data.playbook!r} (playbooks: {', '.join(registry().playbooks)})",
            field="playbook",
            web="Playbook: choose one of the playbooks offered",
        )
    fields = data.model_dump(exclude={"playbook", "alert_ids", "leads", "owners", "jurisdictions"})
    codes = case_jurisdictions(data.jurisdiction, data.jurisdictions, [])
    fields["jurisdiction"] = codes[0]
    if data.gag_order:  # a gag order is need-to-know, whatever the door sent
        fields["restricted"] = True
    leads = members.chosen_leads(playbook, data.leads)
    owners = assignees.chosen_owners(playbook, leads, data.owners)

    def work() -> Case:
        opened = now()
        due = schedule.plan(playbook, opened, data.response_deadline, codes)
        case = Case(
            ref=_next_ref(opened.year),
            playbook_key=playbook.key,
            opened_by_id=actor.require_user().id,
            opened_at=opened,
            decision_due_at=due.decision,
            **fields,
        )
        case.set_jurisdictions(codes)
        case.assignments = [
            Assignment(function_key=f.key, required=f.required, due_at=due.functions[f.key])
            for f in playbook.functions
        ]
        db.session.add(case)
        db.session.flush()
        members.assign_leads(case, leads, actor.user)
        assignees.name_owners(case, leads, owners, actor.user)
        stages.first_stage(actor, case)
        event = audit.record(
            actor,
            "case.opened",
            "case",
            case.ref,
            case_id=case.id,
            details={
                "title": case.title,
                "playbook": playbook.key,
                "jurisdiction": case.jurisdiction,
                "restricted": case.restricted,
                "gag_order": case.gag_order,
            }
            | ({"leads": {k: sorted(v) for k, v in data.leads.items()}} if data.leads else {}),
        )
        attach_alerts(actor, case, data.alert_ids)
        events.case_opened(case, event)
        search_index.refresh(case)
        return case

    return run_in_transaction(work)


def refuse_if_finished(case: Case, what: str) -> None:
    """409 on a decided or closed case: what its forms ask before showing themselves (so
    nobody types into a form that will be refused), and their services before filing."""
    if case.status not in UNDECIDED:
        raise Conflict(f"{case.ref} is {status_label(case.status).lower()}: {what}")


def advance_if_complete(actor: Actor, case: Case) -> None:
    pending = [a.function_key for a in case.assignments if a.required and a.status in OUTSTANDING]
    if case.status == CaseStatus.OPEN and not pending:
        set_status(
            actor,
            case,
            CaseStatus.AWAITING_DECISION,
            "every required function has filed",
            automatic=True,
        )


def set_status(
    actor: Actor, case: Case, status: str, reason: str, *, automatic: bool = False
) -> AuditEvent:
    """Change the case's status, audit it, and tell the people concerned (decisions are told
    by record_decision, which knows the option)."""
    before = case.status
    case.status = status
    stamp = now()
    if status == CaseStatus.AWAITING_DECISION:
        case.awaiting_since = stamp
    if status == CaseStatus.CLOSED:
        case.closed_at = stamp
    event = audit.record(
        actor,
        f"case.{status}",
        "case",
        case.ref,
        case_id=case.id,
        details={"from": before, "to": status, "reason": reason}
        | ({"automatic": True} if automatic else {}),
    )
    if status == CaseStatus.AWAITING_DECISION:
        events.awaiting_decision(case, event)
    elif status in (CaseStatus.OPEN, CaseStatus.CLOSED):
        events.status_changed(case, status, event)
    return event


def request_decision(actor: Actor, ref: str, raw: Note | Raw | str | None = None) -> Case:
    """Move an open case to the executives before every function has filed."""
    case = get_case(actor, ref)
    if not perm.can_move_to_decision(actor.user):
        raise deny(
            actor,
            "case.request_decision",
            "case",
            case.ref,
            "only admins and executives can move a case to decision early",
        )
    note = note_of(Note, raw)

    def work() -> Case:
        locked = get_case(actor, ref, for_update=True)
        if locked.status != CaseStatus.OPEN:
            raise Conflict(
                f"{locked.ref} is {locked.status}, not open",
                web=f"{locked.ref} is {_status(locked)}, not open",
            )
        pending = [a.function_key for a in locked.assignments if a.status in OUTSTANDING]
        set_status(
            actor,
            locked,
            CaseStatus.AWAITING_DECISION,
            note or f"moved early; still pending: {', '.join(pending) or 'none'}",
        )
        return locked

    return run_in_transaction(work)


def authorize_decision(actor: Actor, case: Case) -> None:
    """Refuse (audited) unless ``actor`` may decide: the check :func:`record_decision` makes
    (after the recent sign-in), and what the web form asks before showing itself."""
    if not perm.can_decide(actor.user):
        raise deny(
            actor, "decision.record", "case", case.ref, "only an executive can record a decision"
        )
    refuse_if_finished(case, "a decision cannot be recorded")


def record_decision(actor: Actor, ref: str, raw: RecordDecision | Raw) -> Decision:
    """Record the executive decision for the current round; the case becomes ``decided``.

    A web session must have signed in recently (ReauthRequired otherwise; API tokens and the
    CLI are exempt, see ``Actor``).
    """
    require_recent_sign_in(actor, "decision.record", "case", str(ref)[:40])
    case = get_case(actor, ref)
    authorize_decision(actor, case)
    playbook = playbook_of(case)
    data = parse(RecordDecision, raw)
    option = data.option
    chosen = playbook.option(option)
    if chosen is None:
        raise Invalid(
            f"option must be one of: {', '.join(o.key for o in playbook.options)}",
            field="option",
            web=f"Decision: choose one of {_titles(o.title for o in playbook.options)}",
        )
    rationale, conditions, override = data.rationale, data.conditions, data.override

    def work() -> Decision:
        locked = get_case(actor, ref, for_update=True)
        if locked.status == CaseStatus.OPEN and not override:
            pending = [
                a.function_key for a in locked.assignments if a.required and a.status in OUTSTANDING
            ]
            raise Conflict(
                f"{locked.ref} is still open (waiting for: {', '.join(pending)}); "
                "decide anyway with override",
                web=f"{locked.ref} is still waiting for the analyses of "
                f"{_titles(registry().function_title(k) for k in pending)}. To decide now, "
                "tick “Decide now, before every function has filed”.",
            )
        if locked.status not in UNDECIDED:
            raise Conflict(
                f"{locked.ref} is {locked.status}: a decision cannot be recorded",
                web=f"{locked.ref} is {_status(locked)}: a decision can no longer be recorded",
            )
        decision = Decision(
            case=locked,
            round=locked.round,
            executive_id=actor.require_user().id,
            option_key=option,
            rationale=rationale,
            conditions=conditions,
            overridden=locked.status == CaseStatus.OPEN,
            decided_at=now(),
        )
        db.session.add(decision)
        audit.record(
            actor,
            "decision.recorded",
            "case",
            locked.ref,
            case_id=locked.id,
            details={"option": option, "round": locked.round, "override": decision.overridden},
        )
        event = set_status(actor, locked, CaseStatus.DECIDED, f"decision: {chosen.title}")
        db.session.flush()
        events.decision_recorded(locked, decision, event)
        search_index.refresh(locked)
        drafts.forget(decision.executive_id, f"decision:{locked.ref}")
        return decision

    return run_in_transaction(work)
