"""API routes for sources and the alert queue."""

from __future__ import annotations

from flask import g, jsonify, request

from .. import validate
from ..triage import service as triage
from ..watch.serialize import alert_to_dict, source_to_dict
from ..watch.sources import add_source, list_sources
from . import bp
from .routes import body, listing


@bp.get("/sources")
def sources():  # noqa: ANN201
    items = [source_to_dict(s) for s in list_sources()]
    return listing(items, len(items))


@bp.post("/sources")
def create_source():  # noqa: ANN201
    source = add_source(g.actor, body())
    return jsonify(source_to_dict(source)), 201


@bp.get("/alerts")
def alerts():  # noqa: ANN201
    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    filters = {
        k: request.args.get(k)
        for k in ("status", "topic", "right", "jurisdiction", "source", "min_score")
    }
    rows, total = triage.list_alerts(g.actor, filters, limit, offset)
    return listing([alert_to_dict(a) for a in rows], total)


@bp.get("/alerts/<alert_id>")
def alert(alert_id: str):  # noqa: ANN201
    return jsonify(alert_to_dict(triage.get_alert(alert_id)))


@bp.post("/alerts/<alert_id>/dismiss")
def dismiss(alert_id: str):  # noqa: ANN201
    (alert,) = triage.dismiss_alerts(g.actor, [alert_id], body().get("reason"))
    return jsonify(alert_to_dict(alert))


@bp.post("/alerts/dismiss")
def bulk_dismiss():  # noqa: ANN201
    data = body()
    rows = triage.dismiss_alerts(g.actor, data.get("ids"), data.get("reason"))
    return listing([alert_to_dict(a) for a in rows], len(rows))


@bp.post("/alerts/<alert_id>/restore")
def restore(alert_id: str):  # noqa: ANN201
    return jsonify(alert_to_dict(triage.restore_alert(g.actor, alert_id)))


@bp.post("/alerts/<alert_id>/link")
def link(alert_id: str):  # noqa: ANN201
    return jsonify(alert_to_dict(triage.link_alert(g.actor, alert_id, body().get("case"))))


@bp.get("/notices")
def notices():  # noqa: ANN201
    from ..notify.queries import list_notices, notice_to_dict

    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    filters = {k: request.args.get(k) for k in ("status", "case")}
    rows, total = list_notices(g.actor, filters, limit, offset)
    return listing([notice_to_dict(n) for n in rows], total)


@bp.get("/audit")
def audit_events():  # noqa: ANN201
    from ..audit.queries import event_to_dict, list_events

    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    filters = {k: request.args.get(k) for k in ("action", "actor", "case", "outcome")}
    rows, total = list_events(g.actor, filters, limit, offset)
    return listing([event_to_dict(e) for e in rows], total)


@bp.get("/audit/head")
def audit_head():  # noqa: ANN201
    from ..audit.queries import head, require_admin

    require_admin(g.actor)
    return jsonify(head())
