"""The case page's "Discussion" section (the case's own thread and one per function's analysis)
and the forms that post and edit comments. The service is :mod:`.service`."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_required

from ..actor import Actor
from ..auth import permissions as perm
from ..cases.members import members_of
from ..cases.models import Case
from ..errors import ServiceError
from ..playbooks import registry
from ..web import form_error, web_actor
from . import service
from .models import MAX_TEXT

bp = Blueprint("discussion", __name__)
SPLIT = re.compile(r"[\s,;]+")


@bp.before_request
@login_required
def require_login() -> None:
    """Every discussion route needs a signed-in user."""


def _people(case: Case, viewer_id: int | None) -> list[Any]:
    """The people on the case (opener, members), each once, for the mention list."""
    users = [case.opened_by] + [m.user for m in members_of(case)]
    seen: dict[int, Any] = {}
    for user in users:
        if user.active and user.id != viewer_id and user.id not in seen:
            seen[user.id] = user
    return sorted(seen.values(), key=lambda u: u.name.lower())


def case_section(actor: Actor, case: Case) -> dict[str, Any]:
    """The section's context: each thread's comments the viewer may read, how many of a
    privileged thread are withheld from them, and who may post where."""
    user = actor.user
    privileged = service.privileged_threads(case)
    reads_privileged = bool(privileged) and perm.can_read_privileged(user, case)
    shown = service.comments_of(actor, case, privileged=privileged)
    threads = []
    for key in ["", *(a.function_key for a in case.assignments)]:
        protected = key in privileged and not reads_privileged
        rows = [c for c in shown if c.function_key == key]
        threads.append(
            {
                "key": key,
                "title": registry().function_title(key) if key else "",
                "comments": rows,
                "withheld": protected,
                "can_post": user is not None and not protected,
            }
        )
    return {
        "threads": threads,
        "count": len(shown),
        "can_edit": {c.id: service.can_edit(user, c) for c in shown},
        "functions": [
            (k, registry().function_title(k)) for k in (a.function_key for a in case.assignments)
        ],
        "people": _people(case, user.id if user else None),
        "edit_minutes": service.edit_minutes(),
        "max_text": MAX_TEXT,
    }


def _mentions() -> list[str]:
    """Addresses from the form's mention fields (several per field, split by spaces/commas)."""
    return [a for value in request.form.getlist("mention") for a in SPLIT.split(value) if a]


def _told(posted: service.Posted, done: str) -> None:
    told = ", ".join(u.name for u in posted.mentioned.told)
    flash(done + (f" Notified: {told}." if told else ""), "success")
    if posted.mentioned.not_told:
        flash(posted.mentioned.message(), "info")


def _back(ref: str, anchor: str) -> ResponseReturnValue:
    return redirect(url_for("cases.detail", ref=ref, _anchor=anchor))


@bp.post("/cases/<ref>/comments")
def add_comment(ref: str) -> ResponseReturnValue:
    """Post a comment from the case page; a refusal or bad value comes back with a message."""
    function = request.form.get("function", "")
    raw = {
        "text": request.form.get("text", ""),
        "function": function,
        "to_function": request.form.get("to_function", ""),
        "mentions": _mentions(),
    }
    try:
        posted = service.add_comment(web_actor(), ref, raw)
    except ServiceError as exc:
        flash(form_error(exc).message, "error")
        return _back(ref, f"comment-text-{function or 'case'}")
    _told(posted, "Comment posted.")
    return _back(ref, f"comment-{posted.comment.id}")


@bp.post("/cases/<ref>/comments/<comment_id>/edit")
def edit_comment(ref: str, comment_id: str) -> ResponseReturnValue:
    """Edit one's comment from the case page (within the edit window)."""
    raw = {"text": request.form.get("text", ""), "version": request.form.get("version") or None}
    try:
        posted = service.edit_comment(web_actor(), ref, comment_id, raw)
    except ServiceError as exc:
        flash(form_error(exc).message, "error")
        return _back(ref, f"comment-{comment_id}")
    _told(posted, "Comment edited; the earlier text is kept.")
    return _back(ref, f"comment-{posted.comment.id}")
