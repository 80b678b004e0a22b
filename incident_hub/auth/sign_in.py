"""Signing in and out, one service action each: a password, single sign-on, re-authentication
and sign-out. Each writes its audit event in one commit, retried when another sign-in took the
audit chain's head at the same moment (``transaction.run_in_transaction``); each refusal is
audited too."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..errors import Forbidden, ServiceError, Unauthorized
from ..extensions import db
from ..transaction import run_in_transaction
from .inputs import PasswordReauth, PasswordSignIn, SsoSignIn
from .models import User
from .service import (
    EMAIL_RE,
    add_user,
    apply_roles,
    check_password,
    check_roles,
    typed_email_for_audit,
)


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
    email = typed_email_for_audit(data.email)  # never a password typed in the wrong field
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
    roles, functions = check_roles(data.roles, data.functions)

    def work() -> User:
        account = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if account is None:
            account = add_user(
                actor,
                User(email=email, name=(data.name or email).strip()[:200], password_hash=None),
                roles,
                functions,
                {"source": "oidc"},
            )
        else:
            change = apply_roles(account, roles, functions)
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
