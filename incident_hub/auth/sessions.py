"""Web sessions: server-side rows, idle and absolute timeouts, and recent sign-in.

A signed-in browser is a row of ``web_sessions`` (:class:`.models.WebSession`). Flask's signed
cookie holds Flask-Login's ``_user_id`` (``id:epoch``) and ``_ih_sid``, a random id (256 bits
from :mod:`secrets`) whose SHA-256 is the row's key; the row holds everything else:

- ``auth_at``: when the user last proved who they are (sign-in or re-authentication),
- ``seen_at``: when the session was last used (written at most once a minute),
- ``method``: how they signed in (``password`` or ``oidc``), which decides how to
  re-authenticate and whether signing out also signs out at the provider,
- ``id_token``: for an ``oidc`` session, the provider's ID token (the ``id_token_hint`` of
  RP-initiated logout), never put in the cookie.

A cookie whose row is gone is signed out: signing out deletes the row, so a copy of the cookie
taken before is dead; signing out everywhere, disabling the account and changing its roles
delete every row of the user (:func:`end_all`). A session past its idle or absolute limit
([AUTH] SESSION_IDLE_MIN, SESSION_MAX_HOURS) ends at its next request.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import delete, or_, select

from ..audit import service as audit
from ..clock import now
from ..errors import ReauthRequired
from ..extensions import db
from .models import User, WebSession

if TYPE_CHECKING:
    from werkzeug.wrappers import Response

    from ..actor import Actor

SID = "_ih_sid"  # session key: the random id whose SHA-256 keys the session's row
ROW = "_ih_web_session"  # ``g`` key: this request's row, looked up once
METHODS = ("password", "oidc")
EXPIRED_MESSAGE = "Your session expired; please sign in again"
ENDED_MESSAGE = "Your session has ended; please sign in again"
SEEN_EVERY_S = 60  # ``seen_at`` is written at most this often: no write on every request
# Doors whose credential is not the session cookie: the API (bearer tokens) and Slack
# (signed requests) never look at the session, so its timeouts do not apply there.
SESSIONLESS_BLUEPRINTS = frozenset({"api", "slack"})
# Actors exempt from the recent sign-in rule (see the ``Actor`` docstring for why).
EXEMPT_FROM_REAUTH = frozenset({"cli", "api"})
# A stored time this far ahead of the clock means the clock went back: the session ends.
CLOCK_SKEW_S = 300


def _key(sid: str) -> str:
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Ended:
    """What an ended session was: how it signed in, and the provider's ID token if any."""

    method: str
    id_token: str | None


def _limits() -> tuple[timedelta, timedelta]:
    cfg = current_app.config["AUTH"]
    return timedelta(minutes=cfg["SESSION_IDLE_MIN"]), timedelta(hours=cfg["SESSION_MAX_HOURS"])


def start(user: User, method: str, id_token: str | None = None) -> None:
    """Sign ``user`` in on a fresh session (nothing from before sign-in survives, not even the
    CSRF token) with a new row; the user's expired rows are deleted on the way."""
    session.clear()
    stamp = now()
    idle, longest = _limits()
    db.session.execute(
        delete(WebSession).where(
            WebSession.user_id == user.id,
            or_(WebSession.seen_at < stamp - idle, WebSession.auth_at < stamp - longest),
        )
    )
    sid = secrets.token_urlsafe(32)
    row = WebSession(
        id=_key(sid),
        user_id=user.id,
        method=method if method in METHODS else "password",
        created_at=stamp,
        auth_at=stamp,
        seen_at=stamp,
        address=(request.remote_addr or "")[:64],
        user_agent=(request.user_agent.string or "")[:200],
        id_token=id_token if method == "oidc" else None,
    )
    db.session.add(row)
    db.session.commit()
    login_user(user)
    session[SID] = sid
    setattr(g, ROW, row)


def current() -> WebSession | None:
    """This request's session row (None: not signed in, or the row is gone)."""
    if ROW not in g:
        sid = session.get(SID)
        row = db.session.get(WebSession, _key(sid)) if isinstance(sid, str) and sid else None
        setattr(g, ROW, row)
    return getattr(g, ROW)


def load(user_id: int, epoch: int) -> User | None:
    """Flask-Login's user loader: the active user of this session's row (one query), else
    None, which signs the request out: the row was deleted, or belongs to someone else."""
    sid = session.get(SID)
    if not isinstance(sid, str) or not sid:
        return None
    found = db.session.execute(
        select(User, WebSession)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.id == _key(sid), User.id == user_id)
    ).first()
    if found is None:
        setattr(g, ROW, None)
        return None
    user, row = found
    setattr(g, ROW, row)
    if not user.active or user.session_epoch != epoch:
        return None
    return user


def confirm(method: str, id_token: str | None = None) -> bool:
    """The signed-in user proved who they are again (re-authentication): restart the clock on
    this session's row. False when the row is gone (the sign-in changed the user's roles,
    which ends every session): the caller starts a fresh session instead."""
    sid = session.get(SID)
    found = (
        db.session.execute(select(WebSession).where(WebSession.id == _key(sid))).scalar()
        if isinstance(sid, str) and sid
        else None
    )
    setattr(g, ROW, found)
    if found is None:
        return False
    stamp = now()
    found.auth_at = found.seen_at = stamp
    found.method = method if method in METHODS else "password"
    if id_token:
        found.id_token = id_token
    db.session.commit()
    return True


