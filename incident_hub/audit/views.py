"""Admin pages for the audit trail: browse, see the head hash, export as JSON Lines."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import login_required

from .. import validate
from ..errors import ServiceError
from ..web import web_actor
from ..wording import readable
from . import service as audit
from .queries import export_lines, head, list_events, require_admin

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
PAGE_SIZE = 100
FILTERS = ("action", "actor", "case", "outcome")


@bp.before_request
@login_required
def require_login() -> None:
    """Audit pages need a signed-in user (the query layer checks the admin role)."""


@bp.get("")
def events():  # noqa: ANN201
    filters = {k: request.args.get(k, "") for k in FILTERS}
    page = validate.page_number(request.args.get("page", 1, type=int), PAGE_SIZE)
    window = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    rows, total = list_events(web_actor(), filters | window)
    return render_template(
        "audit/events.html",
        events=rows,
        total=total,
        filters=filters,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        head=head(),
    )


@bp.post("/verify")
def verify():  # noqa: ANN201
    require_admin(web_actor())
    result = audit.verify()
    return render_template("audit/verified.html", result=result, head=head())


@bp.get("/export.jsonl")
def export():  # noqa: ANN201
    """The whole trail (or from ``since``); exporting is itself a sensitive, audited read."""
    actor = web_actor()
    require_admin(actor)
    since = min(max(0, request.args.get("since", 0, type=int) or 0), validate.MAX_ID)
    audit.record_committed(actor, "audit.exported", "audit", "trail", details={"since": since})
    return Response(
        stream_with_context(export_lines(actor, since)),
        mimetype="application/jsonl",
        headers={"Content-Disposition": "attachment; filename=audit.jsonl"},
    )


@bp.errorhandler(ServiceError)
def refused(exc: ServiceError):  # noqa: ANN201
    return render_template("error.html", status=exc.status, message=readable(exc)), exc.status
