"""API routes for sources, the alert queue, the outbox and the audit trail."""

from __future__ import annotations

from flask import g, jsonify, request

from ..audit import outputs as audit_out
from ..audit.inputs import AuditFilters
from ..notify import outputs as notify_out
from ..notify.inputs import NoticeFilters
from ..schemas import parse
from ..triage import service as triage
from ..triage.inputs import AlertFilters, BulkDismiss, Dismiss, Link
from ..watch import outputs as out
from ..watch.inputs import NewSource
from ..watch.serialize import alert_to_dict, source_to_dict
from ..watch.sources import add_source, list_sources
from . import bp
from .routes import body, listing
from .spec import operation

ALERT_ERRORS = (400, 403, 404, 409)


@bp.get("/sources")
@operation(out.SourceList, tag="watch")
def sources():  # noqa: ANN201
    """Feed sources with their health"""
    items = [source_to_dict(s) for s in list_sources()]
    return listing(items, len(items))


@bp.post("/sources")
@operation(out.Source, status=201, body=NewSource, errors=(400, 403, 409), tag="watch")
def create_source():  # noqa: ANN201
    """Add a source (admin)"""
    source = add_source(g.actor, body())
    return jsonify(source_to_dict(source)), 201


@bp.get("/alerts")
@operation(out.AlertList, query=AlertFilters, tag="triage")
def alerts():  # noqa: ANN201
    """The alert queue, newest first, one alert per development with every report of it

    Every status unless status is given."""
    rows, total = triage.list_alerts(g.actor, request.args.to_dict())
    return listing([alert_to_dict(a) for a in rows], total)


@bp.get("/alerts/<alert_id>")
@operation(out.Alert, errors=(404,), tag="triage")
def alert(alert_id: str):  # noqa: ANN201
    """One alert"""
    return jsonify(alert_to_dict(triage.get_alert(alert_id)))


@bp.post("/alerts/<alert_id>/dismiss")
@operation(out.Alert, body=Dismiss, errors=ALERT_ERRORS, tag="triage")
def dismiss(alert_id: str):  # noqa: ANN201
    """Dismiss with a reason (kept, reversible; triagers, admins)"""
    return jsonify(alert_to_dict(triage.dismiss_alert(g.actor, alert_id, body())))


@bp.post("/alerts/dismiss")
@operation(out.AlertList, body=BulkDismiss, errors=ALERT_ERRORS, tag="triage")
def bulk_dismiss():  # noqa: ANN201
    """Dismiss several new alerts at once (triagers, admins)"""
    rows = triage.dismiss_alerts(g.actor, body())
    return listing([alert_to_dict(a) for a in rows], len(rows))


@bp.post("/alerts/<alert_id>/restore")
@operation(out.Alert, errors=(403, 404, 409), tag="triage")
def restore(alert_id: str):  # noqa: ANN201
    """Put a dismissed alert back in the queue"""
    return jsonify(alert_to_dict(triage.restore_alert(g.actor, alert_id)))


@bp.post("/alerts/<alert_id>/link")
@operation(out.Alert, body=Link, errors=ALERT_ERRORS, tag="triage")
def link(alert_id: str):  # noqa: ANN201
    """Link the alert to an existing case"""
    return jsonify(alert_to_dict(triage.link_alert(g.actor, alert_id, body())))


@bp.get("/notices")
@operation(notify_out.NoticeList, query=NoticeFilters, errors=(403,), tag="notices")
def notices():  # noqa: ANN201
    """The Slack outbox with status, attempts and Slack ts (admin)"""
    from ..notify.queries import list_notices, notice_to_dict

    args = parse(NoticeFilters, request.args.to_dict())
    filters = args.model_dump(exclude={"limit", "offset"})
    rows, total = list_notices(g.actor, filters, args.limit, args.offset)
    return listing([notice_to_dict(n) for n in rows], total)


@bp.get("/audit")
@operation(audit_out.AuditEventList, query=AuditFilters, errors=(403,), tag="audit")
def audit_events():  # noqa: ANN201
    """Audit events, newest first (admin)"""
    from ..audit.queries import event_to_dict, list_events

    args = parse(AuditFilters, request.args.to_dict())
    filters = args.model_dump(exclude={"limit", "offset"})
    rows, total = list_events(g.actor, filters, args.limit, args.offset)
    return listing([event_to_dict(e) for e in rows], total)


@bp.get("/audit/head")
@operation(audit_out.AuditHead, errors=(403,), tag="audit")
def audit_head():  # noqa: ANN201
    """The audit chain's head hash and event count (admin)"""
    from ..audit.queries import head, require_admin

    require_admin(g.actor)
    return jsonify(head())
