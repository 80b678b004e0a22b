"""Sign in (password or single sign-on), re-authenticate, and sign out of the web UI."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..actor import Actor
from ..audit import service as audit
from ..errors import ServiceError
from ..extensions import db
from . import oidc, sessions
from .service import check_password, sso_sign_in

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only follow ``next`` to a path on this site (no open redirect).

    Browsers read "/\\host" like "//host", so backslashes and control characters are refused too.
    """
    home = url_for("cases.home")
    if not target or not target.isprintable() or "\\" in target or target.startswith("//"):
        return home
    parts = urlsplit(target)
    return target if target.startswith("/") and not (parts.scheme or parts.netloc) else home


def _actor(user=None) -> Actor:  # noqa: ANN001
    return Actor(user=user, via="web", address=request.remote_addr or "")


def _local_login() -> bool:
    return bool(current_app.config["AUTH"]["LOCAL_LOGIN"])


def _login_page(error: str | None = None, status: int = 200, email: str = ""):  # noqa: ANN202
    return (
        render_template(
            "login.html",
            error=error,
            email=email,
            local_login=_local_login(),
            sso=oidc.enabled(),
            next=request.args.get("next") or "",
        ),
        status,
    )


def _refused(action: str, ref: str, reason: str, method: str) -> None:
    audit.record(
        _actor(current_user if current_user.is_authenticated else None),
        action,
        "user",
        ref or "-",
        outcome="denied",
        details={"method": method, "reason": reason},
    )
    db.session.commit()


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(url_for("cases.home"))
    if request.method == "GET":
        return _login_page()
    email = request.form.get("email", "")[:254]
    if not _local_login():
        _refused("auth.login", email.strip().lower(), "password sign-in is off", "password")
        return _login_page("Password sign-in is turned off: use single sign-on.", 403)
    user = check_password(email, request.form.get("password", "")[:1000])
    if user is None:
        _refused("auth.login", email.strip().lower(), "bad credentials", "password")
        return _login_page("Email or password is wrong, or the account is disabled.", 401, email)
    sessions.start(user, "password")
    audit.record(_actor(user), "auth.login", "user", user.email, details={"method": "password"})
    db.session.commit()
    return redirect(_safe_next(request.args.get("next")))


@bp.get("/login/oidc")
def oidc_login():  # noqa: ANN201
    """Start single sign-on; ``reauth=1`` re-authenticates the signed-in user (prompt=login)."""
    if not oidc.enabled():
        abort(404)
    target = _safe_next(request.args.get("next"))
    reauth = current_user.is_authenticated and request.args.get("reauth") == "1"
    if current_user.is_authenticated and not reauth:
        return redirect(target)
    try:
        return oidc.begin(target, current_user.id if reauth else None)
    except oidc.SsoError as exc:
        return _login_page(exc.message, exc.status)


@bp.get("/login/oidc/callback")
def oidc_callback():  # noqa: ANN201
    """The provider sends the browser back here: validate, map groups, sign in (or refuse)."""
    if not oidc.enabled():
        abort(404)
    try:
        identity = oidc.finish()
    except oidc.SsoError as exc:
        _refused("auth.login", "-", exc.reason, "oidc")
        return _login_page(exc.message, exc.status)
    reauth = identity.reauth_user_id is not None
    action = "auth.reauth" if reauth else "auth.login"
    if reauth:
        same = (
            current_user.is_authenticated
            and current_user.id == identity.reauth_user_id
            and current_user.email == identity.email
        )
        if not same:
            _refused(action, identity.email, "different account", "oidc")
            flash("You confirmed as a different account; nothing was changed.", "error")
            return redirect(identity.next_url) if current_user.is_authenticated else _login_page()
        if not oidc.prompted_again(identity):
            _refused(action, identity.email, "provider did not prompt again", "oidc")
            flash("The sign-in provider did not ask you to sign in again; try again.", "error")
            return redirect(url_for("auth.reauth", next=identity.next_url))
    roles, functions = oidc.map_groups(identity.groups)
    try:
        user = sso_sign_in(
            _actor(),
            email=identity.email,
            name=identity.name,
            subject=identity.subject,
            roles=roles,
            functions=functions,
            reauth=reauth,
        )
    except ServiceError as exc:
        if reauth:
            sessions.end()
        return _login_page(exc.message, exc.status)
    sessions.start(user, "oidc")
    return redirect(_safe_next(identity.next_url))


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
def reauth():  # noqa: ANN201
    """Confirm who you are before a sensitive action: the password for a password session,
    the provider again (prompt=login) for a single sign-on one; then back to ``next``."""
    target = _safe_next(request.args.get("next"))
    by_password = (
        _local_login()
        and bool(current_user.password_hash)
        and not (sessions.sign_in_method() == "oidc" and oidc.enabled())
    )
    minutes = current_app.config["AUTH"]["REAUTH_FOR_DECISION_MIN"]
    context = {
        "by_password": by_password,
        "sso": oidc.enabled(),
        "minutes": minutes,
        "next": target,
    }
    if request.method == "GET" or not by_password:
        return render_template("reauth.html", error=None, **context)
    user = check_password(current_user.email, request.form.get("password", "")[:1000])
    if user is None or user.id != current_user.id:
        _refused("auth.reauth", current_user.email, "bad password", "password")
        return render_template("reauth.html", error="That password is wrong.", **context), 401
    sessions.confirm("password")
    audit.record(_actor(user), "auth.reauth", "user", user.email, details={"method": "password"})
    db.session.commit()
    return redirect(target)


@bp.post("/logout")
@login_required
def logout():  # noqa: ANN201
    """End this session. (Disabling the user or changing their roles ends all of them.)"""
    audit.record(_actor(current_user), "auth.logout", "user", current_user.email)
    db.session.commit()
    sessions.end()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
