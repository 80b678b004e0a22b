"""Who a Slack user is in Incident Hub: the user linked by Slack user id, if active."""

from __future__ import annotations

from sqlalchemy import select

from ..actor import Actor
from ..auth.models import User
from ..extensions import db

MAX_SLACK_ID = 32  # users.slack_user_id is String(32)


def slack_actor(slack_user_id: str) -> Actor | None:
    """The Incident Hub user linked to this Slack user id, as a Slack actor; None when the id
    is unknown or the account is deactivated (both see nothing of any case)."""
    slack_user_id = slack_user_id.strip()
    if not slack_user_id or len(slack_user_id) > MAX_SLACK_ID:
        return None
    user = db.session.execute(
        select(User).where(User.slack_user_id == slack_user_id)
    ).scalar_one_or_none()
    if user is None or not user.active:
        return None
    return Actor(user=user, via="slack", address=slack_user_id)
