"""Web pages for an admin's work on one feed source: edit it, turn it off or on, poll it now.

The list of sources (and the form to add one) is the triage blueprint's ``/sources`` page;
these routes act on one row of it. Permission checks and their audit live in
:mod:`.source_admin`, which the API calls too.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from ..errors import ServiceError
from ..web import form_error, web_actor
from .language import LANGUAGES, NAMES
from .service import PollResult
from .source_admin import (
    EDITABLE,
    authorize_source_admin,
    edit_source,
    get_source,
    poll_source_now,
    set_source_enabled,
)

bp = Blueprint("watch", __name__)


@bp.before_request
@login_required
def require_login() -> None:
    """Every source page needs a signed-in user (and each action an admin)."""


@bp.route("/sources/<key>/edit", methods=["GET", "POST"])
def edit(key: str) -> ResponseReturnValue:
    actor = web_actor()
    authorize_source_admin(actor, key)  # audited 403 before the form is shown
    source = get_source(key)
    values: dict[str, Any] = {name: getattr(source, name) for name in EDITABLE}
    error = None
    if request.method == "POST":
        values = {name: request.form.get(name, "") for name in EDITABLE}
        sent = {k: v for k, v in values.items() if not (k == "interval_min" and v == "")}
        try:
            edit_source(actor, key, sent)
        except ServiceError as exc:
            error = form_error(exc)
        else:
            flash(f"Source {source.key} saved.", "success")
            return redirect(url_for("triage.sources", _anchor=f"source-{source.key}"))
    html = render_template(
        "watch/source_edit.html",
        source=source,
        values=values,
        error=error,
        languages=[(code, NAMES[code]) for code in LANGUAGES],
    )
    return html, error.status if error else 200


@bp.post("/sources/<key>/enabled")
def switch(key: str) -> ResponseReturnValue:
    enabled = request.form.get("enabled", "")
    try:
        source = set_source_enabled(web_actor(), key, {"enabled": enabled})
    except ServiceError as exc:
        flash(form_error(exc).message, "error")  # refused or not found: the error page
        return redirect(url_for("triage.sources"))
    state = "enabled: it is polled at the next tick" if source.enabled else "disabled"
    flash(f"Source {source.key} {state}.", "success")
    return redirect(url_for("triage.sources", _anchor=f"source-{source.key}"))


@bp.post("/sources/<key>/poll")
def poll_now(key: str) -> ResponseReturnValue:
    result = poll_source_now(web_actor(), key)  # refused or not found: the error page
    category = "error" if result.status == "error" else "success"
    flash(poll_summary(result), category)
    return redirect(url_for("triage.sources", _anchor=f"source-{result.key}"))


def poll_summary(result: PollResult) -> str:
    """One poll's outcome in words, as ``incident-hub poll`` prints it."""
    if result.status == "error":
        return f"Polled {result.key}: it failed ({result.error})."
    if result.status == "not_modified":
        found = "nothing changed since the last poll"
    else:
        found = f"{result.new} new, {result.updated} updated, {result.flagged} flagged"
        if result.joined:
            found += f", {result.joined} joined an existing alert"
    moved = f"; it moved permanently to {result.moved_to}" if result.moved_to else ""
    return f"Polled {result.key}: {found}{moved}."
