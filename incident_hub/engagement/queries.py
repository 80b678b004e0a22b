"""Who sees which engagement entries; shared by the case page, the API and the dossier.

The log of a case is for its participants (opener, leads of its assigned functions),
executives and admins. An entry marked confidential (the organisation may not be named) is
shown only to the people :func:`perm.can_see_confidential_engagement` allows. The same rules
exist twice: as Python checks for one case, and as SQL clauses for lists across cases (the
organisations directory), and the two must agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, func, select, true

from .. import validate
from ..actor import Actor
from ..auth import permissions as perm
from ..auth.models import User, UserFunction
from ..cases.models import Assignment, Case
from ..errors import NotFound
from ..extensions import db
from ..schemas import parse
from ..vocabulary import Role
from .inputs import OrganisationQuery
from .models import Engagement, Organisation


def can_see_log(actor: Actor, case: Case) -> bool:
    """The engagement log is for the case's participants: its opener, leads of its assigned
    functions, executives and admins."""
    user = actor.user
    if not (user and user.active and perm.can_view_case(user, case)):
        return False
    return perm.is_admin(user) or user.has_role(Role.EXECUTIVE) or perm.is_participant(user, case)


def can_see_entry(actor: Actor, entry: Engagement) -> bool:
    """An entry of a log the actor sees: confidential ones only for those allowed."""
    return not entry.confidential or perm.can_see_confidential_engagement(
        actor.user, entry.recorded_by_id
    )


def can_edit_entry(actor: Actor, entry: Engagement) -> bool:
    """The person who recorded the entry, or an admin, may correct it (nobody deletes it)."""
    user = actor.user
    return bool(user and user.active and (perm.is_admin(user) or user.id == entry.recorded_by_id))


def can_edit_organisation(actor: Actor, org: Organisation) -> bool:
    """Whoever added the organisation to the directory, or an admin."""
    user = actor.user
    return bool(user and user.active and (perm.is_admin(user) or user.id == org.created_by_id))


def visible_engagements(actor: Actor, case: Case) -> list[Engagement]:
    """The case's engagement entries this actor may see, oldest first: none unless a
    participant; confidential ones only per ``perm.can_see_confidential_engagement``."""
    if not can_see_log(actor, case):
        return []
    rows = db.session.execute(
        select(Engagement)
        .where(Engagement.case_id == case.id, confidential_clause(actor.require_user()))
        .order_by(Engagement.engaged_on, Engagement.id)
    ).scalars()
    return list(rows)


def log_clause(user: User) -> Any:
    """SQL filter on ``Case`` matching :func:`can_see_log` (it implies the case is visible)."""
    if perm.is_admin(user) or user.has_role(Role.EXECUTIVE):
        return true()
    clause = Case.opened_by_id == user.id
    if user.has_role(Role.LEAD):
        clause = clause | exists(
            select(Assignment.id)
            .join(UserFunction, UserFunction.function_key == Assignment.function_key)
            .where(Assignment.case_id == Case.id, UserFunction.user_id == user.id)
        )
    return clause


def confidential_clause(user: User) -> Any:
    """SQL filter on ``Engagement`` matching :func:`can_see_entry`."""
    if perm.can_see_confidential_engagement(user, None):
        return true()
    return Engagement.confidential.is_(False) | (Engagement.recorded_by_id == user.id)


def get_engagement(actor: Actor, case: Case, engagement_id: Any) -> Engagement:
    """One entry of the case's log; 404 when it is not there or the actor may not see it."""
    key = _id(engagement_id, "engagement")
    entry = db.session.get(Engagement, key)
    if entry is None or entry.case_id != case.id or not can_see_log(actor, case):
        raise NotFound(f"no engagement {key} on {case.ref}")
    if not can_see_entry(actor, entry):
        raise NotFound(f"no engagement {key} on {case.ref}")
    return entry


def _id(value: Any, what: str) -> int:
    try:
        key = int(str(value))
    except (TypeError, ValueError):
        raise NotFound(f"no {what} {validate.label(value)}") from None
    if not 0 < key <= validate.MAX_ID:
        raise NotFound(f"no {what} {key}")
    return key


