"""Admin pages: the notices outbox (what went to Slack or by e-mail, what is waiting, what
failed) and the people Slack cannot reach (none when e-mail is on: they get e-mail)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from flask_login import login_required

from .. import validate
from ..errors import ServiceError
from ..web import web_actor
from ..wording import readable
from .events import email_on
from .models import NOTICE_STATUSES
from .queries import email_waiting, list_notices, unreachable_people

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
        email_on=email_on(),
        email_waiting=0 if email_on() else email_waiting(),
        unreachable=[] if email_on() else unreachable_people(),  # with e-mail, they get e-mail
    )


@bp.errorhandler(ServiceError)
def refused(exc: ServiceError):  # noqa: ANN201
    return render_template("error.html", status=exc.status, message=readable(exc)), exc.status
