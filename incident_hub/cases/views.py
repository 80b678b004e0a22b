"""Web pages for cases: my work, the list, the case page and its forms.

Views are thin: they read the form, call one service function and render. Validation and
permission live in :mod:`incident_hub.cases.service`: a refusal is audited there and answered
with the error page (403, the service's message); invalid input comes back as a message on the
same form with the input kept (see :func:`incident_hub.web.form_error`). A form page asks the
service's permission check before showing itself.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from .. import validate
from ..auth import permissions as perm
from ..auth.permissions import leads_by_function
from ..errors import ServiceError
from ..pagecache import cached_page
from ..playbooks import registry
from ..vocabulary import Role
from ..web import form_error, web_actor
from . import (
    admin_actions,
    drafts,
    editing,
    following,
    members,
    mywork,
    queries,
    service,
)
from .inputs import SORTS
from .models import STAGES, STATUSES
from .overview import case_overview, countdown
from .rounds import rounds_of
from .sections import page_sections
from .serialize import members_to_dicts
from .service import case_playbook

bp = Blueprint("cases", __name__)
# Forms folded on the case page that a failed post comes back to, unfolded: name -> anchor.
OPEN_FORMS = {"members": "member-user", "stages": "stage-stage"}
PAGE_SIZE = 50
INTAKE_FIELDS = (
    "title",
    "playbook",
    "jurisdiction",
    "summary",
    "instrument",
    "authority",
    "legal_basis",
    "stage",
    "effective_date",
    "response_deadline",
    "source_url",
)


@bp.before_request
@login_required
def require_login() -> None:
    """Every case page needs a signed-in user."""


@bp.get("/")
def home():  # noqa: ANN201
    """My work: what is owed now, this week and later (each group paged by its own
    ``?<group>_page=`` parameter, so a link keeps every other group's page), then the cases
    the user follows and the ones they opened."""
    work = mywork.my_work(web_actor(), request.args)
    pages = {g.param: g.page for g in [*work.groups, work.following] if g.page > 1}
    return render_template("home.html", work=work, pages=pages)


@bp.get("/cases")
def case_list():  # noqa: ANN201
    keys = ("status", "playbook", "jurisdiction", "q", "sort", "following")
    filters = {k: request.args.get(k, "") for k in keys}
    filters["following"] = "1" if filters["following"] == "1" else ""
    if filters["status"] and filters["status"] not in STATUSES:
        filters["status"] = ""
    if filters["sort"] not in SORTS:
        filters["sort"] = ""
    page = validate.page_number(request.args.get("page", type=int), PAGE_SIZE)
    window = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    wanted = {k: v for k, v in filters.items() if k != "following"} | window
    # a bad filter: the 422 page
    rows, total = queries.list_cases(web_actor(), wanted, following=bool(filters["following"]))
    return render_template(
        "cases/list.html",
        cases=rows,
        followers=mywork.follower_counts([c.id for c in rows]),
        total=total,
        filters=filters,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        statuses=STATUSES,
    )


@bp.route("/cases/new", methods=["GET", "POST"])
def new_case() -> ResponseReturnValue:
    actor = web_actor()
    if request.method == "GET":
        service.authorize_open_case(actor)
    values: dict[str, Any] = {k: request.values.get(k, "") for k in INTAKE_FIELDS}
    values["restricted"] = request.values.get("restricted") == "on"
    values["gag_order"] = request.values.get("gag_order") == "on"
    values["alert_ids"] = request.values.getlist("alert_ids")
    values["leads"] = _named_leads(values.get("playbook", ""))
    if request.method == "GET" and request.args.get("alert_id"):
        values.update(_prefill_from_alert(request.args["alert_id"]))
    error = None
    if request.method == "POST":
        try:
            case = service.open_case(actor, values)
        except ServiceError as exc:
            error = form_error(exc)
        else:
            flash(f"{case.ref} opened; {len(case.assignments)} functions assigned.", "success")
            return redirect(url_for("cases.detail", ref=case.ref))
    return _form("cases/new.html", error, values=values, stages=STAGES, leads=_leads_to_pick())


def _named_leads(playbook_key: str) -> dict[str, list[str]] | None:
    """The leads ticked on the form (``lead:<function>`` boxes), for the functions of the chosen
    playbook only (the form lists every function's leads; the others do not apply); a function
    with no box ticked gets every one of its current leads (the service decides)."""
    playbook = registry().get(playbook_key) if isinstance(playbook_key, str) else None
    if playbook is None:
        return None
    named = {
        f.key: request.values.getlist(f"lead:{f.key}")
        for f in playbook.functions
        if request.values.getlist(f"lead:{f.key}")
    }
    return named or None


def _leads_to_pick() -> list[tuple[str, str, list[Any]]]:
    """Each function that has leads: its key, its title and its active leads, for the form."""
    reg = registry()
    keys = sorted(reg.functions)
    picked = []
    for key, users in leads_by_function(keys).items():
        leads = [u for u in users if u.has_role(Role.LEAD)]
        if leads:
            picked.append((key, reg.function_title(key), leads))
    return picked


def _prefill_from_alert(alert_id: str) -> dict[str, Any]:
    """Title, jurisdiction, suggested playbook and source link taken from a flagged alert."""
    from ..watch.queries import get_alert

    alert = get_alert(alert_id)
    return {
        "title": alert.item.title[:300],
        "jurisdiction": (alert.jurisdictions or [""])[0],
        "playbook": alert.suggested_playbook or "",
        "summary": alert.item.summary,
        "source_url": alert.item.link,
        "alert_ids": [str(alert.id)],
    }


def _form(template: str, error: ServiceError | None, **context: Any):  # noqa: ANN202
    status = error.status if error else 200
    return render_template(template, error=error, **context), status


@bp.get("/cases/<ref>")
def detail(ref: str):  # noqa: ANN201
    actor = web_actor()
    case = queries.view_case(actor, ref)  # permission, and the audited read of a restricted case
    unfold = request.args.get("form", "")  # a folded form a failed post comes back to
    unfold = unfold if unfold in OPEN_FORMS else ""

    def render() -> str:
        people = members.members_of(case)
        sections = page_sections(actor, case)
        ft = sections["followthrough"]
        actions = [r["action"] for r in ft["current"] + ft["earlier"]]
        earlier = [r for r in rounds_of(case, actions) if not r.current] if case.round > 1 else []
        return render_template(
            "cases/detail.html",
            case=case,
            overview=case_overview(actor.user, case, sections, {m.user_id for m in people}),
            playbook=case_playbook(case),
            leads=leads_by_function(a.function_key for a in case.assignments),
            current=case.current_analyses(),
            timeline=queries.timeline(actor, case, reads=False),  # reads: audit log, API
            following=queries.is_following(current_user.id, case.id),
            can_file={
                a.function_key: perm.can_file_for(current_user, a.function_key)
                or a.function_key in sections["assignees"]["mine"]
                for a in case.assignments
            },
            can_decide=perm.can_decide(current_user),
            can_move=perm.can_move_to_decision(current_user),
            is_admin=perm.is_admin(current_user),
            members=members_to_dicts(case, people),
            can_manage_members=perm.can_manage_members(current_user, case),
            can_edit=editing.can_edit(current_user, case),
            can_read_privileged=not any(a.privileged for a in case.analyses)
            or perm.can_read_privileged(current_user, case),
            sections=sections,
            earlier_rounds=earlier,
            unfold=unfold,
        )

    # The header counts down to the response deadline: a page is cached with the figure shown,
    # the form it unfolds, if any, and the time of the action form's draft.
    kept = drafts.stamp(current_user.id, f"action:{case.ref}")
    shown = (case.id, case.version, countdown(case), unfold, kept)
    return cached_page("case", current_user.id, shown, render)


def _action(ref: str, run, done: str, form: str = ""):  # noqa: ANN001, ANN202
    """Run a one-click case action from a POST form and come back to the case page; when it
    fails and the form is folded on the page (``form``, see OPEN_FORMS), back to that form,
    unfolded, with the message."""
    try:
        run(web_actor(), ref)
    except ServiceError as exc:
        flash(form_error(exc).message, "error")
        if form in OPEN_FORMS:
            return redirect(url_for("cases.detail", ref=ref, form=form, _anchor=OPEN_FORMS[form]))
    else:
        flash(done, "success")
    return redirect(url_for("cases.detail", ref=ref))


def _note() -> dict[str, str]:
    return {"note": request.form.get("note", "")}


@bp.post("/cases/<ref>/follow")
def follow(ref: str):  # noqa: ANN201
    return _action(ref, following.follow_case, "You are following this case.")


@bp.post("/cases/<ref>/unfollow")
def unfollow(ref: str):  # noqa: ANN201
    return _action(ref, following.unfollow_case, "You no longer follow this case.")


@bp.post("/cases/<ref>/request-decision")
def request_decision(ref: str):  # noqa: ANN201
    note = _note()
    return _action(
        ref,
        lambda a, r: service.request_decision(a, r, note),
        "Moved to the executives for decision.",
    )


@bp.post("/cases/<ref>/close")
def close(ref: str):  # noqa: ANN201
    """Close, with what the government did next and the lesson (the form asks; see
    templates/precedent/_close_fields.html)."""
    outcome = ("government_response", "government_response_note", "lesson")
    raw = _note() | {k: request.form.get(k, "") for k in outcome}
    return _action(ref, lambda a, r: admin_actions.close_case(a, r, raw), "Case closed.")


@bp.post("/cases/<ref>/reopen")
def reopen(ref: str):  # noqa: ANN201
    """Reopen, with the choice made for each open action (``action-<id>``: carry or close)."""
    chosen = {
        key.removeprefix("action-"): value
        for key, value in request.form.items()
        if key.startswith("action-") and value
    }
    raw = _note() | {"actions": chosen}
    return _action(
        ref,
        lambda a, r: admin_actions.reopen_case(a, r, raw),
        "Case reopened: each function is asked to confirm or update its analysis.",
    )


@bp.post("/cases/<ref>/assignments/<function>/waive")
def waive(ref: str, function: str):  # noqa: ANN201
    note = _note()
    return _action(
        ref,
        lambda a, r: admin_actions.waive_assignment(a, r, function, note),
        f"{registry().function_title(function)} waived.",
    )


@bp.post("/cases/<ref>/members")
def add_member(ref: str):  # noqa: ANN201
    user = {"user": request.form.get("user", "")}
    added = f"{user['user'][:100]} added."
    return _action(ref, lambda a, r: members.add_member(a, r, user), added, "members")


@bp.post("/cases/<ref>/members/<who>/remove")
def remove_member(ref: str, who: str):  # noqa: ANN201
    return _action(
        ref, lambda a, r: members.remove_member(a, r, who), "Removed from the case's members."
    )


@bp.post("/cases/<ref>/lift-restriction")
def lift_restriction(ref: str):  # noqa: ANN201
    reason = {"reason": request.form.get("reason", "")}
    return _action(
        ref,
        lambda a, r: members.lift_restriction(a, r, reason),
        "Restriction lifted: everyone signed in can see this case.",
    )


# Routes on this blueprint kept in their own modules: the analysis and decision forms, drafts
# (save, discard), the edit page, the law's timeline.
from . import views_assign, views_drafts, views_edit, views_filing, views_stages  # noqa: E402, F401
