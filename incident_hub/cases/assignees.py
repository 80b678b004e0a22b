"""Named assignees: who owns a function's part of a case, and who it is delegated to.

Each assignment has at most one **owner** and any number of **delegates** (``assignees`` rows).
They are reminded when it is overdue, see it on My work as owed by them, and may file the
function's analysis (besides the function's leads, who still may). A new case's assignment is
owned by the lead the opener chose, else by the function's one assigned lead when it has
exactly one; otherwise it stays unowned until one of the function's leads takes it.

Who may change them (:func:`may_route`): admins, the case's opener, triagers (who route cases)
and the assignment's current owner (handing it on during a leave); a lead of the function may
take an unowned assignment, and a delegate may take themselves off. Everyone else is refused
(403, audited); a case one cannot see is a 404. Naming someone puts them on the case's
need-to-know list (an assigned ``case_members`` row for that function) so that a restricted
case stays visible to them; a delegate taken off loses the row their delegation added. An
owner replaced keeps theirs (they worked on it; the opener may take them off the case).
Every change is one ``assignment.changed`` audit event, with notices to the old and new owner
and the new delegates (:mod:`.assign_notices`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, select

from ..actor import Actor
from ..audit import service as audit
from ..auth import permissions as perm
from ..auth.models import User
from ..clock import now
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..playbooks import Playbook, registry
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..vocabulary import UNDECIDED, AssigneeRole, MemberKind, status_label
from . import assign_notices
from .assign_inputs import ChangeAssignees
from .members import _active_user
from .models import Assignee, Assignment, Case, CaseMember
from .queries import get_case

Raw = Mapping[str, Any]


@dataclass
class Named:
    """The people named on one assignment."""

    owner: User | None = None
    delegates: list[User] = field(default_factory=list)

    @property
    def people(self) -> list[User]:
        """Owner first, then the delegates: who is reminded."""
        return ([self.owner] if self.owner else []) + self.delegates

    def names(self, user: User | None) -> bool:
        return user is not None and any(p.id == user.id for p in self.people)


def named_by_assignment(assignment_ids: Iterable[int]) -> dict[int, Named]:
    """Assignment id -> its owner and delegates (one query; every id has an entry)."""
    ids = sorted(set(assignment_ids))
    out = {i: Named() for i in ids}
    if not ids:
        return out
    rows = db.session.execute(
        select(Assignee).where(Assignee.assignment_id.in_(ids)).order_by(Assignee.id)
    ).scalars()
    for row in rows:
        if row.role == AssigneeRole.OWNER:
            out[row.assignment_id].owner = row.user
        else:
            out[row.assignment_id].delegates.append(row.user)
    return out


def named_on(case: Case) -> dict[str, Named]:
    """Function key -> its owner and delegates on ``case``."""
    by_id = named_by_assignment(a.id for a in case.assignments)
    return {a.function_key: by_id[a.id] for a in case.assignments}


def may_file(user: User | None, case: Case, function_key: str) -> bool:
    """Is ``user`` the owner or a delegate of ``function_key`` on ``case``?"""
    if not (user and user.active):
        return False
    assignment = next((a for a in case.assignments if a.function_key == function_key), None)
    if assignment is None:
        return False
    found = db.session.execute(
        select(Assignee.id).where(
            Assignee.assignment_id == assignment.id, Assignee.user_id == user.id
        )
    ).first()
    return found is not None


def may_route(user: User | None, case: Case) -> bool:
    """Who changes any assignment of a case, adds a function or changes its playbook: admins,
    the case's opener and triagers."""
    if not (user and user.active):
        return False
    return perm.is_admin(user) or perm.can_triage(user) or case.opened_by_id == user.id


def default_owner(leads: list[User]) -> User | None:
    """A function's one assigned lead owns it; with several (or none) it waits to be taken."""
    return leads[0] if len({u.id for u in leads}) == 1 else None


