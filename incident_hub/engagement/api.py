"""JSON API routes for engagement (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from .. import validate
from ..api import bp
from ..api.http import body, listing
from ..cases.queries import get_case, view_case
from ..errors import Forbidden
from . import queries, service
from .serialize import consultation_to_dict, engagement_to_dict, organisation_to_dict


@bp.get("/organisations")
def list_organisations():  # noqa: ANN201
    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    filters = {k: request.args.get(k) for k in ("q", "kind", "country")}
    rows, total = queries.list_organisations(filters, limit, offset)
    return listing([organisation_to_dict(o) for o in rows], total)


@bp.post("/organisations")
def create_organisation():  # noqa: ANN201
    org = service.create_organisation(g.actor, body())
    response = jsonify(organisation_to_dict(org))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/organisations/{org.id}"
    return response


@bp.get("/organisations/<org_id>")
def get_organisation(org_id: str):  # noqa: ANN201
    org = queries.get_organisation(org_id)
    seen = [consultation_to_dict(e, c) for e, c in queries.consultations(g.actor, org)]
    return jsonify(organisation_to_dict(org) | {"consultations": seen})


@bp.patch("/organisations/<org_id>")
def update_organisation(org_id: str):  # noqa: ANN201
    return jsonify(organisation_to_dict(service.update_organisation(g.actor, org_id, body())))


@bp.get("/cases/<ref>/engagements")
def list_engagements(ref: str):  # noqa: ANN201
    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    case = view_case(g.actor, ref)  # a restricted case's read is audited, as on its page
    if not queries.can_see_log(g.actor, case):
        raise Forbidden(service.LOG_OWNERS)
    rows = queries.visible_engagements(g.actor, case)
    page = rows[offset : offset + limit]
    return listing([engagement_to_dict(e, case.ref) for e in page], len(rows))


@bp.post("/cases/<ref>/engagements")
def record_engagement(ref: str):  # noqa: ANN201
    entry = service.record_engagement(g.actor, ref, body())
    return jsonify(engagement_to_dict(entry, entry_ref(ref))), 201


@bp.patch("/cases/<ref>/engagements/<engagement_id>")
def update_engagement(ref: str, engagement_id: str):  # noqa: ANN201
    entry = service.update_engagement(g.actor, ref, engagement_id, body())
    return jsonify(engagement_to_dict(entry, entry_ref(ref)))


def entry_ref(ref: str) -> str:
    return get_case(g.actor, ref).ref
