"""JSON API routes for reports (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from . import dashboard, service
from .views import download


@bp.get("/reports/summary")
def reports_summary():  # noqa: ANN201
    """The dashboard's figures, over the cases the token's user may see."""
    return jsonify(dashboard.summary(g.actor))


@bp.get("/reports/transparency")
def reports_transparency():  # noqa: ANN201
    export = service.export_transparency(
        g.actor, request.args.get("year"), request.args.get("format", "json")
    )
    return download(export)


@bp.get("/cases/<ref>/dossier")
def case_dossier(ref: str):  # noqa: ANN201
    return download(service.export_dossier(g.actor, ref, request.args.get("format", "md")))
