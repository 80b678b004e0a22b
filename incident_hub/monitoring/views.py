"""Web pages for monitoring: the case page's monitoring panel and its forms.

Each form posts to one route that calls one service function and comes back to the case page;
a refusal (403, 409, 422) comes back as a message there, a case the user may not see is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from ..clock import now
from ..errors import ServiceError
from ..followthrough.queries import possible_owners
from ..followthrough.service import can_manage
from ..vocabulary import CaseStatus
from ..web import form_error, web_actor
from . import reviews, service
from .models import OUTCOMES

bp = Blueprint("monitoring", __name__)
ANCHOR = "monitoring-h"


@bp.before_request
@login_required
def require_login() -> None:
    """Every monitoring form needs a signed-in user."""


def case_section(actor: Any, case: Any) -> dict[str, Any]:
    """What the case page's monitoring panel needs (see cases/sections.py)."""
    user = actor.user
    schedule = service.monitoring_of(case)
    can_start = case.status == CaseStatus.DECIDED and can_manage(user, case)
    can_change = schedule is not None and service.can_change(user, case, schedule)
    return {
        "schedule": schedule,
        "overdue": schedule is not None and schedule.next_review_at <= now(),
        "reviews": service.reviews_of(case),
        "can_start": can_start,
        "can_change": can_change,
        "can_review": schedule is not None and service.can_review(user, schedule),
        "owners": possible_owners(case) if (can_start or can_change) else [],
        "outcomes": OUTCOMES,
    }


def _run(ref: str, call: Callable[[], Any], done: str):  # noqa: ANN202
    try:
        call()
    except ServiceError as exc:
        flash(form_error(exc).message, "error")  # refused or not visible: the error page
    else:
        flash(done, "success")
    return redirect(url_for("cases.detail", ref=ref, _anchor=ANCHOR))


def _fields(*names: str) -> dict[str, str]:
    return {n: request.form.get(n, "") for n in names if request.form.get(n, "") != ""}


@bp.post("/cases/<ref>/monitoring")
def start(ref: str):  # noqa: ANN201
    data = _fields("every_days", "review_at", "until", "owner", "note")
    return _run(
        ref,
        lambda: service.start_monitoring(web_actor(), ref, data),
        "The case is under monitoring; the owner is told.",
    )


@bp.post("/cases/<ref>/monitoring/change")
def change(ref: str):  # noqa: ANN201
    data: dict[str, Any] = _fields("every_days", "review_at", "owner", "note")
    data["until"] = request.form.get("until", "")  # a cleared field: no last date
    return _run(
        ref,
        lambda: service.change_monitoring(web_actor(), ref, data),
        "Monitoring changed.",
    )


@bp.post("/cases/<ref>/monitoring/stop")
def stop(ref: str):  # noqa: ANN201
    data = {"stop": True, "note": request.form.get("note", "")}
    return _run(
        ref,
        lambda: service.change_monitoring(web_actor(), ref, data),
        "Monitoring stopped: the case is decided.",
    )


@bp.post("/cases/<ref>/reviews")
def review(ref: str):  # noqa: ANN201
    data = {"outcome": request.form.get("outcome", ""), "note": request.form.get("note", "")}
    return _run(ref, lambda: reviews.record_review(web_actor(), ref, data), "Re-review recorded.")
