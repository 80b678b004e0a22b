"""Related cases: links between cases, and merging a duplicate into the case it repeats.

A link is ``related``, ``same_law`` (the same law or order in several countries) or
``duplicate_of``. Marking case A a duplicate of case B merges it: A is closed with the note
"merged into B", A's followers (those who may see B) follow B instead, and alerts that were
triaged to A now point at B. Admins and triagers link, merge and unlink; both cases must be
visible to them. Each side's timeline records the link; an event about the other case is
shown only to those who may see that case too (:mod:`..cases.timeline`), and no event names the
people whose follows were moved (a count only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case, Follow
from ..cases.queries import get_case
from ..cases.service import set_status
from ..clock import now
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import CaseStatus
from ..watch.models import Alert
from .inputs import NewCaseLink
from .models import CaseLink
from .queries import get_link, link_between, open_actions

ONLY_TRIAGE = "only triagers and admins can link cases"
Raw = Mapping[str, Any]  # what a door received, parsed here after the permission check


def _record_both(
    actor: Actor, action: str, case: Case, other: Case, details: dict[str, Any], reason: str
) -> None:
    """One event on each case's timeline, naming the other case: the timeline shows it only
    to those who may see both (:mod:`..cases.timeline`)."""
    ref = f"{case.ref}>{other.ref}"
    for here, there in ((case, other), (other, case)):
        audit.record(
            actor,
            action,
            "case_link",
            ref,
            case_id=here.id,
            details={**details, "other": there.ref, "reason": reason % there.ref},
        )


def link_cases(actor: Actor, ref: str, raw: NewCaseLink | Raw) -> CaseLink:
    """Link case ``ref`` to the other case; ``duplicate_of`` merges ``ref`` into the other."""
    case = get_case(actor, ref)
    if not perm.can_triage(actor.user):
        raise deny(actor, "case.link", "case", case.ref, ONLY_TRIAGE)
    data = parse(NewCaseLink, raw)
    kind, note = data.kind, data.note
    other = get_case(actor, data.other)
    if other.id == case.id:
        raise Invalid("a case cannot be linked to itself", field="other")

    def work() -> CaseLink:
        # Lock both cases, lower id first, so two merges of the same pair cannot deadlock.
        first, second = sorted((case, other), key=lambda c: c.id)
        locked = {c.id: get_case(actor, c.ref, for_update=True) for c in (first, second)}
        here, there = locked[case.id], locked[other.id]
        existing = link_between(here, there)
        if existing is not None:
            raise Conflict(
                f"{here.ref} and {there.ref} are already linked ({existing.kind.replace('_', ' ')})"
            )
        link = CaseLink(
            case_id=here.id,
            other_id=there.id,
            kind=kind,
            note=note,
            created_by_id=actor.require_user().id,
            created_at=now(),
        )
        db.session.add(link)
        db.session.flush()
        reason = {
            "related": "related to %s",
            "same_law": "the same law as %s",
            "duplicate_of": "duplicate link with %s",
        }[kind]
        _record_both(actor, "case.linked", here, there, {"link": link.id, "kind": kind}, reason)
        if kind == "duplicate_of":
            _merge(actor, here, there, link)
        return link

    return run_in_transaction(work)


def _merge(actor: Actor, dup: Case, into: Case, link: CaseLink) -> None:
    """Close ``dup`` as merged into ``into``; move its followers and alerts."""
    if dup.status == CaseStatus.CLOSED:
        raise Conflict(f"{dup.ref} is already closed: only an active case can be merged")
    if dup.decisions:
        raise Conflict(
            f"{dup.ref} has a decision: a decided case is not merged away; link it as related"
        )
    still_open = open_actions(dup)
    if still_open:
        raise Conflict(f"{dup.ref} has open actions: " + "; ".join(a.title for a in still_open))
    if into.status == CaseStatus.CLOSED:
        raise Conflict(f"{into.ref} is closed: merge into a case that is still active")
    # Whoever sees the duplicate but not a restricted ``into`` reads only that it was closed.
    set_status(
        actor, dup, CaseStatus.CLOSED, "closed" if into.restricted else f"merged into {into.ref}"
    )
    moved_followers, kept = 0, 0
    for follow in db.session.execute(select(Follow).where(Follow.case_id == dup.id)).scalars():
        user = db.session.get(User, follow.user_id)
        if user is None or not perm.can_view_case(user, into):
            kept += 1  # who cannot see the other case keeps following this one
            continue
        if db.session.get(Follow, (into.id, user.id)) is None:
            db.session.add(Follow(case_id=into.id, user_id=user.id, created_at=now()))
        db.session.delete(follow)
        moved_followers += 1  # a count: who follows a case is not told on another case
    alerts = list(db.session.execute(select(Alert).where(Alert.case_id == dup.id)).scalars())
    for alert in alerts:
        alert.case_id = into.id
        audit.record(
            actor,
            "alert.moved",
            "alert",
            str(alert.id),
            case_id=into.id,
            details={"from": dup.ref, "to": into.ref, "link": link.id},
        )
    details = {
        "link": link.id,
        "followers_moved": moved_followers,
        "followers_kept": kept,
        "alerts_moved": [a.id for a in alerts],
    }
    audit.record(
        actor,
        "case.merged",
        "case_link",
        f"{dup.ref}>{into.ref}",
        case_id=dup.id,
        details={**details, "into": into.ref, "reason": f"into {into.ref}"},
    )
    audit.record(
        actor,
        "case.merged_in",
        "case_link",
        f"{dup.ref}>{into.ref}",
        case_id=into.id,
        details={**details, "duplicate": dup.ref, "reason": f"{dup.ref}"},
    )


def unlink_cases(actor: Actor, ref: str, link_id: Any) -> dict[str, Any]:
    """Remove a link (admins, triagers). A merge stays: the link of a duplicate that is still
    closed as merged cannot be removed (reopen the duplicate first)."""
    case = get_case(actor, ref)
    if not perm.can_triage(actor.user):
        raise deny(actor, "case.unlink", "case", case.ref, ONLY_TRIAGE)
    link = get_link(case, link_id)
    other_id = link.other_id if link.case_id == case.id else link.case_id
    other = db.session.get(Case, other_id)
    if other is None or not perm.can_view_case(actor.user, other):
        raise NotFound(f"no link {link.id} on {case.ref}")  # as if it were not there

    def work() -> dict[str, Any]:
        first, second = sorted((case, other), key=lambda c: c.id)
        for c in (first, second):
            get_case(actor, c.ref, for_update=True)
        row = get_link(case, link.id)
        dup = db.session.get_one(Case, row.case_id)
        if row.kind == "duplicate_of" and dup.status == CaseStatus.CLOSED:
            raise Conflict(
                f"{dup.ref} was merged by this link and is closed: reopen it before unlinking"
            )
        details = {"link": row.id, "kind": row.kind}
        here = db.session.get_one(Case, row.case_id)
        there = db.session.get_one(Case, row.other_id)
        db.session.delete(row)
        _record_both(actor, "case.unlinked", here, there, details, "no longer linked to %s")
        return details

    return run_in_transaction(work)
