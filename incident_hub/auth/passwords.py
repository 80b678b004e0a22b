"""Passwords of local accounts: the strength rule every password set passes, the owner's own
change (with the current password), and an admin or the operator setting one.

Strength is zxcvbn's estimate (Dropbox's estimator, with its dictionaries of common passwords,
names and words in the wheel): at least :data:`MIN_SCORE` of 4, and at least :data:`MIN_LENGTH`
characters. ``1234567890`` scores 0 and is refused with zxcvbn's own warning.
"""

from __future__ import annotations

import re
from typing import Any

from flask import has_request_context
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from ..actor import Actor
from ..audit import service as audit
from ..errors import Conflict, Invalid, Unauthorized
from ..extensions import db
from ..schemas import parse
from ..transaction import deny
from .inputs import PasswordChange
from .models import User
from .permissions import is_admin
from .sessions import current as current_session
from .sessions import end_all as end_sessions

MIN_LENGTH = 12
MAX_LENGTH = 1000
MIN_SCORE = 3  # zxcvbn: 0 too guessable … 4 very unguessable
ESTIMATED_CHARS = 72  # zxcvbn refuses longer input; a longer password is judged on its start


def check_strength(
    password: str, *, field: str = "password", hints: list[str] | None = None
) -> str:
    """``password`` if it is strong enough, else :class:`Invalid` (422) saying why. ``hints``
    (the user's email and name) count as guessable words."""
    if not isinstance(password, str) or len(password) < MIN_LENGTH:
        raise Invalid(f"{field} must be at least {MIN_LENGTH} characters", field=field)
    if len(password) > MAX_LENGTH:
        raise Invalid(f"{field} must be at most {MAX_LENGTH} characters", field=field)
    if "\x00" in password:
        raise Invalid(f"{field} must not contain NUL characters", field=field)
    inputs = _guessable(hints or [])
    result = zxcvbn(password[:ESTIMATED_CHARS], user_inputs=inputs)
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        why = feedback.get("warning") or "it is too easy to guess"
        tips = " ".join(feedback.get("suggestions") or [])
        raise Invalid(
            f"{field} is too weak: {why.rstrip('.')}. {tips or 'Use a longer passphrase.'}".strip(),
            field=field,
        )
    return password


def _guessable(hints: list[str]) -> list[str]:
    """The user's email and name, whole and in parts (``ada.lovelace``, ``lovelace``), as the
    words zxcvbn should count as known to an attacker."""
    words: list[str] = []
    for hint in hints:
        hint = (hint or "").strip().lower()
        if not hint:
            continue
        local = hint.split("@", 1)[0]
        words += [hint, local, *(part for part in re.split(r"[\W_]+", hint) if len(part) >= 3)]
    return list(dict.fromkeys(words))


def hash_password(password: str) -> str:
    return generate_password_hash(password)


def strong_hash(password: str, user: User | None = None, *, email: str = "", name: str = "") -> str:
    """The hash of ``password`` after :func:`check_strength` (for every door that sets one)."""
    hints = [email, name] + ([user.email, user.name] if user is not None else [])
    return hash_password(check_strength(password, hints=hints))


def change_password(actor: Actor, raw: PasswordChange | dict[str, Any]) -> User:
    """The signed-in user replaces their own password, giving the current one (a wrong one is
    401, audited). The new one must pass :func:`check_strength`. Every other session of theirs
    ends (their rows are deleted and ``session_epoch`` bumped; the web view re-signs the session
    that asked); audited
    ``user.password_changed``. A single sign-on account has no password here (409)."""
    user = actor.require_user()
    data = parse(PasswordChange, raw)
    if not user.password_hash:
        raise Conflict("your account signs in through single sign-on: it has no password here")
    if not check_password_hash(user.password_hash, data.current_password):
        audit.record_denied(actor, "user.password", "user", user.email, "wrong current password")
        raise Unauthorized("your current password is wrong", field="current_password")
    if data.new_password == data.current_password:
        raise Invalid("new_password must differ from the current one", field="new_password")
    check_strength(data.new_password, field="new_password", hints=[user.email, user.name])
    user.password_hash = hash_password(data.new_password)
    user.session_epoch += 1
    # every other browser's session ends (a copied cookie is dead); this one is kept
    end_sessions(user, keep=current_session() if has_request_context() else None)
    audit.record(
        actor,
        "user.password_changed",
        "user",
        user.email,
        details={"by": "owner", "other_sessions_ended": True},
    )
    db.session.commit()
    return user


def set_password(actor: Actor, user: User, password: str) -> User:
    """An admin (or the operator at the CLI) sets ``user``'s password; it must pass
    :func:`check_strength`. Every session of the user ends; audited ``user.password_changed``."""
    if actor.via != "cli" and not is_admin(actor.user):
        raise deny(actor, "user.password", "user", user.email, "only an admin can set passwords")
    user.password_hash = strong_hash(password, user)
    user.session_epoch += 1
    end_sessions(user)
    audit.record(
        actor,
        "user.password_changed",
        "user",
        user.email,
        details={"by": "admin" if actor.via != "cli" else "cli", "sessions_ended": True},
    )
    db.session.commit()
    return user
