"""Accounts and credentials: create users, issue and check API tokens, check passwords, and
sign in and out (password or single sign-on), each sign-in audited in one retried commit."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..actor import Actor
from ..audit import service as audit
from ..clock import now
from ..errors import Conflict, Forbidden, Invalid, NotFound, ServiceError, Unauthorized
from ..extensions import db
from ..playbooks import registry
from ..transaction import deny, run_in_transaction
from ..validate import label
from .inputs import PasswordReauth, PasswordSignIn, SsoSignIn
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
        raise deny(actor, "user.create", "user", label(email), "only an admin can create users")
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise Invalid(f"not an email address: {email!r}", field="email")
    if not (name or "").strip():
        raise Invalid("a name is required", field="name")
    roles, functions = _check_roles(roles, functions)
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
    user = _add_user(
        actor,
        User(
            email=email,
            name=name.strip(),
            slack_user_id=slack_user_id or None,
            password_hash=generate_password_hash(password) if password else None,
        ),
        roles,
        functions,
        {},
    )
    db.session.commit()
    return user


def _add_user(
    actor: Actor, user: User, roles: list[str], functions: list[str], extra: dict
) -> User:
    """Add a new account with its roles and functions, and audit its creation (caller commits).

    Local accounts (create_user) and first SSO sign-ins (sso_sign_in) share this one path."""
    user.role_rows = [UserRole(role=r) for r in dict.fromkeys(roles)]
    user.function_rows = [UserFunction(function_key=f) for f in functions]
    db.session.add(user)
    db.session.flush()
    audit.record(
        actor,
        "user.created",
        "user",
        user.email,
        details={"roles": sorted(set(roles)), "functions": functions, **extra},
    )
    return user


def _check_roles(roles: list[str], functions: list[str] | None) -> tuple[list[str], list[str]]:
    """Validate roles and led functions; return them without repeats, in order."""
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
    return list(dict.fromkeys(roles)), functions


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
        raise deny(
            actor, "token.issue", "user", user.email, "you can only create tokens for yourself"
        )
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
    email = (email or "").strip().lower()
    clean = email.isprintable() and len(email) <= 254  # NUL etc. cannot be any account's email
    user = (
        db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if clean
        else None
    )
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
        raise deny(actor, "user.slack_id", "user", user.email, "only an admin can change Slack ids")
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


def _require_admin(actor: Actor, action: str, user: User, message: str) -> None:
    """Admins (or the operator at the CLI) only; a refusal is audited."""
    if actor.via != "cli" and not is_admin(actor.user):
        raise deny(actor, action, "user", user.email, message)


def _apply_roles(user: User, roles: list[str], functions: list[str]) -> dict | None:
    """Give ``user`` exactly these roles and functions; return before/after, or None if equal.

    A change bumps ``session_epoch``: every session of the user ends, so nobody keeps acting
    with roles they no longer hold (the session that made the change signs in afresh).
    """
    before = {"roles": sorted(user.roles), "functions": sorted(user.functions)}
    after = {"roles": sorted(set(roles)), "functions": sorted(set(functions))}
    if before == after:
        return None
    # Remove and add row by row: deleting and re-inserting one key in a flush could collide.
    for row in [r for r in user.role_rows if r.role not in after["roles"]]:
        user.role_rows.remove(row)
    for role in [r for r in after["roles"] if r not in before["roles"]]:
        user.role_rows.append(UserRole(role=role))
    for function_row in [f for f in user.function_rows if f.function_key not in after["functions"]]:
        user.function_rows.remove(function_row)
    for key in [f for f in after["functions"] if f not in before["functions"]]:
        user.function_rows.append(UserFunction(function_key=key))
    user.session_epoch += 1
    return {"before": before, "after": after}


def set_roles(actor: Actor, user: User, roles: list[str], functions: list[str]) -> User:
    """Replace ``user``'s roles and led functions (admins, or the operator at the CLI).

    A change ends every session of the user at once.
    """
    _require_admin(actor, "user.roles", user, "only an admin can change roles")
    roles, functions = _check_roles(roles, functions)
    change = _apply_roles(user, roles, functions)
    if change is not None:
        audit.record(actor, "user.roles", "user", user.email, details=change)
        db.session.commit()
    return user


def disable_user(actor: Actor, user: User) -> User:
    """Disable ``user`` (admins, or the operator at the CLI): no sign-in, no API token, and
    every session of theirs ends at once. Disabling a disabled user changes nothing."""
    _require_admin(actor, "user.disable", user, "only an admin can disable users")
    if actor.user is not None and actor.user.id == user.id:
        raise Conflict("you cannot disable your own account")
    if not user.active:
        return user
    user.active = False
    user.session_epoch += 1
    audit.record(actor, "user.disabled", "user", user.email, details={"sessions_ended": True})
    db.session.commit()
    return user


def refuse_sign_in(
    actor: Actor,
    action: str,
    ref: str,
    *,
    method: str,
    reason: str,
    message: str,
    error: type[ServiceError] = Forbidden,
) -> ServiceError:
    """Record a refused sign-in or re-authentication in its own transaction (retried when
    another sign-in appended to the audit chain at the same moment); return the error to raise.
    ``reason`` goes to the audit trail, ``message`` to the person."""
    db.session.rollback()
    audit.record_committed(
        actor,
        action,
        "user",
        ref or "-",
        outcome="denied",
        details={"method": method, "reason": reason},
    )
    return error(message)


def _record_sign_in(actor: Actor, user: User, action: str, details: dict | None = None) -> None:
    """Audit a sign-in, re-authentication or sign-out as ``user`` (one retried commit)."""
    acting = Actor(user=user, via=actor.via, address=actor.address)
    email = user.email
    run_in_transaction(lambda: audit.record(acting, action, "user", email, details=details))


def password_sign_in_allowed() -> bool:
    """Whether password sign-in is on ([AUTH] LOCAL_LOGIN); off, only single sign-on works."""
    return bool(current_app.config["AUTH"]["LOCAL_LOGIN"])


def sign_in_with_password(actor: Actor, data: PasswordSignIn) -> User:
    """The user with this email and password, signed in (audited ``auth.login``).

    Refuses, audited: password sign-in turned off (403); a wrong email or password or a
    disabled account (401, one answer for all three, so it reveals no account)."""
    email = data.email.strip().lower()
    if not password_sign_in_allowed():
        raise refuse_sign_in(
            actor,
            "auth.login",
            email,
            method="password",
            reason="password sign-in is off",
            message="Password sign-in is turned off: use single sign-on.",
        )
    user = check_password(data.email, data.password)
    if user is None:
        raise refuse_sign_in(
            actor,
            "auth.login",
            email,
            method="password",
            reason="bad credentials",
            message="Email or password is wrong, or the account is disabled.",
            error=Unauthorized,
        )
    _record_sign_in(actor, user, "auth.login", {"method": "password"})
    return user


def reauth_with_password(actor: Actor, data: PasswordReauth) -> User:
    """The signed-in user confirms their password (audited ``auth.reauth``; a wrong one: 401,
    audited)."""
    current = actor.require_user()
    user = check_password(current.email, data.password)
    if user is None or user.id != current.id:
        raise refuse_sign_in(
            actor,
            "auth.reauth",
            current.email,
            method="password",
            reason="bad password",
            message="That password is wrong.",
            error=Unauthorized,
        )
    _record_sign_in(actor, user, "auth.reauth", {"method": "password"})
    return user


def sign_out(actor: Actor) -> None:
    """Audit the end of the signed-in user's session (the web view then clears it)."""
    _record_sign_in(actor, actor.require_user(), "auth.logout")


