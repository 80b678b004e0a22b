"""Web pages for engagement: the organisations directory and each case's engagement log.

Views are thin: they read the form, call one service function and render. A refused or
invalid action comes back on the same form with the input kept.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from .. import validate
from ..actor import Actor
from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import get_case
from ..errors import Invalid, ServiceError
from ..extensions import db
from ..web import web_actor
from . import queries, service
from .models import KINDS

bp = Blueprint("engagement", __name__)
PAGE_SIZE = 50
ORG_FIELDS = ("name", "kind", "country", "website", "notes")
ENTRY_FIELDS = ("organisation_id", "contact", "engaged_on", "summary", "advice", "may_name")
NEW_ORG_FIELDS = ("new_org_name", "new_org_kind", "new_org_country", "new_org_website")


@bp.before_request
@login_required
def require_login() -> None:
    """Every engagement page needs a signed-in user."""


def case_section(actor: Actor, case: Case) -> dict[str, Any]:
    """What the case page's engagement section needs (see cases/sections.py)."""
    if not queries.can_see_log(actor, case):
        return {"can_see": False}
    entries = queries.visible_engagements(actor, case)
    return {
        "can_see": True,
        "entries": entries,
        "can_edit": {e.id: queries.can_edit_entry(actor, e) for e in entries},
        "organisations": queries.all_organisations(),
        "kinds": KINDS,
    }


def _form(template: str, error: ServiceError | None, **context: Any):  # noqa: ANN202
    if error is not None and error.status in (403, 404) and not error.field:
        raise error  # refused, or gone: the error page, not the form
    status = error.status if error else 200
    return render_template(template, error=error, kinds=KINDS, **context), status


# --- the organisations directory ---------------------------------------------------------


@bp.get("/organisations")
def organisations():  # noqa: ANN201
    filters = {k: request.args.get(k, "").strip() for k in ("q", "kind", "country")}
    if filters["kind"] not in KINDS:
        filters["kind"] = ""
    page = validate.page_number(request.args.get("page", type=int), PAGE_SIZE)
    error, rows, total = None, [], 0
    try:
        rows, total = queries.list_organisations(filters, PAGE_SIZE, (page - 1) * PAGE_SIZE)
    except Invalid as exc:
        error = exc
    return _form(
        "engagement/organisations.html",
        error,
        organisations=rows,
        total=total,
        filters=filters,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
    )


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation():  # noqa: ANN201
    values = {k: request.form.get(k, "") for k in ORG_FIELDS}
    error = None
    if request.method == "POST":
        try:
            org = service.create_organisation(web_actor(), values)
        except ServiceError as exc:
            error = exc
        else:
            flash(f"{org.name} added to the directory.", "success")
            return redirect(url_for("engagement.organisation", org_id=org.id))
    return _form("engagement/organisation_form.html", error, values=values, org=None)


@bp.get("/organisations/<org_id>")
def organisation(org_id: str):  # noqa: ANN201
    actor = web_actor()
    org = queries.get_organisation(org_id)
    return render_template(
        "engagement/organisation.html",
        org=org,
        kinds=KINDS,
        creator=db.session.get(User, org.created_by_id),
        consultations=queries.consultations(actor, org),
        can_edit=queries.can_edit_organisation(actor, org),
    )


@bp.route("/organisations/<org_id>/edit", methods=["GET", "POST"])
def edit_organisation(org_id: str):  # noqa: ANN201
    actor = web_actor()
    org = queries.get_organisation(org_id)
    if not queries.can_edit_organisation(actor, org):
        abort(403, "Only the person who added this organisation, or an admin, can edit it.")
    values = {k: request.form.get(k, getattr(org, k)) for k in ORG_FIELDS}
    error = None
    if request.method == "POST":
        try:
            service.update_organisation(actor, org.id, values)
        except ServiceError as exc:
            error = exc
        else:
            flash("Organisation saved.", "success")
            return redirect(url_for("engagement.organisation", org_id=org.id))
    return _form("engagement/organisation_form.html", error, values=values, org=org)


# --- the engagement log of a case --------------------------------------------------------


def _log_case(ref: str) -> tuple[Actor, Case]:
    actor = web_actor()
    case = get_case(actor, ref)
    if not queries.can_see_log(actor, case):
        abort(
            403,
            "Only the case's participants (its opener and the leads of its functions), "
            "executives and admins keep its engagement log.",
        )
    return actor, case


def _entry_data(values: dict[str, str], *, new_org: bool) -> dict[str, Any]:
    """The form, in the shape the service (and the API) takes."""
    data: dict[str, Any] = {k: values[k] for k in ("contact", "engaged_on", "summary", "advice")}
    data["confidential"] = {"yes": False, "no": True}.get(values["may_name"])
    if values["organisation_id"] or not new_org:
        data["organisation_id"] = values["organisation_id"]
    if new_org and values["new_org_name"].strip():
        data["organisation"] = {k[len("new_org_") :]: values[k] for k in NEW_ORG_FIELDS}
    return data


@bp.route("/cases/<ref>/engagements/new", methods=["GET", "POST"])
def new_engagement(ref: str):  # noqa: ANN201
    actor, case = _log_case(ref)
    values = {k: request.form.get(k, "") for k in ENTRY_FIELDS + NEW_ORG_FIELDS}
    error = None
    if request.method == "POST":
        try:
            service.record_engagement(actor, case.ref, _entry_data(values, new_org=True))
        except ServiceError as exc:
            error = exc
        else:
            flash("Consultation recorded.", "success")
            return redirect(url_for("cases.detail", ref=case.ref, _anchor="engagement-h"))
    return _form(
        "engagement/entry_form.html",
        error,
        case=case,
        entry=None,
        values=values,
        organisations=queries.all_organisations(),
    )


@bp.route("/cases/<ref>/engagements/<engagement_id>/edit", methods=["GET", "POST"])
def edit_engagement(ref: str, engagement_id: str):  # noqa: ANN201
    actor, case = _log_case(ref)
    entry = queries.get_engagement(actor, case, engagement_id)
    if not queries.can_edit_entry(actor, entry):
        abort(403, "Only the person who recorded this entry, or an admin, can correct it.")
    saved = {
        "organisation_id": str(entry.organisation_id),
        "contact": entry.contact,
        "engaged_on": entry.engaged_on.isoformat(),
        "summary": entry.summary,
        "advice": entry.advice,
        "may_name": "no" if entry.confidential else "yes",
    }
    values = {k: request.form.get(k, saved[k]) for k in ENTRY_FIELDS}
    error = None
    if request.method == "POST":
        try:
            service.update_engagement(actor, case.ref, entry.id, _entry_data(values, new_org=False))
        except ServiceError as exc:
            error = exc
        else:
            flash("Consultation corrected.", "success")
            return redirect(url_for("cases.detail", ref=case.ref, _anchor=f"engagement-{entry.id}"))
    return _form(
        "engagement/entry_form.html",
        error,
        case=case,
        entry=entry,
        values=values,
        organisations=queries.all_organisations(),
    )
