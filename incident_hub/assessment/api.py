"""JSON API routes for assessment (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify

from ..api import bp
from ..api.http import body
from ..api.spec import operation
from .inputs import AssessmentInput
from .outputs import Assessment
from .serialize import assessment_to_dict
from .service import get_assessment, save_assessment


@bp.get("/cases/<ref>/assessment")
@operation(Assessment, errors=(404,), tag="assessment")
def get_case_assessment(ref: str):  # noqa: ANN201
    """The case's human-rights assessment (version 0: not assessed yet)"""
    case, row = get_assessment(g.actor, ref)
    return jsonify(assessment_to_dict(case, row))


@bp.put("/cases/<ref>/assessment")
@operation(Assessment, body=AssessmentInput, errors=(400, 403, 404, 409), tag="assessment")
def put_case_assessment(ref: str):  # noqa: ANN201
    """Change the fields given of the assessment

    Admins and human-rights leads: every field; legal leads: Telenor's tests only."""
    case, row = save_assessment(g.actor, ref, body())
    return jsonify(assessment_to_dict(case, row))
