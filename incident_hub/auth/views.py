"""Sign in and out of the web UI."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..actor import Actor
from ..audit import service as audit
from ..extensions import db
from .service import check_password

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


@bp.route("/login", methods=["GET", "POST"])
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(url_for("cases.home"))
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "")[:254]
        user = check_password(email, request.form.get("password", "")[:1000])
        actor = Actor(user=user, via="web", address=request.remote_addr or "")
        if user is None:
            error = "Email or password is wrong, or the account is disabled."
            audit.record(
                actor,
                "auth.login",
                "user",
                email.strip().lower() or "-",
                outcome="denied",
                details={"reason": "bad credentials"},
            )
            db.session.commit()
        else:
            login_user(user)
            audit.record(actor, "auth.login", "user", user.email)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("login.html", error=error, email=email), 401 if error else 200


@bp.post("/logout")
@login_required
def logout():  # noqa: ANN201
    logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))
