"""Accounts and credentials: create users, issue and check API tokens, check passwords."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..actor import Actor
from ..audit import service as audit
from ..clock import now
from ..errors import Conflict, Forbidden, Invalid, NotFound
from ..extensions import db
from ..playbooks import registry
from .models import ROLES, ApiToken, User, UserFunction, UserRole
from .permissions import is_admin

SLACK_ID_RE = re.compile(r"^[UW][A-Z0-9]{1,30}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TOKEN_PREFIX = "ih_"  # noqa: S105 (a prefix, not a secret)
MIN_PASSWORD = 10


def _token_hash(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough (unlike passwords).
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(
    actor: Actor,
    *,
    email: str,
    name: str,
    roles: list[str],
    functions: list[str] | None = None,
    slack_user_id: str | None = None,
    password: str | None = None,
) -> User:
    """Create an account; only an admin (or the operator at the CLI) may."""
    if actor.via != "cli" and not is_admin(actor.user):
        raise Forbidden("only an admin can create users")
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise Invalid(f"not an email address: {email!r}", field="email")
    if not (name or "").strip():
        raise Invalid("a name is required", field="name")
    if not roles:
        raise Invalid(f"at least one role is required ({', '.join(ROLES)})", field="role")
    for role in roles:
        if role not in ROLES:
            raise Invalid(f"unknown role {role!r} (roles: {', '.join(ROLES)})", field="role")
    functions = list(dict.fromkeys(functions or []))
    known = registry().functions
    for key in functions:
        if key not in known:
            raise Invalid(
                f"unknown function {key!r} (functions: {', '.join(known)})", field="function"
            )
    if functions and "lead" not in roles:
        raise Invalid("--function is for leads: add --role lead", field="function")
    if "lead" in roles and not functions:
        raise Invalid("a lead needs at least one --function", field="function")
    if password is not None and len(password) < MIN_PASSWORD:
        raise Invalid(f"password must be at least {MIN_PASSWORD} characters", field="password")
    if slack_user_id and not SLACK_ID_RE.match(slack_user_id):
        raise Invalid("a Slack user id looks like U012ABCDEF", field="slack_id")
    if db.session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict(f"a user with email {email} already exists", field="email")
    if (
        slack_user_id
        and db.session.execute(select(User.id).where(User.slack_user_id == slack_user_id)).first()
    ):
        raise Conflict(f"Slack user {slack_user_id} is already mapped", field="slack_id")
    user = User(
        email=email,
        name=name.strip(),
        slack_user_id=slack_user_id or None,
        password_hash=generate_password_hash(password) if password else None,
        role_rows=[UserRole(role=r) for r in dict.fromkeys(roles)],
        function_rows=[UserFunction(function_key=f) for f in functions],
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.created",
        "user",
        email,
        details={"roles": sorted(set(roles)), "functions": functions},
    )
    db.session.commit()
    return user


def find_user(email: str) -> User:
    user = db.session.execute(
        select(User).where(User.email == (email or "").strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    return user


def issue_token(actor: Actor, user: User, label: str = "") -> str:
    """Create an API token for ``user`` and return it; only its hash is stored."""
    if actor.via != "cli" and not (is_admin(actor.user) or actor.user == user):
        raise Forbidden("you can only create tokens for yourself")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), label=label[:100]))
    audit.record(actor, "token.issued", "user", user.email, details={"label": label[:100]})
    db.session.commit()
    return token


def user_for_token(token: str) -> User | None:
    """The active user owning a valid, unrevoked token (and note when it was used)."""
    if not token or len(token) > 200:
        return None
    row = db.session.execute(
        select(ApiToken).where(ApiToken.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    stamp = now()
    if row.last_used_at is None or (stamp - row.last_used_at).total_seconds() > 60:
        row.last_used_at = stamp  # at most once a minute: no write on every request
        db.session.commit()
    return row.user


def check_password(email: str, password: str) -> User | None:
    """The active user with this email and password, else None (same answer for both faults)."""
    user = db.session.execute(
        select(User).where(User.email == (email or "").strip().lower())
    ).scalar_one_or_none()
    if user is None or not user.password_hash:
        # Spend the same time as a real check so response time does not reveal accounts.
        check_password_hash(_dummy_hash(), password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    return user


@functools.cache
def _dummy_hash() -> str:
    return generate_password_hash("not-a-real-password")


def set_slack_id(actor: Actor, user: User, slack_user_id: str) -> User:
    """Map a user to their Slack id (admins, or the operator at the CLI)."""
    if actor.via != "cli" and not is_admin(actor.user):
        raise Forbidden("only an admin can change Slack ids")
    slack_user_id = (slack_user_id or "").strip()
    if not SLACK_ID_RE.match(slack_user_id):
        raise Invalid("a Slack user id looks like U012ABCDEF", field="slack_id")
    taken = db.session.execute(
        select(User.id).where(User.slack_user_id == slack_user_id, User.id != user.id)
    ).first()
    if taken:
        raise Conflict(f"Slack user {slack_user_id} is already mapped", field="slack_id")
    before = user.slack_user_id
    user.slack_user_id = slack_user_id
    audit.record(
        actor,
        "user.slack_id",
        "user",
        user.email,
        details={"before": before, "after": slack_user_id},
    )
    db.session.commit()
    return user
