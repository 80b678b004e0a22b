"""Signing in and out, one service action each: a password, single sign-on, re-authentication,
sign-out and signing out everywhere. Each writes its audit event in one commit, retried when
another sign-in took the audit chain's head at the same moment
(``transaction.run_in_transaction``); each refusal is audited too."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from ..actor import Actor
from ..audit import service as audit
from ..errors import Forbidden, ServiceError, Unauthorized
from ..extensions import db
from ..transaction import deny, run_in_transaction
from .inputs import PasswordReauth, PasswordSignIn, SsoSignIn
from .models import User
from .permissions import is_admin
from .service import (
    EMAIL_RE,
    add_user,
    apply_roles,
    check_password,
    check_roles,
    typed_email_for_audit,
)
from .sessions import end_all as end_all_sessions


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
    """Audit the end of the signed-in user's session (the web view then deletes its row)."""
    _record_sign_in(actor, actor.require_user(), "auth.logout")


def sign_out_everywhere(actor: Actor, user: User) -> int:
    """End every session of ``user`` at once, this one too (audited ``auth.logout_everywhere``
    with how many ended): the user themselves, an admin, or the operator at the CLI. Returns
    the number of sessions ended. Anyone else is refused (403, audited)."""
    own = actor.user is not None and actor.user.id == user.id
    if actor.via != "cli" and not (own or is_admin(actor.user)):
        raise deny(
            actor,
            "auth.logout_everywhere",
            "user",
            user.email,
            "only the user or an admin can sign them out everywhere",
        )
    email, user_id = user.email, user.id

    def work() -> int:
        account = db.session.get(User, user_id)
        ended = end_all_sessions(account) if account is not None else 0
        audit.record(
            actor, "auth.logout_everywhere", "user", email, details={"sessions_ended": ended}
        )
        return ended

    return run_in_transaction(work)


def _refuse_sso(actor: Actor, action: str, email: str, reason: str, message: str) -> ServiceError:
    return refuse_sign_in(actor, action, email, method="oidc", reason=reason, message=message)


def _account_for(issuer: str, subject: str, email: str) -> tuple[User | None, User | None]:
    """(the user linked to this provider identity, the user with this email), either None."""
    linked = db.session.execute(
        select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject)
    ).scalar_one_or_none()
    by_email = db.session.execute(select(User).where(User.email == email)).scalar_one_or_none()
    return linked, by_email


def sso_sign_in(actor: Actor, data: SsoSignIn) -> User:
    """The account for an identity the provider vouched for (ID token validated, UserInfo
    merged, email verified).

    After the first sign-in the user is the one linked to the provider's ``issuer`` and
    ``subject``, whatever email the provider gives now (a changed email is copied to the
    account, when no other account has it). The first sign-in links the account with that
    verified email, or creates one (no password: ``password_hash`` stays None). Roles and
    functions come from the provider's mapped groups at every sign-in; a change ends the
    user's other sessions. Refuses (Forbidden, audited): a disabled account, no mapped group,
    an email whose account is already linked to another identity of the provider, a changed
    email that another account has.
    """
    action = "auth.reauth" if data.reauth else "auth.login"
    email = (data.email or "").strip().lower()
    issuer, subject = data.issuer, data.subject
    if not EMAIL_RE.match(email):
        raise _refuse_sso(actor, action, "-", "bad email", "Your sign-in has no usable email.")
    linked, by_email = _account_for(issuer, subject, email)
    user = linked or by_email
    if user is not None and not user.active:
        raise _refuse_sso(actor, action, email, "account disabled", "This account is disabled.")
    if linked is None and by_email is not None and by_email.oidc_subject is not None:
        raise _refuse_sso(
            actor,
            action,
            email,
            "email linked to another subject",
            "This email address belongs to another single sign-on account; ask an administrator.",
        )
    if linked is not None and by_email is not None and by_email.id != linked.id:
        raise _refuse_sso(
            actor,
            action,
            email,
            "changed email taken",
            "Your new email address is already another account's; ask an administrator.",
        )
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
        found, same_email = _account_for(issuer, subject, email)
        account = found or same_email
        details: dict = {"method": "oidc", "subject": subject}
        if account is None:
            account = add_user(
                actor,
                User(
                    email=email,
                    name=(data.name or email).strip()[:200],
                    password_hash=None,
                    oidc_issuer=issuer,
                    oidc_subject=subject,
                ),
                roles,
                functions,
                {"source": "oidc"},
            )
        else:
            if found is None:  # the first single sign-on of this account: link it
                account.oidc_issuer, account.oidc_subject = issuer, subject
                details["linked"] = True
            elif account.email != email:
                details["email_before"] = account.email
                account.email = email
            change = apply_roles(account, roles, functions)
            if change is not None:
                audit.record(
                    actor, "user.roles", "user", email, details={**change, "source": "oidc"}
                )
        signed_in = Actor(user=account, via=actor.via, address=actor.address)
        audit.record(signed_in, action, "user", email, details=details)
        return account

    # Two first sign-ins at once: the loser gets a 409 ("try again"), not a 500.
    return run_in_transaction(work)
