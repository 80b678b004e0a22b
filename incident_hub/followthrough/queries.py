"""Reading follow-through: a case's actions, its links to other cases, and "your actions".

Actions are part of the case: whoever may see the case sees its actions. A link is shown only
when the viewer may also see the case at the other end (a restricted case's reference would
otherwise tell non-members it exists).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, literal_column, or_, select
from sqlalchemy.orm import lazyload

from .. import validate
from ..actor import Actor
from ..auth import permissions as perm
from ..auth.models import User
from ..cases.models import Case
from ..clock import now
from ..errors import Invalid, NotFound
from ..extensions import db
from ..vocabulary import ActionStatus
from .models import Action, CaseLink

KIND_LABELS = {
    "related": "Related case",
    "same_law": "Same law, another country",
    "duplicate_of": "Duplicate",
}


def record_id(value: Any, what: str) -> int:
    """A path or form id as an integer primary key; anything else names nothing (404)."""
    try:
        key = int(str(value))
    except (TypeError, ValueError):
        raise NotFound(f"no {what} {validate.label(value)}") from None
    if not 0 < key <= validate.MAX_ID:
        raise NotFound(f"no {what} {key}")
    return key


def actions_of(case: Case) -> list[Action]:
    """Every action of the case, current round first, then by due time."""
    return list(
        db.session.execute(
            select(Action)
            .where(Action.case_id == case.id)
            .order_by(Action.round.desc(), Action.due_at, Action.id)
        ).scalars()
    )


def open_actions(case: Case) -> list[Action]:
    """Actions of any round still open: they keep the case from being closed."""
    return [a for a in actions_of(case) if a.status == ActionStatus.OPEN]


def get_action(case: Case, action_id: Any, *, for_update: bool = False) -> Action:
    key = record_id(action_id, "action")
    query = select(Action).where(Action.id == key, Action.case_id == case.id)
    if for_update:
        query = query.with_for_update(of=Action).execution_options(populate_existing=True)
    action = db.session.execute(query).scalar_one_or_none()
    if action is None:
        raise NotFound(f"no action {key} on {case.ref}")
    return action


def find_owner(value: Any, case: Case, field: str = "owner") -> User:
    """An active user named by email or id, who may see the case (a restricted case's action
    cannot go to someone who cannot open it)."""
    if isinstance(value, bool) or value in (None, ""):
        raise Invalid(f"{field} is required: an active user's email or id", field=field)
    user = None
    if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        key = int(value)
        user = db.session.get(User, key) if 0 < key <= validate.MAX_ID else None
    elif isinstance(value, str):
        email = validate.text(value, field, max_len=254).lower()
        user = db.session.execute(
            select(User).where(func.lower(User.email) == email)
        ).scalar_one_or_none()
    else:
        raise Invalid(f"{field} must be an email or a user id", field=field)
    if user is None or not user.active:
        raise Invalid(f"{field} must be an active user (email or id)", field=field)
    if not perm.can_view_case(user, case):
        raise Invalid(f"{user.email} cannot see this restricted case", field=field)
    return user


def possible_owners(case: Case) -> list[User]:
    """Active users who may see the case, by name (for the owner picker)."""
    users = db.session.execute(
        select(User).where(User.active.is_(True)).order_by(User.name, User.id)
    ).scalars()
    return [u for u in users if perm.can_view_case(u, case)]


@dataclass
class LinkView:
    """A link as one case sees it: ``outgoing`` when this case is the link's ``case``."""

    link: CaseLink
    other: Case
    outgoing: bool

    @property
    def relation(self) -> str:
        if self.link.kind == "duplicate_of":
            return "Duplicate of" if self.outgoing else "Merged duplicate"
        return KIND_LABELS[self.link.kind]


def links_of(actor: Actor, case: Case) -> list[LinkView]:
    """The case's links whose other case the actor may see, oldest first."""
    rows = list(
        db.session.execute(
            select(CaseLink)
            .where(or_(CaseLink.case_id == case.id, CaseLink.other_id == case.id))
            .order_by(CaseLink.id)
        ).scalars()
    )
    wanted = {link.other_id if link.case_id == case.id else link.case_id for link in rows}
    others = (
        {c.id: c for c in db.session.execute(select(Case).where(Case.id.in_(wanted))).scalars()}
        if wanted
        else {}
    )
    out = []
    for link in rows:
        outgoing = link.case_id == case.id
        other = others.get(link.other_id if outgoing else link.case_id)
        if other is not None and perm.can_view_case(actor.user, other):
            out.append(LinkView(link, other, outgoing))
    return out


def get_link(case: Case, link_id: Any) -> CaseLink:
    key = record_id(link_id, "link")
    link = db.session.get(CaseLink, key)
    if link is None or case.id not in (link.case_id, link.other_id):
        raise NotFound(f"no link {key} on {case.ref}")
    return link


def link_between(case: Case, other: Case) -> CaseLink | None:
    """A link between the two cases, in either direction."""
    return db.session.execute(
        select(CaseLink).where(
            or_(
                (CaseLink.case_id == case.id) & (CaseLink.other_id == other.id),
                (CaseLink.case_id == other.id) & (CaseLink.other_id == case.id),
            )
        )
    ).scalar_one_or_none()


def action_work(user: User, bucket: Any) -> list[Select]:
    """My work's rows for the user's actions, as ``(kind, item_id, due, bucket)`` selects to be
    combined with the other kinds of work (:mod:`..cases.mywork`): open actions by due time
    (``bucket(due)`` says which group each falls in), and done actions whose effectiveness
    review date has come with no review yet (always owed now). Only cases the user may see."""
    mine = (Action.owner_id == user.id, perm.visible_case_clause(user))
    open_rows = (
        select(
            literal_column("'action'").label("kind"),
            Action.id.label("item_id"),
            Action.due_at.label("due"),
            bucket(Action.due_at).label("bucket"),
        )
        .join(Case, Case.id == Action.case_id)
        .where(Action.status == ActionStatus.OPEN, *mine)
    )
    review_rows: Select = (
        select(
            literal_column("'review'").label("kind"),
            Action.id.label("item_id"),
            Action.review_on.label("due"),
            literal_column("0").label("bucket"),
        )
        .join(Case, Case.id == Action.case_id)
        .where(
            Action.status == ActionStatus.DONE,
            Action.review_on.is_not(None),
            Action.review_on <= now().date(),
            Action.effectiveness == "",
            *mine,
        )
    )
    return [open_rows, review_rows]


def actions_by_id(ids: list[int], *options: Any) -> dict[int, tuple[Action, Case]]:
    """The actions with these ids, each with its case, in one query (without their owners,
    who are not shown; ``options``: what else to load or not)."""
    rows = db.session.execute(
        select(Action, Case)
        .join(Case, Case.id == Action.case_id)
        .options(lazyload(Action.owner), *options)
        .where(Action.id.in_(ids))
    ).all()
    return {action.id: (action, case) for action, case in rows}
