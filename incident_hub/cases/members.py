"""Need-to-know: who is on a case (``case_members``), and lifting a case's restriction.

A case's members are its opener, the people named on it and the leads assigned to it. The
assigned leads are fixed when the case is opened: each function's leads at that time, or the
leads the opener named for it; a lead who joins the function later is not a member of the
cases opened before (unless added). Members are what a restricted case's visibility and a
privileged analysis's readers are decided on (``auth.permissions``). The opener, an admin or an
executive adds and removes members; every change and every refusal is audited. Removing a
member removes every row of theirs (named and assigned): access ends at the next request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
from ..vocabulary import MemberKind, Role
from .inputs import AddMember, LiftRestriction
from .models import Case, CaseMember, Follow
from .queries import get_case

Raw = Mapping[str, Any]
USER_ID = re.compile(r"[0-9]{1,10}")


def _any_user(who: Any) -> User | None:
    """The user an email address or a user id names, if any (a disabled user can still be
    taken off a case). Anything else names nobody and is not looked up (a NUL byte or an id
    beyond the column's range would fail the query on PostgreSQL)."""
    text = str(who or "").strip()
    if USER_ID.fullmatch(text) and int(text) < 2**31:
        return db.session.get(User, int(text))
    if "@" in text and len(text) <= 320 and text.isprintable() and _encodable(text):
        return db.session.execute(select(User).where(User.email == text.lower())).scalar()
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate
        return False
    return True


def _active_user(who: Any) -> User | None:
    user = _any_user(who)
    return user if user is not None and user.active else None


def chosen_leads(
    playbook: Playbook, named: Mapping[str, list[str]] | None
) -> dict[str, list[User]]:
    """The leads assigned to each function of a new case: those the opener named (each must
    be an active lead of that function), else every current lead of the function."""
    named = dict(named or {})
    unknown = sorted(set(named) - {f.key for f in playbook.functions})
    if unknown:
        raise Invalid(
            f"leads: {', '.join(unknown)} is not a function of the {playbook.title} playbook",
            field="leads",
        )
    current = {  # who leads a function: its active users who hold the lead role
        key: [u for u in users if u.has_role(Role.LEAD)]
        for key, users in perm.leads_by_function(f.key for f in playbook.functions).items()
    }
    out: dict[str, list[User]] = {}
    for function in playbook.functions:
        if function.key not in named:
            out[function.key] = current.get(function.key, [])
            continue
        leads = {u.email: u for u in current.get(function.key, [])}
        wrong = [e for e in named[function.key] if e.strip().lower() not in leads]
        if wrong:
            raise Invalid(
                f"leads: {', '.join(wrong)[:200]} does not lead "
                f"{registry().function_title(function.key)}",
                field="leads",
            )
        out[function.key] = [leads[e.strip().lower()] for e in dict.fromkeys(named[function.key])]
    return out


def assign_leads(case: Case, leads: Mapping[str, list[User]], added_by: User | None) -> None:
    """Make ``leads`` (function key -> users) assigned members of ``case`` (in the caller's
    transaction; the case has an id)."""
    stamp = now()
    for function_key, users in leads.items():
        for user in {u.id: u for u in users}.values():
            db.session.add(
                CaseMember(
                    case_id=case.id,
                    user_id=user.id,
                    kind=MemberKind.ASSIGNED,
                    function_key=function_key,
                    added_by_id=added_by.id if added_by else None,
                    added_at=stamp,
                )
            )


def ensure_assigned(case: Case, user: User, function_key: str) -> None:
    """Whoever files a function's analysis is one of its assigned leads from then on (a lead
    may file on an unrestricted case without having been assigned; admins need no row)."""
    if perm.sees_every_case(user):
        return
    found = db.session.execute(
        select(CaseMember.id).where(
            CaseMember.case_id == case.id,
            CaseMember.user_id == user.id,
            CaseMember.function_key == function_key,
        )
    ).first()
    if found is None:
        assign_leads(case, {function_key: [user]}, user)


def assigned_leads(case: Case) -> dict[str, list[User]]:
    """Function key -> the active leads assigned to it on ``case`` (who is asked to file, and
    told about the case: not every lead of the function)."""
    rows = db.session.execute(
        select(CaseMember).where(
            CaseMember.case_id == case.id, CaseMember.kind == MemberKind.ASSIGNED
        )
    ).scalars()
    out: dict[str, list[User]] = {}
    for row in rows:
        if row.user.active:
            out.setdefault(row.function_key, []).append(row.user)
    return out


def members_of(case: Case) -> list[CaseMember]:
    """The case's member rows, named people first, then by function and name."""
    rows = db.session.execute(select(CaseMember).where(CaseMember.case_id == case.id)).scalars()
    return sorted(rows, key=lambda m: (m.kind != MemberKind.NAMED, m.function_key, m.user.name))


def list_members(actor: Actor, ref: str) -> tuple[Case, list[CaseMember]]:
    """The members of a case the actor may see (404 otherwise)."""
    case = get_case(actor, ref)
    return case, members_of(case)


def authorize_members(actor: Actor, case: Case, action: str) -> None:
    """Refuse (audited) unless ``actor`` may change who is on ``case``: its opener, an admin or
    an executive."""
    if not perm.can_manage_members(actor.user, case):
        raise deny(
            actor,
            action,
            "case",
            case.ref,
            "only the case's opener, an admin or an executive can change its members",
        )


def add_member(actor: Actor, ref: str, raw: AddMember | Raw) -> CaseMember:
    """Name a person (any active user) as a member of the case."""
    case = get_case(actor, ref)
    authorize_members(actor, case, "case.member_add")
    data = parse(AddMember, raw)
    user = _active_user(data.user)
    if user is None:
        raise Invalid(f"no active user {data.user[:100]!r}", field="user")

    def work() -> CaseMember:
        locked = get_case(actor, ref, for_update=True)
        named = db.session.execute(
            select(CaseMember).where(
                CaseMember.case_id == locked.id,
                CaseMember.user_id == user.id,
                CaseMember.kind == MemberKind.NAMED,
            )
        ).scalar()
        if named is not None:
            raise Conflict(f"{user.email} is already a named member of {locked.ref}")
        member = CaseMember(
            case_id=locked.id,
            user_id=user.id,
            kind=MemberKind.NAMED,
            function_key="",
            added_by_id=actor.require_user().id,
            added_at=now(),
        )
        db.session.add(member)
        audit.record(
            actor,
            "case.member_added",
            "case",
            locked.ref,
            case_id=locked.id,
            details={"member": user.email, "kind": MemberKind.NAMED},
        )
        db.session.flush()
        return member

    return run_in_transaction(work)


def remove_member(actor: Actor, ref: str, who: str) -> User:
    """Take a person off the case (every row of theirs: named and assigned); the opener stays."""
    case = get_case(actor, ref)
    authorize_members(actor, case, "case.member_remove")
    user = _any_user(who)
    if user is None:
        raise NotFound(f"no member {str(who)[:100]!r} of {case.ref}")

    def work() -> User:
        locked = get_case(actor, ref, for_update=True)
        if locked.opened_by_id == user.id:
            raise Conflict(f"{user.email} opened {locked.ref}: the opener is always a member")
        rows = list(
            db.session.execute(
                select(CaseMember).where(
                    CaseMember.case_id == locked.id, CaseMember.user_id == user.id
                )
            ).scalars()
        )
        if not rows:
            raise NotFound(f"no member {str(who)[:100]!r} of {locked.ref}")
        db.session.execute(
            delete(CaseMember).where(CaseMember.case_id == locked.id, CaseMember.user_id == user.id)
        )
        if locked.restricted:  # no more notices about a case they may no longer see
            db.session.execute(
                delete(Follow).where(Follow.case_id == locked.id, Follow.user_id == user.id)
            )
        audit.record(
            actor,
            "case.member_removed",
            "case",
            locked.ref,
            case_id=locked.id,
            details={
                "member": user.email,
                "was": sorted({r.kind for r in rows}),
                "functions": sorted({r.function_key for r in rows if r.function_key}),
            },
        )
        return user

    return run_in_transaction(work)


def lift_restriction(actor: Actor, ref: str, raw: LiftRestriction | Raw | str) -> Case:
    """An admin makes a restricted case (a gagged one too) visible to everyone signed in, with
    a reason; its members stay on record (restricting it again would use them), and a gagged
    case stays flagged as gagged. Lifting an unrestricted case's restriction changes nothing."""
    case = get_case(actor, ref)
    if not perm.is_admin(actor.user):
        raise deny(
            actor,
            "case.lift_restriction",
            "case",
            case.ref,
            "only an admin can lift a case's restriction",
        )
    data = parse(LiftRestriction, {"reason": raw} if isinstance(raw, str) else raw)

    def work() -> Case:
        locked = get_case(actor, ref, for_update=True)
        if not locked.restricted:  # nothing to lift: nothing changes, nothing is recorded
            return locked
        locked.restricted = False
        audit.record(
            actor,
            "case.restriction_lifted",
            "case",
            locked.ref,
            case_id=locked.id,
            details={"reason": data.reason, "gag_order": locked.gag_order},
        )
        return locked

    return run_in_transaction(work)
