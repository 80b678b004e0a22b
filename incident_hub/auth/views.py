"""Sign in (password or single sign-on), re-authenticate, sign out (here and at the provider),
and see or end one's sessions, in the web UI."""

from __future__ import annotations

import hashlib
import math
import time
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
from flask_limiter.errors import RateLimitExceeded
from flask_login import current_user, login_required

from ..actor import Actor
from ..errors import ServiceError
from ..extensions import limiter
from ..schemas import parse
from ..web import form_error, web_actor
from . import oidc, sessions
from .inputs import PasswordReauth, PasswordSignIn, SsoSignIn
from .service import find_user, typed_email_for_audit
from .sign_in import (
    password_sign_in_allowed,
    reauth_with_password,
    refuse_sign_in,
    sign_in_with_password,
    sign_out,
    sign_out_everywhere,
    sso_sign_in,
)

bp = Blueprint("auth", __name__)

# Failed sign-ins are counted in the limiter's storage ([LIMITS] STORAGE_URL: memory, or Redis
# shared by every worker), per address on every POST of this blueprint (attached in
# ``create_app``) and per account on the password forms below. Only a refusal (401) counts.
ADDRESS_SCOPE = "sign-in-failures-address"
ACCOUNT_SCOPE = "sign-in-failures-account"


SIGN_OUT_ENDPOINTS = frozenset({"auth.logout", "auth.end_all_sessions"})


def failed_sign_in(response) -> bool:  # noqa: ANN001
    """What the sign-in limits count: a wrong email or password (401), never a success."""
    return response.status_code == 401


def signing_out() -> bool:
    """Signing out (here or everywhere) is never held back by an address's lock-out."""
    return request.endpoint in SIGN_OUT_ENDPOINTS


def _account_key() -> str:
    """The account an attempt is for: the typed email, normalised (the signed-in user's own
    at re-authentication), hashed so the limiter's storage holds no addresses."""
    if request.endpoint == "auth.reauth" and current_user.is_authenticated:
        email = current_user.email
    else:
        email = request.form.get("email", "")
    return "account:" + hashlib.sha256(email.strip().lower().encode()).hexdigest()


per_account = limiter.shared_limit(
    lambda: current_app.config["LIMITS"]["LOGIN_ACCOUNT"],
    scope=ACCOUNT_SCOPE,
    key_func=_account_key,
    methods=["POST"],
    deduct_when=failed_sign_in,
    override_defaults=False,  # the per-address limit of the blueprint applies as well
)


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


def _login_page(error: str | None = None, status: int = 200, email: str = ""):  # noqa: ANN202
    return (
        render_template(
            "login.html",
            error=error,
            email=email,
            local_login=password_sign_in_allowed(),
            sso=oidc.enabled(),
            next=request.args.get("next") or "",
        ),
        status,
    )


def _refused(action: str, ref: str, reason: str, message: str = "") -> None:
    """Audit a refused single sign-on step (the sign-in service records it, retried)."""
    actor = _actor(current_user if current_user.is_authenticated else None)
    refuse_sign_in(actor, action, ref, method="oidc", reason=reason, message=message or reason)


@bp.route("/login", methods=["GET", "POST"])
@per_account
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "GET":
        return _login_page()
    data = PasswordSignIn(
        email=request.form.get("email", ""), password=request.form.get("password", "")
    )
    try:
        user = sign_in_with_password(_actor(), data)
    except ServiceError as exc:
        email = data.email if exc.status == 401 else ""
        return _login_page(exc.message, exc.status, email)
    sessions.start(user, "password")
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
        _refused("auth.login", "-", exc.reason)
        return _login_page(exc.message, exc.status)
    reauth = identity.reauth_user_id is not None
    action = "auth.reauth" if reauth else "auth.login"
    if reauth:
        same = current_user.is_authenticated and current_user.id == identity.reauth_user_id
        if same and current_user.oidc_subject is not None:  # the provider's account, by sub
            same = (current_user.oidc_issuer, current_user.oidc_subject) == (
                identity.issuer,
                identity.subject,
            )
        elif same:
            same = current_user.email == identity.email
        if not same:
            _refused(action, identity.email, "different account")
            flash("You confirmed as a different account; nothing was changed.", "error")
            return redirect(identity.next_url) if current_user.is_authenticated else _login_page()
        if not oidc.prompted_again(identity):
            _refused(action, identity.email, "provider did not prompt again")
            flash("The sign-in provider did not ask you to sign in again; try again.", "error")
            return redirect(url_for("auth.reauth", next=identity.next_url))
    roles, functions = oidc.map_groups(identity.groups)
    try:
        data = parse(
            SsoSignIn,
            {
                "email": identity.email,
                "name": identity.name or "",
                "issuer": identity.issuer,
                "subject": identity.subject,
                "roles": roles,
                "functions": functions,
                "reauth": reauth,
            },
        )
        user = sso_sign_in(_actor(), data)
    except ServiceError as exc:
        if reauth:
            sessions.end()
        return _login_page(exc.message, exc.status)
    if not (reauth and sessions.confirm("oidc", identity.id_token)):
        sessions.start(user, "oidc", identity.id_token)
    return redirect(_safe_next(identity.next_url))


