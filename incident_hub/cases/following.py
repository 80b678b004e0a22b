"""Following a case: the same functions serve the web, the API and Slack."""

from __future__ import annotations

from ..actor import Actor
from ..audit import service as audit
from ..errors import Conflict
from ..extensions import db
from ..transaction import run_in_transaction
from .models import Follow
from .queries import get_case


def follow_case(actor: Actor, ref: str) -> bool:
    """Follow a case's updates; following twice is harmless. Returns True if newly followed."""
    case = get_case(actor, ref)
    user_id = actor.require_user().id
    if db.session.get(Follow, (case.id, user_id)) is not None:
        return False

    def work() -> bool:
        db.session.add(Follow(case_id=case.id, user_id=user_id))
        audit.record(actor, "case.followed", "case", case.ref, case_id=case.id)
        return True

    try:
        return run_in_transaction(work)
    except Conflict:
        # Two follows at the same moment (a double click, a Slack retry): one row won.
        if db.session.get(Follow, (case.id, user_id)) is not None:
            return False
        raise


def unfollow_case(actor: Actor, ref: str) -> bool:
    """Stop following; returns False if the user was not following."""
    case = get_case(actor, ref)
    row = db.session.get(Follow, (case.id, actor.require_user().id))
    if row is None:
        return False

    def work() -> bool:
        db.session.delete(row)
        audit.record(actor, "case.unfollowed", "case", case.ref, case_id=case.id)
        return True

    return run_in_transaction(work)
