"""Who may do what. Service functions call these; no view or handler decides on its own."""

from __future__ import annotations

from sqlalchemy import false, select, true
from sqlalchemy.orm import aliased

from ..extensions import db
from .models import User, UserFunction


def is_admin(user: User | None) -> bool:
    return bool(user and user.active and user.has_role("admin"))


def can_open_case(user: User | None) -> bool:
    return bool(user and user.active and (user.has_role("triager") or user.has_role("admin")))


def can_triage(user: User | None) -> bool:
    return can_open_case(user)


def can_file_for(user: User | None, function_key: str) -> bool:
    if not (user and user.active):
        return False
    return is_admin(user) or (user.has_role("lead") and function_key in user.functions)


def can_decide(user: User | None) -> bool:
    return bool(user and user.active and user.has_role("executive"))


def can_move_to_decision(user: User | None) -> bool:
    return is_admin(user) or can_decide(user)


def is_member(user: User, case_id: int | None) -> bool:
    """Is ``user`` on the case's need-to-know list (named, or an assigned lead)?"""
    from ..cases.models import CaseMember

    if case_id is None:
        return False
    query = select(CaseMember.id).where(
        CaseMember.case_id == case_id, CaseMember.user_id == user.id
    )
    return db.session.execute(query.limit(1)).first() is not None


def is_participant(user: User, case, member: bool | None = None) -> bool:  # noqa: ANN001
    """The case's opener, or one of its members (``case_members``: named people and the leads
    assigned to it). Leading a function the case involves is not enough: a lead who was not
    assigned (or joined the function later) is not a participant. ``member``: the membership
    when the caller already read it (in the same query as the case)."""
    if case.opened_by_id == user.id:
        return True
    return member if member is not None else is_member(user, getattr(case, "id", None))


def can_view_case(user: User | None, case, member: bool | None = None) -> bool:  # noqa: ANN001
    """Open cases are visible to every active user; restricted ones to participants,
    executives and admins only (``member`` as for :func:`is_participant`)."""
    if not (user and user.active):
        return False
    if not case.restricted:
        return True
    return sees_every_case(user) or is_participant(user, case, member)


def can_read_privileged(user: User | None, case) -> bool:  # noqa: ANN001
    """A privileged analysis (legal advice) is read by the case's participants, executives and
    admins; everyone else who sees the case sees only that one was filed."""
    if not (user and user.active):
        return False
    return sees_every_case(user) or is_participant(user, case)


def can_manage_members(user: User | None, case) -> bool:  # noqa: ANN001
    """Who adds and removes a case's members: its opener, an admin or an executive."""
    if not (user and user.active):
        return False
    return sees_every_case(user) or case.opened_by_id == user.id


def can_record_stage(user: User | None, case) -> bool:  # noqa: ANN001
    """Who records a dated stage of the case's law (adopted, in force, struck down…): the
    people who keep a case's facts current. :func:`can_manage_members` (opener, admins,
    executives) widened with triagers, who link the alerts that report a new stage, and the
    case's members who hold the lead role (the leads assigned to it, or named on it)."""
    if not (user and user.active):
        return False
    if sees_every_case(user) or can_triage(user) or case.opened_by_id == user.id:
        return True
    return user.has_role("lead") and is_member(user, getattr(case, "id", None))


def sees_every_case(user: User) -> bool:
    return is_admin(user) or user.has_role("executive")


def member_case_ids(user: User):  # noqa: ANN201
    """Ids of the cases the user is a member of (the ix_case_members_user_id index)."""
    from ..cases.models import CaseMember

    return select(CaseMember.case_id).where(CaseMember.user_id == user.id)


def restricted_visible_ids(user: User):  # noqa: ANN201
    """Ids of the restricted cases the user takes part in (opener, or member); an alias, so it
    is never correlated with an outer query on cases."""
    from ..cases.models import Case

    inner = aliased(Case)
    mine = (inner.opened_by_id == user.id) | inner.id.in_(member_case_ids(user))
    return select(inner.id).where(inner.restricted == true(), mine)


def visible_case_clause(user: User):  # noqa: ANN201
    """SQL filter matching :func:`can_view_case`, for lists and search: every unrestricted
    case, the cases the user is a member of, or opened. Each side can use an index
    (ix_cases_restricted_opened_at, ix_case_members_user_id, ix_cases_opened_by_opened_at)."""
    from ..cases.models import Case

    if sees_every_case(user):
        return true()
    return (
        (Case.restricted == false())
        | Case.id.in_(member_case_ids(user))
        | (Case.opened_by_id == user.id)
    )


def leads_by_function(function_keys) -> dict[str, list[User]]:  # noqa: ANN001
    """Active leads of each function, in one query (pages list every assigned function)."""
    keys = sorted(set(function_keys))
    out: dict[str, list[User]] = {key: [] for key in keys}
    if not keys:
        return out
    rows = db.session.execute(
        select(UserFunction.function_key, User)
        .join(User, User.id == UserFunction.user_id)
        .where(UserFunction.function_key.in_(keys), User.active.is_(True))
        .order_by(User.name)
    ).all()
    for key, user in rows:
        out[key].append(user)
    return out


def leads_of(function_key: str) -> list[User]:
    return list(
        db.session.execute(
            select(User)
            .join(UserFunction)
            .where(UserFunction.function_key == function_key, User.active.is_(True))
        ).scalars()
    )


def can_see_confidential_engagement(user: User | None, recorded_by_id: int | None = None) -> bool:
    """An engagement marked confidential (the organisation may not be named) is shown only to
    admins, executives, human-rights leads and the person who recorded it."""
    if not (user and user.active):
        return False
    if is_admin(user) or user.has_role("executive") or user.id == recorded_by_id:
        return True
    return user.has_role("lead") and "human-rights" in user.functions