def _reauth_context() -> dict:
    by_password = (
        password_sign_in_allowed()
        and bool(current_user.password_hash)
        and not (sessions.sign_in_method() == "oidc" and oidc.enabled())
    )
    return {
        "by_password": by_password,
        "sso": oidc.enabled(),
        "minutes": current_app.config["AUTH"]["REAUTH_FOR_DECISION_MIN"],
        "next": _safe_next(request.args.get("next")),
    }


@bp.route("/reauth", methods=["GET", "POST"])
@login_required
@per_account
def reauth():  # noqa: ANN201
    """Confirm who you are before a sensitive action: the password for a password session,
    the provider again (prompt=login) for a single sign-on one; then back to ``next``."""
    context = _reauth_context()
    target, by_password = context["next"], context["by_password"]
    if request.method == "GET" or not by_password:
        return render_template("reauth.html", error=None, **context)
    data = PasswordReauth(password=request.form.get("password", ""))
    try:
        reauth_with_password(_actor(current_user), data)
    except ServiceError as exc:
        return render_template("reauth.html", error=exc.message, **context), exc.status
    if not sessions.confirm("password"):
        sessions.start(current_user._get_current_object(), "password")
    return redirect(target)


@bp.post("/logout")
@login_required
def logout():  # noqa: ANN201
    """End this session: its row is deleted, so no copy of the cookie works any more. A single
    sign-on session then signs out at the provider too (RP-initiated logout), which sends the
    browser back to the sign-in page. (Disabling the user or changing their roles ends all.)"""
    sign_out(_actor(current_user))
    ended = sessions.end()
    flash("You are signed out.", "info")
    if ended is not None and ended.method == "oidc" and oidc.enabled():
        at_provider = oidc.logout_url(ended.id_token)
        if at_provider:
            return redirect(at_provider)
    return redirect(url_for("auth.login"))


@bp.get("/sessions")
@login_required
def session_list():  # noqa: ANN201
    """The signed-in user's sessions (browsers), with a button that ends them all."""
    return render_template(
        "sessions.html",
        rows=sessions.sessions_of(current_user),
        this=sessions.current(),
        error=None,
    )


@bp.post("/sessions/end-all")
@login_required
def end_all_sessions():  # noqa: ANN201
    """Sign out everywhere: every session of the signed-in user, this one too; an admin may
    name another user's ``email`` instead (the service decides and audits)."""
    email = request.form.get("email", "").strip()
    try:
        user = find_user(email) if email else current_user
        ended = sign_out_everywhere(web_actor(), user)
    except ServiceError as exc:
        error = form_error(exc)
        rows = sessions.sessions_of(current_user)
        page = render_template("sessions.html", rows=rows, this=sessions.current(), error=error)
        return page, error.status
    if user.id == current_user.id:
        sessions.end()
        flash(f"You are signed out everywhere ({ended} sessions ended).", "info")
        return redirect(url_for("auth.login"))
    flash(f"{user.email} is signed out everywhere ({ended} sessions ended).", "info")
    return redirect(url_for("auth.session_list"))


@bp.errorhandler(RateLimitExceeded)
def too_many_failures(exc: RateLimitExceeded):  # noqa: ANN201
    """A locked-out attempt gets its own form back with a readable message (429), audited like
    any refused sign-in; the password is not even checked."""
    which = "this account" if exc.limit.scope == ACCOUNT_SCOPE else "this address"
    window = limiter.current_limit
    seconds = (window.window.reset_time - time.time()) if window is not None else 60
    minutes = max(1, math.ceil(seconds / 60))
    message = (
        f"Too many failed sign-ins for {which}; try again in {minutes} "
        f"minute{'s' if minutes != 1 else ''}."
    )
    signed_in = current_user.is_authenticated
    email = current_user.email if signed_in else request.form.get("email", "").strip()[:320]
    refuse_sign_in(
        _actor(current_user if signed_in else None),
        "auth.reauth" if request.endpoint == "auth.reauth" else "auth.login",
        typed_email_for_audit(email) if email else "-",  # never a password typed as email
        method="password",
        reason=f"too many failed sign-ins for {which}",
        message=message,
    )
    if request.endpoint == "auth.login" and not signed_in:
        return _login_page(message, 429, email)
    if request.endpoint == "auth.reauth" and signed_in:
        return render_template("reauth.html", error=message, **_reauth_context()), 429
    return render_template("error.html", status=429, message=message), 429


from . import views_account  # noqa: E402, F401  (your tokens and password: pages on this bp)