def directory_clause(user: User) -> Any:
    """SQL filter on ``Organisation``: the directory as ``user`` sees it. Every organisation
    but those added with an entry the user may not see (a confidential entry, or one on a
    restricted case: ``Organisation.seal``); whoever added one sees it."""
    if perm.is_admin(user) or user.has_role(Role.EXECUTIVE):  # every log, every entry
        return true()
    seen = (
        select(Engagement.id)
        .join(Case, Case.id == Engagement.case_id)
        .where(perm.visible_case_clause(user), log_clause(user), confidential_clause(user))
    )
    return (
        (Organisation.seal == 0)
        | (Organisation.created_by_id == user.id)
        | Organisation.seal.in_(seen)
    )


def _directory(actor: Actor) -> Any:
    user = actor.user
    if not (user and user.active):
        raise NotFound("no organisations")
    return directory_clause(user)


def get_organisation(actor: Actor, org_id: Any, field: str | None = None) -> Organisation:
    """An organisation of the directory as the actor sees it (404 for one it may not see,
    exactly as for one that does not exist)."""
    try:
        key = _id(org_id, "organisation")
    except NotFound as exc:
        raise NotFound(exc.message, field=field) from None
    org = db.session.execute(
        select(Organisation).where(Organisation.id == key, _directory(actor))
    ).scalar_one_or_none()
    if org is None:
        raise NotFound(f"no organisation {key}", field=field)
    return org


def same_name(actor: Actor, name: str, seal: int = 0) -> Organisation | None:
    """An organisation the actor sees whose name equals ``name`` ignoring case (SQLite's
    lower() only folds ASCII, so candidates of the same length are compared here); with
    ``seal`` 0 the shared directory's, else any the actor sees."""
    query = select(Organisation).where(
        func.length(Organisation.name) == len(name), _directory(actor)
    )
    if seal == 0:
        query = query.where(Organisation.seal == 0)
    wanted = name.casefold()
    candidates = db.session.execute(query).scalars()
    return next((o for o in candidates if o.name.casefold() == wanted), None)


def list_organisations(
    actor: Actor,
    filters: OrganisationQuery | Mapping[str, Any],
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[Organisation], int]:
    """The directory as the actor sees it, by name, filtered by name (part of it), kind and
    country."""
    wanted = parse(OrganisationQuery, filters)
    query = select(Organisation).where(_directory(actor))
    if wanted.q:
        needle = wanted.q.lower()
        query = query.where(func.lower(Organisation.name).contains(needle, autoescape=True))
    if wanted.kind:
        query = query.where(Organisation.kind == wanted.kind)
    if wanted.country:
        query = query.where(Organisation.country == wanted.country)
    total = db.session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = db.session.execute(
        query.order_by(func.lower(Organisation.name), Organisation.id).limit(limit).offset(offset)
    ).scalars()
    return list(rows), total


def all_organisations(actor: Actor, limit: int = 2000) -> list[Organisation]:
    """The directory as the actor sees it, for an organisation picker, by name."""
    rows = db.session.execute(
        select(Organisation)
        .where(_directory(actor))
        .order_by(func.lower(Organisation.name), Organisation.id)
        .limit(limit)
    ).scalars()
    return list(rows)


def consultations(actor: Actor, org: Organisation) -> list[tuple[Engagement, Case]]:
    """Where the organisation was consulted, newest first: only entries of logs the actor
    sees (so only cases the actor may see), and confidential entries only for those allowed.
    Nothing else says that the organisation was consulted on a case."""
    user = actor.user
    if not (user and user.active):
        return []
    rows = db.session.execute(
        select(Engagement, Case)
        .join(Case, Case.id == Engagement.case_id)
        .where(
            Engagement.organisation_id == org.id,
            perm.visible_case_clause(user),
            log_clause(user),
            confidential_clause(user),
        )
        .order_by(Engagement.engaged_on.desc(), Engagement.id.desc())
    )
    return [(e, c) for e, c in rows]
