"""Admin pages: the notices outbox (what went to Slack, what is waiting, what failed) and the
people Slack cannot reach."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from .. import validate
from ..errors import ServiceError
from ..web import web_actor
from ..wording import readable
from .models import NOTICE_STATUSES
from .queries import list_notices, unreachable_people

bp = Blueprint("notices", __name__, url_prefix="/admin")
PAGE_SIZE = 100


@bp.before_request
@login_required
def require_login() -> None:
    """Admin pages need a signed-in user (and the service checks the admin role)."""


@bp.get("/notices")
def notices():  # noqa: ANN201
    filters = {k: request.args.get(k, "") for k in ("status", "case")}
    if filters["status"] not in NOTICE_STATUSES:
        filters["status"] = ""
    page = validate.page_number(request.args.get("page", type=int), PAGE_SIZE)
    window = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
    rows, total = list_notices(web_actor(), filters | window)
    return render_template(
        "notify/notices.html",
        notices=rows,
        total=total,
        filters=filters,
        statuses=NOTICE_STATUSES,
        page=page,
        pages=max(1, -(-total // PAGE_SIZE)),
        slack_on=bool(current_app.config["SLACK"]["BOT_TOKEN"]),
        unreachable=unreachable_people(),
    )


@bp.errorhandler(ServiceError)
def refused(exc: ServiceError):  # noqa: ANN201
    return render_template("error.html", status=exc.status, message=readable(exc)), exc.status
