"""JSON API routes for monitoring (registered on the /api/v1 blueprint): a case's re-review
schedule and its re-reviews."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import body, listing
from ..api.spec import operation
from ..cases.queries import get_case
from ..schemas import Page, parse
from . import outputs as out
from . import reviews, service
from .inputs import MonitoringChanges, RecordReview, StartMonitoring
from .serialize import monitoring_to_dict, review_to_dict

TAG = "monitoring"


def _state(ref: str):  # noqa: ANN202
    case = get_case(g.actor, ref)
    return monitoring_to_dict(case, service.monitoring_of(case), service.reviews_of(case))


@bp.get("/cases/<ref>/monitoring")
@operation(out.Monitoring, errors=(404,), tag=TAG)
def get_monitoring(ref: str):  # noqa: ANN201
    """The case's re-review schedule (null when not under monitoring) and its re-reviews"""
    return jsonify(_state(ref))


@bp.post("/cases/<ref>/monitoring")
@operation(out.Monitoring, status=201, body=StartMonitoring, errors=(400, 403, 404, 409), tag=TAG)
def start_monitoring(ref: str):  # noqa: ANN201
    """Put a decided case under monitoring (admins, executives, the case's opener)

    The owner (default: you) is told. 409: the case is not decided (already under
    monitoring: change it with PATCH). 422: a cadence, date or owner that cannot be."""
    service.start_monitoring(g.actor, ref, body())
    return jsonify(_state(ref)), 201


@bp.patch("/cases/<ref>/monitoring")
@operation(out.Monitoring, body=MonitoringChanges, errors=(400, 403, 404, 409), tag=TAG)
def change_monitoring(ref: str):  # noqa: ANN201
    """Change the owner, cadence, next re-review or last date, or stop monitoring (stop with
    a note; the case is decided again) — admins, executives, the opener, the owner"""
    service.change_monitoring(g.actor, ref, body())
    return jsonify(_state(ref))


@bp.get("/cases/<ref>/reviews")
@operation(out.ReviewList, query=Page, errors=(404,), tag=TAG)
def list_reviews(ref: str):  # noqa: ANN201
    """The case's re-reviews, newest first"""
    case = get_case(g.actor, ref)
    args = parse(Page, request.args.to_dict())
    rows = service.reviews_of(case)
    return listing(
        [review_to_dict(r) for r in rows[args.offset : args.offset + args.limit]], len(rows)
    )


@bp.post("/cases/<ref>/reviews")
@operation(out.Review, status=201, body=RecordReview, errors=(400, 403, 404, 409), tag=TAG)
def record_review(ref: str):  # noqa: ANN201
    """Record a re-review of a monitored case (its owner, admins, executives)

    outcome continue: the next re-review one cadence later (none after until: monitoring
    ends); end: monitoring ends; reopen: the case is reopened as a new round (admins)."""
    review = reviews.record_review(g.actor, ref, body())
    return jsonify(review_to_dict(review)), 201
