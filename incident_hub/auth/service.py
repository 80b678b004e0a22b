"""Accounts and credentials: create users, set their roles and Slack ids, check passwords.
API tokens are :mod:`.tokens` (re-exported here), password rules :mod:`.passwords`; signing in
and out is :mod:`.sign_in`."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re

from flask import current_app
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..actor import Actor
from ..audit import service as audit
from ..errors import Conflict, Invalid, NotFound
from ..extensions import db
from ..playbooks import registry
from ..schemas import parse
from ..transaction import deny, run_in_transaction
from ..validate import label
from .inputs import NotifyChange, TimezoneChange
from .models import ROLES, User, UserFunction, UserRole
from .passwords import strong_hash
from .permissions import is_admin
from .sessions import end_all as end_all_sessions

SLACK_ID_RE = re.compile(r"^[UW][A-Z0-9]{1,30}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


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
    roles, functions = check_roles(roles, functions)
    password_hash = strong_hash(password, email=email, name=name) if password is not None else None
    if slack_user_id and not SLACK_ID_RE.match(slack_user_id):
        raise Invalid("a Slack user id looks like U012ABCDEF", field="slack_id")
    if db.session.execute(select(User.id).where(User.email == email)).first():
        raise Conflict(f"a user with email {email} already exists", field="email")
    if (
        slack_user_id
        and db.session.execute(select(User.id).where(User.slack_user_id == slack_user_id)).first()
    ):
        raise Conflict(f"Slack user {slack_user_id} is already mapped", field="slack_id")
    user = add_user(
        actor,
        User(
            email=email,
            name=name.strip(),
            slack_user_id=slack_user_id or None,
            password_hash=password_hash,
        ),
        roles,
        functions,
        {},
    )
    db.session.commit()
    return user


def add_user(actor: Actor, user: User, roles: list[str], functions: list[str], extra: dict) -> User:
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


def check_roles(roles: list[str], functions: list[str] | None) -> tuple[list[str], list[str]]:
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


# What the audit trail accepts as a typed email: RFC 5322 atext local part, dotted domain with
# a letters-only top-level label (a subset of valid addresses; anything else is hashed).
AUDITABLE_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def typed_email_for_audit(typed: str) -> str:
    """What a refused sign-in records of the email field: the address (lower-cased) when it is
    a syntactically valid one, else ``hmac-sha256:<40 hex>`` of what was typed, so a password typed
    into the email field never reaches the append-only trail, while repeats stay recognisable.
    The hash is keyed with the app's SECRET_KEY: an exported trail gives no dictionary attack on
    it (a bare SHA-256 of a weak password is looked up in seconds)."""
    email = (typed or "").strip().lower()
    if len(email) <= 254 and AUDITABLE_EMAIL_RE.fullmatch(email):
        return email
    key = str(current_app.config["SECRET_KEY"]).encode()
    raw = (typed or "").encode("utf-8", "replace")
    # 160 of the 256 bits: the trail's object_ref holds 60 characters.
    return "hmac-sha256:" + hmac.new(key, raw, hashlib.sha256).hexdigest()[:40]


def find_user(email: str) -> User:
    user = db.session.execute(
        select(User).where(User.email == (email or "").strip().lower())
    ).scalar_one_or_none()
    if user is None:
        raise NotFound(f"no user with email {email!r}")
    return user


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


def set_timezone(actor: Actor, raw: TimezoneChange | dict, user: User | None = None) -> User:
    """Set a person's own time zone for reminders (``users.timezone``; None: [REMINDERS]
    TIMEZONE). Yours, or ``user``'s for an admin (or the operator at the CLI); an unknown
    name is 422. Audited ``user.timezone`` with before and after, when it changes."""
    data = parse(TimezoneChange, raw)
    refusal = "only an admin can set someone's time zone"
    return _set_setting(actor, user, "timezone", data.timezone, refusal)


def set_notify_by(actor: Actor, raw: NotifyChange | dict, user: User | None = None) -> User:
    """Choose how a person's notices reach them (``users.notify_by``: slack, email or both).
    Yours, or ``user``'s for an admin (or the operator at the CLI); anything else is 422.
    Audited ``user.notify_by`` with before and after, when it changes."""
    data = parse(NotifyChange, raw)
    refusal = "only an admin can choose how someone is notified"
    return _set_setting(actor, user, "notify_by", data.notify_by, refusal)


def _set_setting(
    actor: Actor, user: User | None, name: str, value: str | None, refusal: str
) -> User:
    """Set one of a person's own settings (``users.<name>``): theirs, or anyone's for an admin
    or the CLI operator (else refused, audited). Audited ``user.<name>`` with before and
    after, when it changes."""
    user = user if user is not None else actor.require_user()
    if actor.user is None or actor.user.id != user.id:
        _require_admin(actor, f"user.{name}", user, refusal)
    if getattr(user, name) == value:
        return user

    def work() -> User:
        before = getattr(user, name)
        setattr(user, name, value)
        details = {"before": before, "after": value}
        audit.record(actor, f"user.{name}", "user", user.email, details=details)
        return user

    return run_in_transaction(work)


def _require_admin(actor: Actor, action: str, user: User, message: str) -> None:
    """Admins (or the operator at the CLI) only; a refusal is audited."""
    if actor.via != "cli" and not is_admin(actor.user):
        raise deny(actor, action, "user", user.email, message)


def apply_roles(user: User, roles: list[str], functions: list[str]) -> dict | None:
    """Give ``user`` exactly these roles and functions; return before/after, or None if equal.

    A change deletes every session row of the user (and bumps ``session_epoch``): every
    session ends, so nobody keeps acting with roles they no longer hold (the session that made
    the change signs in afresh).
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
    end_all_sessions(user)
    return {"before": before, "after": after}


def set_roles(actor: Actor, user: User, roles: list[str], functions: list[str]) -> User:
    """Replace ``user``'s roles and led functions (admins, or the operator at the CLI).

    A change ends every session of the user at once.
    """
    _require_admin(actor, "user.roles", user, "only an admin can change roles")
    roles, functions = check_roles(roles, functions)
    change = apply_roles(user, roles, functions)
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
    end_all_sessions(user)
    audit.record(actor, "user.disabled", "user", user.email, details={"sessions_ended": True})
    db.session.commit()
    return user


# API tokens live in .tokens; these names stay importable from here (tests, older callers).
from .tokens import issue_token, user_for_token  # noqa: E402, F401
