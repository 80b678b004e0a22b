"""Who sees which engagement entries; shared by the case page, the API and the dossier."""

from __future__ import annotations

from sqlalchemy import select

from ..actor import Actor
from ..auth import permissions as perm
from ..cases.models import Case
from ..extensions import db
from .models import Engagement


def can_see_log(actor: Actor, case: Case) -> bool:
    """The engagement log is for the case's participants: its opener, leads of its assigned
    functions, executives and admins."""
    user = actor.user
    if not (user and user.active and perm.can_view_case(user, case)):
        return False
    return perm.is_admin(user) or user.has_role("executive") or perm.is_participant(user, case)


def visible_engagements(actor: Actor, case: Case) -> list[Engagement]:
    """The case's engagement entries this actor may see, oldest first: none unless a
    participant; confidential ones only per ``perm.can_see_confidential_engagement``."""
    if not can_see_log(actor, case):
        return []
    rows = db.session.execute(
        select(Engagement)
        .where(Engagement.case_id == case.id)
        .order_by(Engagement.engaged_on, Engagement.id)
    ).scalars()
    return [
        e
        for e in rows
        if not e.confidential or perm.can_see_confidential_engagement(actor.user, e.recorded_by_id)
    ]
