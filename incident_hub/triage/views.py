"""Web pages for the triage queue and the feed sources."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import validate
from ..auth import permissions as perm
from ..errors import ServiceError
from ..vocabulary import AlertStatus
from ..watch.models import ALERT_STATUSES
from ..watch.sources import add_source, list_sources
from ..web import form_error, local_path, web_actor
from ..wording import for_people
from . import service

bp = Blueprint("triage", __name__)
PAGE_SIZE = 50
FILTERS = ("status", "topic", "right", "jurisdiction", "source", "min_score")


@bp.before_request
@login_required
def require_login() -> None:
    """Every triage page needs a signed-in user."""


@bp.get("/triage")
def queue():  # noqa: ANN201
    filters = {k: request.args.get(k, "") for k in FILTERS}
    if "status" not in request.args:
        filters["status"] = AlertStatus.NEW
    page = validate.page_number(request.args.get("page", type=int), PAGE_SIZE)
    error = None
    try:
        window = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
        rows, total = service.list_alerts(web_actor(), filters | window)
    except ServiceError as exc:
        rows, total, error = [], 0, for_people(exc)
    return render_template(
        "triage/queue.html",
        alerts=rows,
        shown=service.shown(web_actor(), rows),  # status and note as this user may see them
        total=total,
        filters=filters,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        error=error,
        statuses=ALERT_STATUSES,
        sources=list_sources(),
        can_triage=perm.can_triage(current_user),
    )


def _back():  # noqa: ANN202
    """Return to the queue with the filters the triager was using."""
    target = local_path(request.form.get("back", ""), "/triage")
    if target is not None and "//" not in target:
        return redirect(target)
    return redirect(url_for("triage.queue"))


def _run(action, done: str):  # noqa: ANN001, ANN202
    try:
        action()
    except ServiceError as exc:
        flash(form_error(exc).message, "error")  # refused or not visible: the error page
    else:
        flash(done, "success")
    return _back()


@bp.post("/triage/<alert_id>/dismiss")
def dismiss(alert_id: str):  # noqa: ANN201
    data = {"reason": request.form.get("reason", "")}
    return _run(
        lambda: service.dismiss_alert(web_actor(), alert_id, data),
        "Alert dismissed. It stays on record and can be restored.",
    )


@bp.post("/triage/dismiss")
def bulk_dismiss():  # noqa: ANN201
    data = {"ids": request.form.getlist("ids"), "reason": request.form.get("reason", "")}
    return _run(
        lambda: service.dismiss_alerts(web_actor(), data),
        f"{len(data['ids'])} alert(s) dismissed.",
    )


@bp.post("/triage/<alert_id>/restore")
def restore(alert_id: str):  # noqa: ANN201
    return _run(lambda: service.restore_alert(web_actor(), alert_id), "Alert back in the queue.")


@bp.post("/triage/<alert_id>/link")
def link(alert_id: str):  # noqa: ANN201
    ref = request.form.get("case", "")
    data = {"case": ref}
    return _run(lambda: service.link_alert(web_actor(), alert_id, data), f"Alert linked to {ref}.")


@bp.route("/sources", methods=["GET", "POST"])
def sources():  # noqa: ANN201
    error, values = None, {}
    if request.method == "POST":
        values = {
            k: request.form.get(k, "")
            for k in ("key", "title", "url", "jurisdiction", "language", "covers", "interval_min")
        }
        try:
            source = add_source(web_actor(), {k: v for k, v in values.items() if v != ""})
        except ServiceError as exc:
            error = form_error(exc)
        else:
            flash(f"Source {source.key} added; it will be polled on the next tick.", "success")
            return redirect(url_for("triage.sources"))
    status = error.status if error else 200
    return render_template(
        "watch/sources.html",
        sources=list_sources(),
        error=error,
        values=values,
        is_admin=perm.is_admin(current_user),
    ), status
