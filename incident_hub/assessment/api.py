"""JSON API routes for assessment (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify

from ..api import bp
from ..api.routes import body
from .serialize import assessment_to_dict
from .service import get_assessment, save_assessment


@bp.get("/cases/<ref>/assessment")
def get_case_assessment(ref: str):  # noqa: ANN201
    case, row = get_assessment(g.actor, ref)
    return jsonify(assessment_to_dict(case, row))


@bp.put("/cases/<ref>/assessment")
def put_case_assessment(ref: str):  # noqa: ANN201
    case, row = save_assessment(g.actor, ref, body())
    return jsonify(assessment_to_dict(case, row))
