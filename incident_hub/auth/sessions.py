"""Web sessions: when the user signed in, idle and absolute timeouts, and recent sign-in.

The session is Flask's signed cookie. Next to Flask-Login's ``_user_id`` (``id:epoch``: bumping
``User.session_epoch`` ends every session of that user at once, see ``web.load_user``) it holds

- ``_ih_auth_at``: when the user last proved who they are (sign-in or re-authentication),
- ``_ih_seen_at``: when the session was last used,
- ``_ih_method``: how they signed in (``password`` or ``oidc``), which decides how to
  re-authenticate,

both times as whole seconds since the epoch, from :func:`incident_hub.clock.now`. The cookie is
signed, so a client can read these values but not change them. A signed-in session without them
(made before this module existed) counts as expired.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypeGuard

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import login_user, logout_user

from ..audit import service as audit
from ..clock import now
from ..errors import ReauthRequired

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from ..actor import Actor
    from .models import User

AUTH_AT = "_ih_auth_at"
SEEN_AT = "_ih_seen_at"
METHOD = "_ih_method"
METHODS = ("password", "oidc")
EXPIRED_MESSAGE = "Your session expired; please sign in again"
# Doors whose credential is not the session cookie: the API (bearer tokens) and Slack
# (signed requests) never look at the session, so its timeouts do not apply there.
SESSIONLESS_BLUEPRINTS = frozenset({"api", "slack"})
# Actors exempt from the recent sign-in rule (see the ``Actor`` docstring for why).
EXEMPT_FROM_REAUTH = frozenset({"cli", "api"})
# A stored time this far ahead of the clock means the clock went back: the session ends.
CLOCK_SKEW_S = 300


def _stamp() -> int:
    return int(now().timestamp())


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def start(user: User, method: str) -> None:
    """Sign ``user`` in on a fresh session (nothing from before sign-in survives, not even the
    CSRF token) and note the sign-in time."""
    session.clear()
    login_user(user)
    stamp = _stamp()
    session[AUTH_AT] = stamp
    session[SEEN_AT] = stamp
    session[METHOD] = method if method in METHODS else "password"


def confirm(method: str) -> None:
    """The signed-in user proved who they are again (re-authentication): restart the clock."""
    stamp = _stamp()
    session[AUTH_AT] = stamp
    session[SEEN_AT] = stamp
    session[METHOD] = method if method in METHODS else "password"


def end() -> None:
    """End this session (sign out): drop the user and everything else the session held."""
    logout_user()
    session.clear()


def signed_in_at() -> datetime | None:
    """When the user of this session last signed in or re-authenticated (None: unknown)."""
    value = session.get(AUTH_AT)
    return datetime.fromtimestamp(value, UTC) if _number(value) else None


def sign_in_method() -> str:
    """How this session was signed in: ``password`` or ``oidc``."""
    value = session.get(METHOD)
    return value if value in METHODS else "password"


def expired() -> bool:
    """Whether the signed-in session is past its idle or absolute limit ([AUTH] config)."""
    cfg = current_app.config["AUTH"]
    stamp = now().timestamp()
    auth_at, seen_at = session.get(AUTH_AT), session.get(SEEN_AT)
    if not (_number(auth_at) and _number(seen_at)):
        return True
    if max(auth_at, seen_at) > stamp + CLOCK_SKEW_S:
        return True
    return (
        stamp - seen_at > cfg["SESSION_IDLE_MIN"] * 60
        or stamp - auth_at > cfg["SESSION_MAX_HOURS"] * 3600
    )


def enforce_limits() -> Response | None:
    """``before_request``: end a session that sat idle too long or is too old, else note the
    request as activity.

    The user is sent to sign in again with a message (and back here afterwards, for a page
    read); on the sign-in page itself the page is simply shown, with the message.
    """
    if request.endpoint in (None, "static") or request.blueprint in SESSIONLESS_BLUEPRINTS:
        return None
    if "_user_id" not in session:
        return None
    if not expired():
        session[SEEN_AT] = _stamp()
        return None
    end()
    flash(EXPIRED_MESSAGE, "info")
    if request.endpoint == "auth.login":
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target))


def is_recent(actor: Actor) -> bool:
    """Whether ``actor`` proved who they are recently enough for a sensitive action
    ([AUTH] REAUTH_FOR_DECISION_MIN). CLI and API actors are exempt (see ``Actor``)."""
    if actor.via in EXEMPT_FROM_REAUTH:
        return True
    at = actor.authenticated_at
    if at is None:
        return False
    limit = timedelta(minutes=current_app.config["AUTH"]["REAUTH_FOR_DECISION_MIN"])
    age = now() - at
    return -timedelta(seconds=CLOCK_SKEW_S) <= age <= limit


def require_recent(actor: Actor, action: str, object_type: str, ref: str) -> None:
    """Refuse (audited, :class:`ReauthRequired`) unless :func:`is_recent`; called first by the
    service functions that need a fresh sign-in, so every door gets the same rule."""
    if is_recent(actor):
        return
    minutes = current_app.config["AUTH"]["REAUTH_FOR_DECISION_MIN"]
    message = f"this needs a sign-in within the last {minutes} minutes: please confirm it is you"
    audit.record_denied(actor, action, object_type, ref, "re-authentication required")
    raise ReauthRequired(message)
