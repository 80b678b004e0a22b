"""Drafts in the web UI: autosave (static/drafts.js posts the form here as the user types)
and "Discard draft" (a plain form, no script needed). The service is :mod:`.drafts`."""

from __future__ import annotations

from flask import flash, jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ..errors import ServiceError
from ..web import local_path, web_actor
from . import drafts
from .views import bp


@bp.post("/drafts/<form>")
def save_draft(form: str) -> ResponseReturnValue:
    """Autosave: the posted form's fields become the user's draft of ``form``. Answers JSON
    (``saved_at``, and ``label`` as the page shows it) for the script; a refusal is JSON too,
    with the service's status and message."""
    try:
        draft = drafts.save_draft(web_actor(), form, {"fields": drafts.fields_of(request.form)})
    except ServiceError as exc:
        return jsonify({"error": {"code": exc.code, "message": exc.message}}), exc.status
    return jsonify(
        {"saved_at": draft.updated_at.isoformat(), "label": drafts.label(draft.updated_at)}
    )


@bp.post("/drafts/<form>/discard")
def discard_draft(form: str) -> ResponseReturnValue:
    """Throw the draft away and go back to the form (``next``), now showing what is filed."""
    actor = web_actor()
    gone = drafts.discard_draft(actor, form)  # 404 page: no such form, or a case not visible
    flash("Draft discarded." if gone else "There was no draft to discard.", "info")
    back = local_path(request.args.get("next")) or drafts.form_url(form) or url_for("cases.home")
    return redirect(back)