def end() -> Ended | None:
    """End this session (sign out): delete its row, drop the user and everything else the
    cookie held. Returns what the session was (for signing out at the provider too)."""
    sid = session.get(SID)
    ended = None
    if isinstance(sid, str) and sid:
        key = _key(sid)
        found = db.session.execute(
            select(WebSession.method, WebSession.id_token).where(WebSession.id == key)
        ).first()
        if found is not None:
            ended = Ended(found.method, found.id_token)
            db.session.execute(delete(WebSession).where(WebSession.id == key))
            db.session.commit()
    logout_user()
    session.clear()
    setattr(g, ROW, None)
    return ended


def end_all(user: User, keep: WebSession | None = None) -> int:
    """Delete every session row of ``user`` but ``keep`` (the caller commits): each of their
    browsers is signed out at its next request. Returns how many sessions ended."""
    query = delete(WebSession).where(WebSession.user_id == user.id)
    if keep is not None:
        query = query.where(WebSession.id != keep.id)
    result = db.session.execute(query)
    return int(getattr(result, "rowcount", 0) or 0)


def sessions_of(user: User) -> list[WebSession]:
    """``user``'s sessions, the most recently used first (for the sessions page)."""
    rows = db.session.execute(
        select(WebSession)
        .where(WebSession.user_id == user.id)
        .order_by(WebSession.seen_at.desc(), WebSession.created_at.desc())
    )
    return list(rows.scalars())


def signed_in_at() -> datetime | None:
    """When the user of this session last signed in or re-authenticated (None: unknown)."""
    row = current()
    return row.auth_at if row is not None else None


def sign_in_method() -> str:
    """How this session was signed in: ``password`` or ``oidc``."""
    row = current()
    return row.method if row is not None and row.method in METHODS else "password"


def expired(row: WebSession | None) -> bool:
    """Whether the session is gone or past its idle or absolute limit ([AUTH] config)."""
    if row is None:
        return True
    stamp = now()
    idle, longest = _limits()
    if max(row.auth_at, row.seen_at) > stamp + timedelta(seconds=CLOCK_SKEW_S):
        return True
    return stamp - row.seen_at > idle or stamp - row.auth_at > longest


def enforce_limits() -> Response | None:
    """``before_request``: sign out a cookie whose row is gone, end a session that sat idle
    too long or is too old, else note the request as activity (at most once a minute).

    The user is sent to sign in again with a message (and back here afterwards, for a page
    read); on the sign-in page itself the page is simply shown, with the message.
    """
    # The row is cached for one request: never one read by an earlier request that shared this
    # app context (g outlives a request when an app context was pushed around several).
    g.pop(ROW, None)
    if request.endpoint in (None, "static") or request.blueprint in SESSIONLESS_BLUEPRINTS:
        return None
    if "_user_id" not in session:
        return None
    row = current() if current_user.is_authenticated else None
    if row is not None and not expired(row):
        stamp = now()
        if (stamp - row.seen_at).total_seconds() >= SEEN_EVERY_S:
            row.seen_at = stamp
            db.session.commit()
        return None
    message = EXPIRED_MESSAGE if row is not None else ENDED_MESSAGE
    kept, form = _keep_expired_post(row)
    if request.endpoint == "cases.save_draft":
        # Autosave found the session expired: with the draft kept, the session is left for the
        # form's own submission to end (ending it here would void the page's CSRF token, and
        # the words typed after this save would be refused with it). Nothing is allowed on it.
        if kept is None:
            end()
        return _json_expired()
    end()
    flash(message + (": what you typed is kept." if kept is not None else ""), "info")
    if request.endpoint == "auth.login":
        return None
    target = request.full_path.rstrip("?") if request.method == "GET" else form
    return redirect(url_for("auth.login", next=target))


def _keep_expired_post(row: WebSession | None) -> tuple[object | None, str | None]:
    """A form posted on a session that just expired: keep its fields as the draft of the
    session's user, and say where the form is (the sign-in sends them back there).

    Only for a session that expired (its row still there, the signed cookie naming it and
    its user, so the user is who the cookie proved before it timed out), never for one that
    was ended (signed out, everywhere, disabled); the POST passed the CSRF check already
    (CSRFProtect runs first). The draft is stored under that user's id: after signing in
    again only that same user finds it, anyone else signing in on this browser does not.
    Returns (the draft or None, the form's address or None)."""
    from ..cases import drafts

    if request.method != "POST" or row is None or not current_user.is_authenticated:
        return None, None
    key = drafts.key_for(request.endpoint, request.view_args)
    if key is None:
        return None, None
    from ..actor import Actor

    actor = Actor(
        user=current_user._get_current_object(), via="web", address=request.remote_addr or ""
    )
    kept = drafts.keep_posted(actor, key, request.form)
    return kept, drafts.form_url(key)


def _json_expired() -> Response:
    from flask import jsonify

    body = {"error": {"code": "unauthorized", "message": EXPIRED_MESSAGE}}
    response = jsonify(body)
    response.status_code = 401
    return response


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