def chosen_owners(
    playbook: Playbook, leads: Mapping[str, list[User]], owners: Mapping[str, str] | None
) -> dict[str, User]:
    """The owners the opener chose for a new case (function key -> email): each must be one
    of the leads assigned to that function."""
    out: dict[str, User] = {}
    for key, email in (owners or {}).items():
        if playbook.function(key) is None:
            raise Invalid(
                f"owners: {key[:60]} is not a function of the {playbook.title} playbook",
                field="owners",
            )
        by_email = {u.email: u for u in leads.get(key, [])}
        user = by_email.get(str(email).strip().lower())
        if user is None:
            raise Invalid(
                f"owners: {str(email)[:100]} is not a lead assigned to "
                f"{registry().function_title(key)}",
                field="owners",
            )
        out[key] = user
    return out


def ensure_member(case: Case, user: User, function_key: str, added_by: User | None) -> bool:
    """Put ``user`` on the case's need-to-know list for ``function_key`` unless they are on
    it already (for it, or otherwise); True when a row was added."""
    if perm.sees_every_case(user) or case.opened_by_id == user.id:
        return False
    found = db.session.execute(
        select(CaseMember.id).where(
            CaseMember.case_id == case.id,
            CaseMember.user_id == user.id,
            CaseMember.function_key == function_key,
        )
    ).first()
    if found is not None:
        return False
    db.session.add(
        CaseMember(
            case_id=case.id,
            user_id=user.id,
            kind=MemberKind.ASSIGNED,
            function_key=function_key,
            added_by_id=added_by.id if added_by else None,
            added_at=now(),
        )
    )
    return True


def _name(
    case: Case, assignment: Assignment, user: User, role: str, added_by: User | None
) -> Assignee:
    row = Assignee(
        assignment_id=assignment.id,
        user_id=user.id,
        role=role,
        membership=ensure_member(case, user, assignment.function_key, added_by),
        added_by_id=added_by.id if added_by else None,
        added_at=now(),
    )
    db.session.add(row)
    return row


def name_owners(
    case: Case,
    leads: Mapping[str, list[User]],
    chosen: Mapping[str, User],
    added_by: User | None,
) -> dict[str, User]:
    """Give each assignment of ``case`` (flushed) its owner: the one chosen, else its one
    assigned lead. Returns function key -> owner named."""
    named: dict[str, User] = {}
    for assignment in case.assignments:
        owner = chosen.get(assignment.function_key) or default_owner(
            leads.get(assignment.function_key, [])
        )
        if owner is not None and owner.active:
            _name(case, assignment, owner, AssigneeRole.OWNER, added_by)
            named[assignment.function_key] = owner
    return named


def user_named(who: str, field_name: str) -> User:
    """The active user an email (or id) names; 422 at ``field_name`` otherwise."""
    user = _active_user(who)
    if user is None:
        raise Invalid(f"{field_name}: no active user {who[:100]!r}", field=field_name)
    return user


def assignment_of(case: Case, function_key: str) -> Assignment:
    assignment = next((a for a in case.assignments if a.function_key == function_key), None)
    if assignment is None:
        raise NotFound(f"{str(function_key)[:60]!r} is not assigned on {case.ref}")
    return assignment


@dataclass
class _Wanted:
    owner: User | None  # None: unchanged
    delegates: list[User] | None  # the whole list, None: unchanged
    add: list[User]
    remove: list[User]


def _wanted(data: ChangeAssignees) -> _Wanted:
    if data.delegates is not None and (data.add_delegates or data.remove_delegates):
        raise Invalid(
            "send either delegates (the whole list) or add_delegates / remove_delegates",
            field="delegates",
        )
    return _Wanted(
        owner=user_named(data.owner, "owner") if data.owner else None,
        delegates=(
            [user_named(e, "delegates") for e in data.delegates]
            if data.delegates is not None
            else None
        ),
        add=[user_named(e, "add_delegates") for e in data.add_delegates],
        remove=[_active_user(e) or _removed(e) for e in data.remove_delegates],
    )


def _removed(who: str) -> User:
    from .members import _any_user

    user = _any_user(who)
    if user is None:
        raise Invalid(f"remove_delegates: no user {who[:100]!r}", field="remove_delegates")
    return user