def _refuse_sso(actor: Actor, action: str, email: str, reason: str, message: str) -> ServiceError:
    return refuse_sign_in(actor, action, email, method="oidc", reason=reason, message=message)


def sso_sign_in(actor: Actor, data: SsoSignIn) -> User:
    """The account for an identity the provider vouched for (ID token validated, email verified).

    Finds the user by email or creates one (no password: ``password_hash`` stays None), and sets
    roles and functions from the provider's mapped groups at every sign-in; a change ends the
    user's other sessions. Refuses (Forbidden, audited) a user with no mapped group or a disabled
    account. The provider's subject goes into the audit details: there is no column for it.
    """
    action = "auth.reauth" if data.reauth else "auth.login"
    email = (data.email or "").strip().lower()
    if not EMAIL_RE.match(email):
        raise _refuse_sso(actor, action, "-", "bad email", "Your sign-in has no usable email.")
    user = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    if user is not None and not user.active:
        raise _refuse_sso(actor, action, email, "account disabled", "This account is disabled.")
    if not data.roles:
        raise _refuse_sso(
            actor,
            action,
            email,
            "no mapped group",
            "Your account is in no group that has access to Incident Hub; "
            "ask an administrator to grant you access.",
        )
    roles, functions = _check_roles(data.roles, data.functions)

    def work() -> User:
        account = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if account is None:
            account = _add_user(
                actor,
                User(email=email, name=(data.name or email).strip()[:200], password_hash=None),
                roles,
                functions,
                {"source": "oidc"},
            )
        else:
            change = _apply_roles(account, roles, functions)
            if change is not None:
                audit.record(
                    actor, "user.roles", "user", email, details={**change, "source": "oidc"}
                )
        signed_in = Actor(user=account, via=actor.via, address=actor.address)
        details = {"method": "oidc", "subject": data.subject}
        audit.record(signed_in, action, "user", email, details=details)
        return account

    # Two first sign-ins at once: the loser gets a 409 ("try again"), not a 500.
    return run_in_transaction(work)
