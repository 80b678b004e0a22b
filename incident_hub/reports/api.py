"""JSON API routes for reports (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.spec import operation
from . import dashboard, service
from .inputs import DossierExport, TransparencyExport
from .outputs import ReportSummary, TransparencyReport
from .views import download

TEXT = {"schema": {"type": "string"}}
PDF = {"schema": {"type": "string", "contentMediaType": "application/pdf"}}


@bp.get("/reports/summary")
@operation(ReportSummary, tag="reports")
def reports_summary():  # noqa: ANN201
    """Dashboard figures over the cases you may see"""
    return jsonify(dashboard.summary(g.actor))


@bp.get("/reports/transparency")
@operation(
    TransparencyReport,
    query=TransparencyExport,
    errors=(403,),
    tag="reports",
    media={"text/csv": TEXT},
)
def reports_transparency():  # noqa: ANN201
    """Transparency export in RDR terms (F6, P11, F10, G4) for one year

    Restricted and gag-order cases excluded (admins, executives, triagers; audited). CSV:
    '#' metadata lines, then a header row."""
    return download(service.export_transparency(g.actor, request.args.to_dict()))


@bp.get("/cases/<ref>/dossier")
@operation(
    None,
    query=DossierExport,
    errors=(404,),
    tag="reports",
    media={"text/markdown": TEXT, "application/pdf": PDF},
)
def case_dossier(ref: str):  # noqa: ANN201
    """The case dossier for the board, Markdown or PDF (audited)"""
    return download(service.export_dossier(g.actor, ref, request.args.to_dict()))
