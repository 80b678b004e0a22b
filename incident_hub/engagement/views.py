"""Web pages for engagement: the organisations directory and each case's engagement log.

Views are thin: they read the form, call one service function and render. A refusal is the
service's (audited there) and answered with the error page; an invalid action comes back on the
same form with the input kept (see :func:`incident_hub.web.form_error`). A form page asks the
service's permission check before showing itself.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from .. import validate
from ..actor import Actor
from ..auth.models import User
from ..cases.models import Case
from ..cases.queries import get_case
from ..errors import Invalid, ServiceError
from ..extensions import db
from ..web import form_error, web_actor
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
        "organisations": queries.all_organisations(actor),
        "kinds": KINDS,
    }


def _form(template: str, error: ServiceError | None, **context: Any):  # noqa: ANN202
    if error is not None:
        form_error(error)  # refused, or gone: the error page, not the form
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
        rows, total = queries.list_organisations(
            web_actor(), filters, PAGE_SIZE, (page - 1) * PAGE_SIZE
        )
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
    org = queries.get_organisation(web_actor(), org_id)
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
    org = queries.get_organisation(web_actor(), org_id)
    if request.method == "GET":
        service.authorize_organisation_edit(actor, org)
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


def _entry_data(values: dict[str, str], *, new_org: bool) -> dict[str, Any]:
    """The form, in the shape the service (and the API) takes; a field the form did not post
    is left out (a correction changes only what it carries)."""
    fields = ("contact", "engaged_on", "summary", "advice")
    data: dict[str, Any] = {k: values[k] for k in fields if k in values}
    if "may_name" in values:
        data["confidential"] = {"yes": False, "no": True}.get(values["may_name"])
    if "organisation_id" in values and (values["organisation_id"] or not new_org):
        data["organisation_id"] = values["organisation_id"]
    if new_org and values["new_org_name"].strip():
        data["organisation"] = {k[len("new_org_") :]: values[k] for k in NEW_ORG_FIELDS}
    return data


@bp.route("/cases/<ref>/engagements/new", methods=["GET", "POST"])
def new_engagement(ref: str):  # noqa: ANN201
    actor = web_actor()
    case = get_case(actor, ref)
    if request.method == "GET":
        service.authorize_log(actor, case, "engagement.record")
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
        organisations=queries.all_organisations(actor),
    )


@bp.route("/cases/<ref>/engagements/<engagement_id>/edit", methods=["GET", "POST"])
def edit_engagement(ref: str, engagement_id: str):  # noqa: ANN201
    actor = web_actor()
    case = get_case(actor, ref)
    error = None
    if request.method == "POST":  # the service checks (and audits a refusal) before anything
        posted = {k: request.form[k] for k in ENTRY_FIELDS if k in request.form}
        try:
            done = service.update_engagement(
                actor, case.ref, engagement_id, _entry_data(posted, new_org=False)
            )
        except ServiceError as exc:
            error = form_error(exc)  # a refusal: the error page now, before the entry is read
        else:
            flash("Consultation corrected.", "success")
            return redirect(url_for("cases.detail", ref=case.ref, _anchor=f"engagement-{done.id}"))
        entry = queries.get_engagement(actor, case, engagement_id)
    else:
        entry = service.authorize_entry_edit(actor, case, engagement_id)
    saved = {
        "organisation_id": str(entry.organisation_id),
        "contact": entry.contact,
        "engaged_on": entry.engaged_on.isoformat(),
        "summary": entry.summary,
        "advice": entry.advice,
        "may_name": "no" if entry.confidential else "yes",
    }
    values = {k: request.form.get(k, saved[k]) for k in ENTRY_FIELDS}
    return _form(
        "engagement/entry_form.html",
        error,
        case=case,
        entry=entry,
        values=values,
        organisations=queries.all_organisations(actor),
    )
