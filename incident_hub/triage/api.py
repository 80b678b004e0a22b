"""JSON API routes for the alert queue (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import body, listing
from ..api.spec import operation
from ..watch import outputs as out
from ..watch.models import Alert
from ..watch.serialize import alert_to_dict
from . import service as triage
from .inputs import AlertFilters, BulkDismiss, Dismiss, Link

ALERT_ERRORS = (400, 403, 404, 409)


def _one(alert: Alert):  # noqa: ANN202
    """One alert as the caller may see it (status and note: ``triage.shown``)."""
    return jsonify(alert_to_dict(alert, triage.shown(g.actor, [alert])[alert.id]))


@bp.get("/alerts")
@operation(out.AlertList, query=AlertFilters, tag="triage")
def alerts():  # noqa: ANN201
    """The alert queue, newest first, one alert per development with every report of it

    Every status unless status is given."""
    rows, total = triage.list_alerts(g.actor, request.args.to_dict())
    seen = triage.shown(g.actor, rows)
    return listing([alert_to_dict(a, seen[a.id]) for a in rows], total)


@bp.get("/alerts/<alert_id>")
@operation(out.Alert, errors=(404,), tag="triage")
def alert(alert_id: str):  # noqa: ANN201
    """One alert"""
    return _one(triage.get_alert(alert_id))


@bp.post("/alerts/<alert_id>/dismiss")
@operation(out.Alert, body=Dismiss, errors=ALERT_ERRORS, tag="triage")
def dismiss(alert_id: str):  # noqa: ANN201
    """Dismiss with a reason (kept, reversible; triagers, admins)"""
    return _one(triage.dismiss_alert(g.actor, alert_id, body()))


@bp.post("/alerts/dismiss")
@operation(out.AlertList, body=BulkDismiss, errors=ALERT_ERRORS, tag="triage")
def bulk_dismiss():  # noqa: ANN201
    """Dismiss several new alerts at once (triagers, admins)"""
    rows = triage.dismiss_alerts(g.actor, body())
    return listing([alert_to_dict(a) for a in rows], len(rows))  # new alerts: as stored


@bp.post("/alerts/<alert_id>/restore")
@operation(out.Alert, errors=(403, 404, 409), tag="triage")
def restore(alert_id: str):  # noqa: ANN201
    """Put a dismissed alert back in the queue"""
    return _one(triage.restore_alert(g.actor, alert_id))


@bp.post("/alerts/<alert_id>/link")
@operation(out.Alert, body=Link, errors=ALERT_ERRORS, tag="triage")
def link(alert_id: str):  # noqa: ANN201
    """Link the alert to an existing case"""
    return _one(triage.link_alert(g.actor, alert_id, body()))
