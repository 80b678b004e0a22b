"""Web pages for followthrough: the case page's actions and related-cases section, its forms.

Each form posts to one route that calls one service function and comes back to the case page;
a refusal (409, 422) comes back as a message there, a case the user may not see is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_login import login_required

from ..actor import Actor
from ..auth import permissions as perm
from ..cases import drafts
from ..cases.models import Case
from ..clock import now
from ..errors import ServiceError
from ..vocabulary import DECIDED_NOT_CLOSED, ActionStatus
from ..web import form_error, web_actor
from . import links, queries, service
from .models import LINK_KINDS

bp = Blueprint("followthrough", __name__)


@bp.before_request
@login_required
def require_login() -> None:
    """Every follow-through form needs a signed-in user."""


def _action_row(actor: Actor, case: Case, action: Any) -> dict[str, Any]:
    user = actor.user
    is_open = action.status == ActionStatus.OPEN
    return {
        "action": action,
        "overdue": is_open and action.due_at <= now(),
        "can_done": is_open and service.can_complete(user, action),
        "can_waive": is_open and service.can_waive(user),
        "can_review": service.review_due(action) and service.can_complete(user, action),
    }


def case_section(actor: Any, case: Any) -> dict[str, Any]:
    """What the case page's followthrough section needs (see cases/sections.py)."""
    user = actor.user
    rows = [_action_row(actor, case, a) for a in queries.actions_of(case)]
    can_add = case.status in DECIDED_NOT_CLOSED and service.can_manage(user, case)
    linked = queries.links_of(actor, case)
    row, refused = _action_draft(actor, case) if can_add else (None, None)
    return {
        "draft": drafts.as_form(row),
        "draft_at": drafts.label(row.updated_at) if row is not None else None,
        "refused": refused,
        "current": [r for r in rows if r["action"].round == case.round],
        "earlier": [r for r in rows if r["action"].round != case.round],
        "open_count": sum(r["action"].status == ActionStatus.OPEN for r in rows),
        "can_add": can_add,
        "owners": queries.possible_owners(case) if can_add else [],
        "links": [v for v in linked if not (v.link.kind == "duplicate_of" and not v.outgoing)],
        "duplicates": [v for v in linked if v.link.kind == "duplicate_of" and not v.outgoing],
        "can_link": perm.can_triage(user),
        "kinds": [(k, queries.KIND_LABELS[k]) for k in LINK_KINDS],
    }


REFUSED = "_ih_action_refused"  # session key: the add-action form's last refusal, shown once


def _action_draft(actor: Actor, case: Case) -> tuple[Any, dict[str, str] | None]:
    """The viewer's draft of the add-action form (kept when it was refused at a field) and
    that refusal (the message at its field), taken from the session once."""
    key = f"action:{case.ref}"
    draft = drafts.find_draft(actor, key)
    refused = session.get(REFUSED)
    if isinstance(refused, dict) and refused.get("form") == key:
        session.pop(REFUSED, None)
    else:
        refused = None
    return draft, refused


def _run(ref: str, call: Callable[[], Any], done: str, anchor: str):  # noqa: ANN202
    try:
        call()
    except ServiceError as exc:
        flash(form_error(exc).message, "error")  # refused or not visible: the error page
    else:
        flash(done, "success")
    return redirect(url_for("cases.detail", ref=ref, _anchor=anchor))


def _form(name: str) -> str:
    return request.form.get(name, "")


@bp.post("/cases/<ref>/actions")
def add_action(ref: str):  # noqa: ANN201
    """Add an action; refused at a field (a missing owner, a due date in the past), the form
    comes back open, as typed, with the message at that field (kept as the user's draft)."""
    actor = web_actor()
    data = {k: _form(k) for k in ("title", "detail", "owner", "due_at", "review_on")}
    try:
        service.add_action(actor, ref, data)
    except ServiceError as exc:
        error = form_error(exc)  # refused or not visible: the error page
        kept = drafts.keep_posted(actor, f"action:{ref}", request.form)
        if kept is None:
            flash(error.message, "error")
            return redirect(url_for("cases.detail", ref=ref, _anchor="actions-h"))
        session[REFUSED] = {
            "form": kept.form_key,
            "field": error.field or "",
            "message": error.message,
        }
        flash("The action was not added: see the message at the form.", "error")
        # The refused field has autofocus, which takes the reader there; a browser ignores
        # autofocus on a page opened at an anchor, so the anchor is only for a form-wide error.
        anchor = None if error.field else "add-action"
        return redirect(url_for("cases.detail", ref=ref, _anchor=anchor))
    flash("Action added; its owner is told.", "success")
    return redirect(url_for("cases.detail", ref=ref, _anchor="actions-h"))


@bp.post("/cases/<ref>/actions/<int:action_id>/done")
def action_done(ref: str, action_id: int):  # noqa: ANN201
    data = {"status": ActionStatus.DONE, "note": _form("note")}
    return _run(
        ref,
        lambda: service.update_action(web_actor(), ref, action_id, data),
        "Action marked done.",
        "actions-h",
    )


@bp.post("/cases/<ref>/actions/<int:action_id>/waive")
def action_waive(ref: str, action_id: int):  # noqa: ANN201
    data = {"status": ActionStatus.WAIVED, "note": _form("note")}
    return _run(
        ref,
        lambda: service.update_action(web_actor(), ref, action_id, data),
        "Action waived.",
        "actions-h",
    )


@bp.post("/cases/<ref>/actions/<int:action_id>/review")
def action_review(ref: str, action_id: int):  # noqa: ANN201
    data = {"effectiveness": _form("effectiveness")}
    return _run(
        ref,
        lambda: service.update_action(web_actor(), ref, action_id, data),
        "Effectiveness review recorded.",
        "actions-h",
    )


@bp.post("/cases/<ref>/links")
def link(ref: str):  # noqa: ANN201
    other, kind = _form("other"), _form("kind")
    done = (
        f"Merged into {other.strip().upper()}: this case is closed."
        if kind == "duplicate_of"
        else "Cases linked."
    )
    return _run(
        ref,
        lambda: links.link_cases(
            web_actor(), ref, {"other": other, "kind": kind, "note": _form("note")}
        ),
        done,
        "links-h",
    )


@bp.post("/cases/<ref>/links/<int:link_id>/delete")
def unlink(ref: str, link_id: int):  # noqa: ANN201
    return _run(
        ref,
        lambda: links.unlink_cases(web_actor(), ref, link_id),
        "Link removed.",
        "links-h",
    )
