"""The case page's "Who owes each analysis" section: each function's owner and delegates,
and the forms to reassign, delegate, take an unowned assignment, add a function and change
the playbook (for those the services let). Services: :mod:`.assignees`,
:mod:`.case_functions`."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask.typing import ResponseReturnValue

from ..actor import Actor
from ..auth import permissions as perm
from ..errors import ServiceError
from ..playbooks import registry
from ..vocabulary import UNDECIDED
from ..web import form_error, web_actor
from . import assignees, case_functions
from .models import Case
from .views import bp

ANCHOR = "assignees-h"


def case_section(actor: Actor, case: Case) -> dict[str, Any]:
    """The section's context: who is named on each assignment, and what the viewer may do."""
    user = actor.user
    named = assignees.named_on(case)
    running = case.status in UNDECIDED
    routes = running and assignees.may_route(user, case)
    rows: list[dict[str, Any]] = []
    mine: set[str] = set()
    for a in case.assignments:
        n = named[a.function_key]
        owns = user is not None and n.owner is not None and n.owner.id == user.id
        if n.names(user):
            mine.add(a.function_key)
        rows.append(
            {
                "assignment": a,
                "owner": n.owner,
                "delegates": n.delegates,
                "can_change": running and (routes or owns),
                "can_take": running and n.owner is None and perm.can_file_for(user, a.function_key),
                "is_delegate": user is not None and any(d.id == user.id for d in n.delegates),
            }
        )
    on_case = {a.function_key for a in case.assignments}
    reg = registry()
    return {
        "rows": rows,
        "running": running,
        "can_add": routes,
        "addable": [(k, reg.function_title(k)) for k in sorted(reg.functions) if k not in on_case],
        "can_change_playbook": routes and not case.analyses,
        "playbooks": [(p.key, p.title) for p in reg.playbooks.values()],
        "mine": mine,
    }


def _back(ref: str, run, done: str) -> ResponseReturnValue:  # noqa: ANN001
    try:
        run(web_actor(), ref)
    except ServiceError as exc:
        flash(form_error(exc).message, "error")
    else:
        flash(done, "success")
    return redirect(url_for("cases.detail", ref=ref, _anchor=ANCHOR))


@bp.post("/cases/<ref>/assignments/<function>/assignees")
def change_assignees(ref: str, function: str) -> ResponseReturnValue:
    """Reassign (``owner``), delegate (``delegate``) or take a delegate off
    (``remove_delegate``)."""
    raw = {
        "owner": request.form.get("owner", ""),
        "add_delegates": [e for e in request.form.getlist("delegate") if e.strip()],
        "remove_delegates": [e for e in request.form.getlist("remove_delegate") if e.strip()],
    }
    title = registry().function_title(function)
    return _back(
        ref, lambda a, r: assignees.change_assignees(a, r, function, raw), f"{title} updated."
    )


@bp.post("/cases/<ref>/assignments/<function>/take")
def take_assignment(ref: str, function: str) -> ResponseReturnValue:
    """A lead of the function takes an unowned assignment."""
    actor = web_actor()
    raw = {"owner": str(actor.require_user().id)}
    title = registry().function_title(function)
    return _back(
        ref,
        lambda a, r: assignees.change_assignees(a, r, function, raw),
        f"{title} is yours now.",
    )


@bp.post("/cases/<ref>/assignments")
def add_function(ref: str) -> ResponseReturnValue:
    function = request.form.get("function", "")
    raw = {
        "function": function,
        "owner": request.form.get("owner", ""),
        "due_at": request.form.get("due_at", "") or None,
        "required": request.form.get("required") == "on",
    }
    title = registry().function_title(function)
    return _back(ref, lambda a, r: case_functions.add_function(a, r, raw), f"{title} added.")


@bp.post("/cases/<ref>/playbook")
def change_playbook(ref: str) -> ResponseReturnValue:
    raw = {"playbook": request.form.get("playbook", "")}
    return _back(ref, lambda a, r: case_functions.change_playbook(a, r, raw), "Playbook changed.")
