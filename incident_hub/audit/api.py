"""JSON API routes for the audit trail (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import listing
from ..api.spec import operation
from .inputs import AuditFilters
from .outputs import AuditEventList, AuditHead
from .queries import event_to_dict, head, list_events, require_admin


@bp.get("/audit")
@operation(AuditEventList, query=AuditFilters, errors=(403,), tag="audit")
def audit_events():  # noqa: ANN201
    """Audit events, newest first (admin)"""
    rows, total = list_events(g.actor, request.args.to_dict())
    return listing([event_to_dict(e) for e in rows], total)


@bp.get("/audit/head")
@operation(AuditHead, errors=(403,), tag="audit")
def audit_head():  # noqa: ANN201
    """The audit chain's head hash and event count (admin)"""
    require_admin(g.actor)
    return jsonify(head())
