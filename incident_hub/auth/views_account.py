"""Your account's web pages: your API tokens (create, revoke; admins see everyone's), your
password, your time zone and how your notices reach you. The routes are on the auth
blueprint (:mod:`.views` imports this module); each page calls one service function of
:mod:`.tokens`, :mod:`.passwords` or :mod:`.service`."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user

from ..clock import now
from ..errors import ServiceError
from ..web import form_error, web_actor
from . import passwords, service, tokens
from .inputs import time_zones
from .permissions import is_admin
from .views import bp


def _tokens_page(issued: str | None = None, error: ServiceError | None = None, status: int = 200):  # noqa: ANN202
    actor = web_actor()
    everyone = tokens.all_tokens(actor) if is_admin(current_user) else []
    page = render_template(
        "account/tokens.html",
        mine=tokens.list_tokens(actor),
        everyone=[t for t in everyone if t.user_id != current_user.id],
        issued=issued,
        error=error,
        form=request.form if error else {},
        at=now(),
    )
    return page, status


@bp.route("/account/tokens", methods=["GET", "POST"])
@login_required
def tokens_page():  # noqa: ANN201
    """Your API tokens (name, created, expires, last used, revoked); create one. A new token
    is shown on the answer to the POST itself, once: never in a redirect or the session."""
    if request.method == "GET":
        return _tokens_page()
    data = {"name": request.form.get("name", ""), "days": request.form.get("days", "")}
    try:
        _row, token = tokens.create_token(web_actor(), data)
    except ServiceError as exc:
        error = form_error(exc)
        return _tokens_page(error=error, status=error.status)
    return _tokens_page(issued=token)


@bp.post("/account/tokens/<token_id>/revoke")
@login_required
def revoke_token(token_id: str):  # noqa: ANN201
    """Revoke one token: yours, or anyone's for an admin (someone else's is a 404)."""
    row = tokens.revoke_token(web_actor(), token_id)
    flash(f"Token {row.name!r} of {row.user.email} is revoked.", "success")
    return redirect(url_for("auth.tokens_page"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password_page():  # noqa: ANN201
    """Change your password (local accounts): the current one, then a strong new one. Your
    other sessions end; this one stays signed in."""
    if request.method == "GET":
        return render_template("account/password.html", error=None)
    data = {
        "current_password": request.form.get("current_password", ""),
        "new_password": request.form.get("new_password", ""),
    }
    try:
        user = passwords.change_password(web_actor(), data)
    except ServiceError as exc:
        error = form_error(exc)
        return render_template("account/password.html", error=error), error.status
    # The bumped session_epoch ended every session: sign this one in again. ``user`` may be
    # the ``current_user`` proxy itself, which Flask-Login must not be given (it would resolve
    # the proxy to itself, without end).
    login_user(getattr(user, "_get_current_object", lambda: user)())
    flash("Your password is changed; your other sessions have ended.", "success")
    return redirect(url_for("auth.tokens_page"))


def _timezone_page(error: ServiceError | None = None, status: int = 200):  # noqa: ANN202
    chosen = request.form.get("timezone", "") if error else (current_user.timezone or "")
    page = render_template(
        "account/timezone.html",
        zones=sorted(time_zones()),
        chosen=chosen,
        default=current_app.config["REMINDERS"]["TIMEZONE"],
        error=error,
    )
    return page, status


@bp.route("/account/timezone", methods=["GET", "POST"])
@login_required
def timezone_page():  # noqa: ANN201
    """Your time zone: your reminders reach you within working hours there (empty: the
    configured [REMINDERS] TIMEZONE)."""
    if request.method == "GET":
        return _timezone_page()
    try:
        user = service.set_timezone(web_actor(), {"timezone": request.form.get("timezone", "")})
    except ServiceError as exc:
        error = form_error(exc)
        return _timezone_page(error=error, status=error.status)
    shown = user.timezone or f"the default ({current_app.config['REMINDERS']['TIMEZONE']})"
    flash(f"Your reminders now keep working hours in {shown}.", "success")
    return redirect(url_for("auth.timezone_page"))


NOTIFY_CHOICES = {
    "slack": "Slack (a direct message)",
    "email": "E-mail",
    "both": "Slack and e-mail",
}


def _notices_page(error: ServiceError | None = None, status: int = 200):  # noqa: ANN202
    from .serialize import notified_by

    chosen = request.form.get("notify_by", "") if error else current_user.notify_by
    page = render_template(
        "account/notices.html",
        choices=NOTIFY_CHOICES,
        chosen=chosen,
        now_by=notified_by(current_user),
        email_on=bool(current_app.config["EMAIL"]["ENABLED"]),
        error=error,
    )
    return page, status


@bp.route("/account/notices", methods=["GET", "POST"])
@login_required
def notices_page():  # noqa: ANN201
    """How your notices reach you: Slack, e-mail or both."""
    if request.method == "GET":
        return _notices_page()
    try:
        user = service.set_notify_by(web_actor(), {"notify_by": request.form.get("notify_by", "")})
    except ServiceError as exc:
        error = form_error(exc)
        return _notices_page(error=error, status=error.status)
    flash(f"Your notices now go by {NOTIFY_CHOICES[user.notify_by].lower()}.", "success")
    return redirect(url_for("auth.notices_page"))
