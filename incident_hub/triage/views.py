"""Web pages for the triage queue and the feed sources."""

from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import countries, validate
from ..auth import permissions as perm
from ..cases.models import STAGES
from ..errors import Invalid, ServiceError
from ..vocabulary import RIGHTS, TOPICS, AlertStatus, stage_label
from ..watch.models import ALERT_STATUSES
from ..watch.sources import add_source, list_sources
from ..web import form_error, local_path, web_actor
from . import filters as named
from . import service

bp = Blueprint("triage", __name__)
PAGE_SIZE = 50
FILTERS = ("status", "topic", "right", "jurisdiction", "source", "min_score")
SORTS = {"score": "Score, highest first", "date": "Date, newest first", "source": "Source"}
VIEWS = ("table", "cards")


@bp.context_processor
def labels() -> dict:
    """Keys as people read them, for the queue's cells and filters."""
    return {
        "topic_label": named.topic_label,
        "right_label": named.right_label,
        "country_name": countries.country_name,
    }


@bp.before_request
@login_required
def require_login() -> None:
    """Every triage page needs a signed-in user."""


@bp.get("/triage")
def queue():  # noqa: ANN201
    """The queue: a compact table (or ``view=cards``), sorted, filtered as people type, paged."""
    filters = {k: request.args.get(k, "") for k in FILTERS}
    if "status" not in request.args:
        filters["status"] = AlertStatus.NEW
    sort = request.args.get("sort") or "score"
    view = request.args.get("view") or "table"
    page = validate.page_number(request.args.get("page", type=int), PAGE_SIZE)
    # What the page's links carry: the filters, and the sort and view unless the defaults.
    keep = filters | {"sort": sort if sort != "score" else "", "view": "cards" * (view == "cards")}
    keep = {k: v for k, v in keep.items() if v or k == "status"}
    error, status = None, 200
    try:
        if view not in VIEWS:
            raise Invalid("Choose the table or the cards view.", field="view")
        if sort not in SORTS:
            raise Invalid("Sort by score, date or source.", field="sort")
        window = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE, "sort": sort}
        rows, total = service.list_alerts(web_actor(), filters | window)
    except ServiceError as exc:
        rows, total, error, status = [], 0, form_error(exc), exc.status
    pages = max(1, -(-total // PAGE_SIZE))
    if not rows and page > pages:  # the last row of the last page was triaged: one page back
        return redirect(url_for("triage.queue", **keep, page=pages))

    def queue_url(**changes: object) -> str:
        """This queue with some of its arguments changed (None drops one)."""
        return url_for("triage.queue", **(keep | changes))

    return render_template(
        "triage/queue.html",
        queue_url=queue_url,
        alerts=rows,
        shown=service.shown(web_actor(), rows),  # status and note as this user may see them
        total=total,
        filters=filters,
        sort=sort,
        sorts=SORTS,
        view=view if view in VIEWS else "table",
        here=queue_url(page=page if page > 1 else None),
        page=page,
        pages=pages,
        error=error,
        statuses=ALERT_STATUSES,
        sources=list_sources(),
        topics=TOPICS,
        rights=RIGHTS,
        can_triage=perm.can_triage(current_user),
        STAGES=STAGES,
    ), status


def _fetched() -> bool:
    """The action was sent by triage.js (fetch), which wants a short JSON answer, not a page."""
    return request.headers.get("X-Requested-With") == "triage.js"


def _back():  # noqa: ANN202
    """Return to the queue with the page, sort and filters the triager was using, scrolled to
    the row after the one just triaged (``next``: an alert id)."""
    target = local_path(request.form.get("back", ""), "/triage")
    if target is None or "//" in target or "#" in target:
        target = url_for("triage.queue")
    following = request.form.get("next", "")
    return redirect(target + (f"#alert-{following}" if following.isdigit() else ""))


def _run(action, done: str):  # noqa: ANN001, ANN202
    try:
        action()
    except ServiceError as exc:
        if _fetched():  # the service has audited a refusal; the script shows the message
            return jsonify(message=exc.message), exc.status
        flash(form_error(exc).message, "error")  # refused or not visible: the error page
    else:
        if _fetched():
            return jsonify(message=done)
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
    """Link to a case; with a stage chosen, also as a new stage of the case's law."""
    ref = request.form.get("case", "")
    data = {k: request.form.get(k, "") for k in ("case", "stage", "dated")}
    done = f"Alert linked to {ref}" + (
        f" as a new stage: {stage_label(data['stage'])}." if data["stage"] else "."
    )
    return _run(lambda: service.link_alert(web_actor(), alert_id, data), done)


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
