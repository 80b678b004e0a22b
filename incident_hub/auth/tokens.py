"""API tokens: create (named, with an expiry), list, revoke one by one, and check a presented one.

A token is ``ih_`` + 256 random bits, shown once; only its SHA-256 is stored. Its name is unique
among its owner's live tokens (neither revoked nor expired), so ``users token --revoke NAME``
names one token. It lasts [AUTH] API_TOKEN_DAYS days unless created for another number (at most
[AUTH] API_TOKEN_MAX_DAYS). Everyone manages their own tokens; admins (and the operator at the
CLI) anyone's. Every creation and revocation is audited, and so is every refusal.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..clock import now
from ..errors import Conflict, Invalid, NotFound, Unauthorized
from ..extensions import db
from ..schemas import parse
from ..transaction import deny
from ..validate import MAX_ID, storable
from ..validate import label as safe_label
from .inputs import NewToken
from .models import ApiToken, User
from .permissions import is_admin

TOKEN_PREFIX = "ih_"  # noqa: S105 (a prefix, not a secret)
MAX_TOKEN_CHARS = 200
USED_EVERY_S = 60  # last use is written at most once a minute: no write on every request


def token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _manages(actor: Actor, user: User) -> bool:
    return actor.via == "cli" or is_admin(actor.user) or actor.user == user


def _days(days: int | None) -> int:
    cfg = current_app.config["AUTH"]
    chosen = cfg["API_TOKEN_DAYS"] if days is None else days
    if not 1 <= chosen <= cfg["API_TOKEN_MAX_DAYS"]:
        raise Invalid(
            f"days must be between 1 and {cfg['API_TOKEN_MAX_DAYS']} ([AUTH] API_TOKEN_MAX_DAYS)",
            field="days",
            web=f"Days must be between 1 and {cfg['API_TOKEN_MAX_DAYS']}",
        )
    return int(chosen)


def live_tokens(user: User) -> list[ApiToken]:
    stamp = now()
    rows = db.session.execute(
        select(ApiToken)
        .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .order_by(ApiToken.id)
    ).scalars()
    return [row for row in rows if row.expires_at > stamp]


def free_name(user: User, base: str) -> str:
    """``base``, or ``base-2``, ``base-3``… : the first name none of ``user``'s live tokens has
    (the CLI's default name, so running ``users token EMAIL`` twice just works)."""
    taken = {row.name for row in live_tokens(user)}
    if base not in taken:
        return base
    return next(f"{base}-{n}" for n in range(2, len(taken) + 3) if f"{base}-{n}" not in taken)


def issue_token(actor: Actor, user: User, name: str, days: int | None = None) -> str:
    """Create an API token for ``user`` and return it (shown once; only its hash is stored)."""
    _row, token = _create(actor, user, {"name": name, "days": days})
    return token


def create_token(actor: Actor, raw: NewToken | dict[str, Any]) -> tuple[ApiToken, str]:
    """Create a named token (the web page's and the API's door) for the actor, or for the user
    whose email ``user`` gives (admins only); see :func:`issue_token`. Returns the row and the
    token, which is shown once."""
    owner = actor.require_user() if actor.via != "cli" else None
    data = parse(NewToken, raw)
    if data.user and (owner is None or data.user.strip().lower() != owner.email):
        owner = _user_by_email(actor, data.user, "token.issue")
    if owner is None:
        raise Invalid("user is required", field="user")
    return _create(actor, owner, data)


def _user_by_email(actor: Actor, email: str, action: str) -> User:
    """Another user, for an admin; to anyone else a refusal (audited) that names nobody."""
    if actor.via != "cli" and not is_admin(actor.user):
        raise deny(actor, action, "user", safe_label(email), "you can only manage your own tokens")
    storable(email, "user")  # a NUL would fail the query on PostgreSQL
    user = db.session.execute(
        select(User).where(User.email == email.strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user with email {safe_label(email)!r}", field="user")
    return user


def _create(actor: Actor, user: User, raw: NewToken | dict[str, Any]) -> tuple[ApiToken, str]:
    """Create a named token for ``user`` (yourself, or anyone for an admin or the CLI), lasting
    ``days`` (default [AUTH] API_TOKEN_DAYS); audited ``token.issued``. A name one of ``user``'s
    live tokens already has is a 409."""
    if not _manages(actor, user):
        raise deny(
            actor, "token.issue", "user", user.email, "you can only create tokens for yourself"
        )
    data = parse(NewToken, raw)
    days = _days(data.days)
    if data.name in {row.name for row in live_tokens(user)}:
        raise Conflict(
            f"you already have a live token named {data.name!r}: pick another name "
            "or revoke that one first",
            field="name",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    stamp = now()
    row = ApiToken(
        user_id=user.id,
        token_hash=token_hash(token),
        name=data.name,
        created_at=stamp,
        expires_at=stamp + timedelta(days=days),
    )
    db.session.add(row)
    db.session.flush()
    audit.record(
        actor,
        "token.issued",
        "user",
        user.email,
        details={"token_id": row.id, "name": data.name, "expires_at": row.expires_at.isoformat()},
    )
    db.session.commit()
    return row, token


def list_tokens(actor: Actor, user: User | str | None = None) -> list[ApiToken]:
    """``user``'s tokens (a user or an email; default: the actor's own), newest first, revoked
    and expired ones too. Only admins (and the CLI) may list someone else's (see also
    :func:`all_tokens`)."""
    if isinstance(user, str):
        mine = actor.user is not None and user.strip().lower() == actor.user.email
        user = actor.user if mine else _user_by_email(actor, user, "token.list")
    owner = user or actor.require_user()
    if not _manages(actor, owner):
        raise deny(actor, "token.list", "user", owner.email, "you can only list your own tokens")
    return list(
        db.session.execute(
            select(ApiToken).where(ApiToken.user_id == owner.id).order_by(ApiToken.id.desc())
        ).scalars()
    )


def all_tokens(actor: Actor) -> list[ApiToken]:
    """Every user's tokens, newest first (admins, and the operator at the CLI)."""
    if actor.via != "cli" and not is_admin(actor.user):
        raise deny(actor, "token.list", "user", "*", "only an admin can list everyone's tokens")
    return list(db.session.execute(select(ApiToken).order_by(ApiToken.id.desc())).scalars())


def find_token(actor: Actor, which: str | int, owner: User | None = None) -> ApiToken:
    """The token with id ``which`` (any of the actor's own, or anyone's for an admin), or the
    live token of ``owner`` named ``which``. Someone else's token is, to a non-admin, a token
    that does not exist (404: ids are not a way to learn who has tokens); that is audited."""
    text = str(which).strip()
    row: ApiToken | None = None
    if _is_id(text) and int(text) <= MAX_ID:
        row = db.session.get(ApiToken, int(text))
    if row is None and owner is not None:
        row = next((t for t in live_tokens(owner) if t.name == text), None)
    if row is None:
        raise NotFound(f"no token {safe_label(text)!r}")
    if not _manages(actor, row.user):
        audit.record_denied(
            actor, "token.revoke", "token", str(row.id), "not your token (answered: not found)"
        )
        raise NotFound(f"no token {safe_label(text)!r}")
    return row


def revoke_token(actor: Actor, which: str | int, owner: User | None = None) -> ApiToken:
    """Revoke one token (see :func:`find_token` for ``which``); audited ``token.revoked``.
    Revoking a revoked token changes nothing."""
    if owner is None and actor.user is not None and not _is_id(str(which).strip()):
        owner = actor.user
    row = find_token(actor, which, owner)
    if row.revoked_at is not None:
        return row
    row.revoked_at = now()
    audit.record(
        actor,
        "token.revoked",
        "user",
        row.user.email,
        details={"token_id": row.id, "name": row.name},
    )
    db.session.commit()
    return row


def authenticate(token: str) -> User:
    """The active owner of a live token (and note when it was used), else Unauthorized with
    a message saying what is wrong: unknown, revoked, expired (with when) or disabled."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        raise Unauthorized("invalid token")
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token))
    ).scalar_one_or_none()
    if row is None:
        raise Unauthorized("invalid token")
    if row.revoked_at is not None:
        raise Unauthorized("this token was revoked; create a new one")
    stamp = now()
    if row.expires_at <= stamp:
        raise Unauthorized(f"this token expired on {_day(row.expires_at)}; create a new one")
    if not row.user.active:
        raise Unauthorized("this token's account is disabled")
    if row.last_used_at is None or (stamp - row.last_used_at).total_seconds() > USED_EVERY_S:
        row.last_used_at = stamp
        db.session.commit()
    return row.user


def user_for_token(token: str) -> User | None:
    """The active owner of a live token, else None (see :func:`authenticate`)."""
    try:
        return authenticate(token)
    except Unauthorized:
        return None


def _is_id(text: str) -> bool:
    return text.isascii() and text.isdigit()  # "²" is a digit to str.isdigit, not to int()


def _day(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC")
