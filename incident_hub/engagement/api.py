"""JSON API routes for engagement (registered on the /api/v1 blueprint)."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import body, listing
from ..api.spec import operation
from ..cases.queries import get_case
from ..schemas import Page, parse
from . import outputs as out
from . import queries, service
from .inputs import (
    EngagementChanges,
    NewEngagement,
    NewOrganisation,
    OrganisationChanges,
    OrganisationFilters,
)
from .serialize import consultation_to_dict, engagement_to_dict, organisation_to_dict

TAG = "engagement"


@bp.get("/organisations")
@operation(out.OrganisationList, query=OrganisationFilters, tag=TAG)
def list_organisations():  # noqa: ANN201
    """The organisations directory, by name"""
    args = parse(OrganisationFilters, request.args.to_dict())
    rows, total = queries.list_organisations(g.actor, args, args.limit, args.offset)
    return listing([organisation_to_dict(o) for o in rows], total)


@bp.post("/organisations")
@operation(out.Organisation, status=201, body=NewOrganisation, errors=(400, 403, 409), tag=TAG)
def create_organisation():  # noqa: ANN201
    """Add an organisation (any signed-in user)

    409: an organisation of that name (ignoring case) is already in the directory."""
    org = service.create_organisation(g.actor, body())
    response = jsonify(organisation_to_dict(org))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/organisations/{org.id}"
    return response


@bp.get("/organisations/<org_id>")
@operation(out.OrganisationDetail, errors=(404,), tag=TAG)
def get_organisation(org_id: str):  # noqa: ANN201
    """One organisation, with the consultations you may see"""
    org = queries.get_organisation(g.actor, org_id)
    seen = [consultation_to_dict(e, c) for e, c in queries.consultations(g.actor, org)]
    return jsonify(organisation_to_dict(org) | {"consultations": seen})


@bp.patch("/organisations/<org_id>")
@operation(out.Organisation, body=OrganisationChanges, errors=(400, 403, 404, 409), tag=TAG)
def update_organisation(org_id: str):  # noqa: ANN201
    """Edit an organisation (whoever added it, or an admin); only the fields sent change"""
    return jsonify(organisation_to_dict(service.update_organisation(g.actor, org_id, body())))


@bp.get("/cases/<ref>/engagements")
@operation(out.EngagementList, query=Page, errors=(403, 404), tag=TAG)
def list_engagements(ref: str):  # noqa: ANN201
    """The case's engagement log (participants, executives, admins), oldest first

    Confidential entries only for those allowed to see them."""
    args = parse(Page, request.args.to_dict())
    case, rows = service.read_log(g.actor, ref)
    page = rows[args.offset : args.offset + args.limit]
    return listing([engagement_to_dict(e, case.ref) for e in page], len(rows))


@bp.post("/cases/<ref>/engagements")
@operation(out.Engagement, status=201, body=NewEngagement, errors=(400, 403, 404, 409), tag=TAG)
def record_engagement(ref: str):  # noqa: ANN201
    """Record a consultation (UNGP 18, RDR G5) on the case

    404: no such case, or no organisation with that id; 409: the new organisation's name is
    already in the directory."""
    entry = service.record_engagement(g.actor, ref, body())
    return jsonify(engagement_to_dict(entry, entry_ref(ref))), 201


@bp.patch("/cases/<ref>/engagements/<engagement_id>")
@operation(out.Engagement, body=EngagementChanges, errors=(400, 403, 404, 409), tag=TAG)
def update_engagement(ref: str, engagement_id: str):  # noqa: ANN201
    """Correct an entry (whoever recorded it, or an admin); entries are never deleted"""
    entry = service.update_engagement(g.actor, ref, engagement_id, body())
    return jsonify(engagement_to_dict(entry, entry_ref(ref)))


def entry_ref(ref: str) -> str:
    return get_case(g.actor, ref).ref