def _authorize(actor: Actor, case: Case, named: Named, wanted: _Wanted, function_key: str) -> None:
    """Refuse (audited) unless the actor may make this change (see the module's docstring)."""
    user = actor.user
    if may_route(user, case) or (user is not None and named.owner and named.owner.id == user.id):
        return
    only_owner = wanted.delegates is None and not wanted.add and not wanted.remove
    taking = (
        only_owner
        and named.owner is None
        and user is not None
        and wanted.owner is not None
        and wanted.owner.id == user.id
        and perm.can_file_for(user, function_key)
    )
    leaving = (
        wanted.owner is None
        and wanted.delegates is None
        and not wanted.add
        and user is not None
        and [u.id for u in wanted.remove] == [user.id]
    )
    if taking or leaving:
        return
    raise deny(
        actor,
        "assignment.change",
        "case",
        case.ref,
        f"only the owner of {registry().function_title(function_key)}, the case's opener, a "
        "triager or an admin can change who it is assigned to",
    )


def change_assignees(
    actor: Actor, ref: str, function_key: str, raw: ChangeAssignees | Raw
) -> Assignment:
    """Name a function's owner and delegates on a case (only what is sent changes)."""
    case = get_case(actor, ref)
    assignment_of(case, function_key)  # 404 before anything else
    data = parse(ChangeAssignees, raw)
    wanted = _wanted(data)
    _authorize(actor, case, named_on(case)[function_key], wanted, function_key)

    def work() -> Assignment:
        locked = get_case(actor, ref, for_update=True)
        if locked.status not in UNDECIDED:
            raise Conflict(
                f"{locked.ref} is {status_label(locked.status).lower()}: its assignments can "
                "no longer change"
            )
        current = assignment_of(locked, function_key)
        rows = {
            r.user_id: r
            for r in db.session.execute(
                select(Assignee).where(Assignee.assignment_id == current.id)
            ).scalars()
        }
        before = named_by_assignment([current.id])[current.id]
        owner = wanted.owner or before.owner
        listed = before.delegates if wanted.delegates is None else wanted.delegates
        delegates = {u.id: u for u in listed}
        delegates.update({u.id: u for u in wanted.add})
        for u in wanted.remove:
            delegates.pop(u.id, None)
        if owner is not None:
            delegates.pop(owner.id, None)  # the owner is not also a delegate
        by = actor.user
        old_owner = before.owner
        for user_id, row in list(rows.items()):
            keep_owner = owner is not None and user_id == owner.id
            if keep_owner or user_id in delegates:
                continue
            if row.role == AssigneeRole.DELEGATE and row.membership:
                _drop_membership(locked, user_id, function_key)
            db.session.delete(row)
            del rows[user_id]
        db.session.flush()
        if owner is not None:
            if owner.id in rows:
                rows[owner.id].role = AssigneeRole.OWNER
            else:
                _name(locked, current, owner, AssigneeRole.OWNER, by)
        added = []
        for user_id, user in delegates.items():
            if user_id in rows:
                rows[user_id].role = AssigneeRole.DELEGATE
                if before.names(user) and not any(d.id == user_id for d in before.delegates):
                    added.append(user)  # the former owner, now a delegate
            else:
                _name(locked, current, user, AssigneeRole.DELEGATE, by)
                added.append(user)
        removed = [u for u in before.delegates if u.id not in delegates]
        if owner is not None and owner in removed:
            removed.remove(owner)
        owner_changed = (owner.id if owner else None) != (old_owner.id if old_owner else None)
        if not owner_changed and not added and not removed:
            return current  # nothing to change: nothing recorded
        details: dict[str, Any] = {"function": function_key}
        if owner_changed:
            details["owner"] = {
                "from": old_owner.email if old_owner else None,
                "to": owner.email if owner else None,
            }
        if added:
            details["delegates_added"] = sorted(u.email for u in added)
        if removed:
            details["delegates_removed"] = sorted(u.email for u in removed)
        event = audit.record(
            actor, "assignment.changed", "case", locked.ref, case_id=locked.id, details=details
        )
        db.session.flush()
        assign_notices.assignees_changed(
            locked,
            current,
            event,
            old_owner=old_owner if owner_changed else None,
            new_owner=owner if owner_changed else None,
            added=added,
            actor_id=by.id if by else None,
        )
        return current

    return run_in_transaction(work)


def _drop_membership(case: Case, user_id: int, function_key: str) -> None:
    db.session.execute(
        delete(CaseMember).where(
            CaseMember.case_id == case.id,
            CaseMember.user_id == user_id,
            CaseMember.function_key == function_key,
            CaseMember.kind == MemberKind.ASSIGNED,
        )
    )
