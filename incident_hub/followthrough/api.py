"""JSON API routes for followthrough (registered on the /api/v1 blueprint): a case's actions
and its links to other cases."""

from __future__ import annotations

from flask import g, jsonify, request

from .. import validate
from ..api import bp
from ..api.http import body, listing
from ..cases.queries import get_case
from . import links as link_service
from . import queries
from . import service as actions
from .serialize import action_to_dict, link_to_dict


@bp.get("/cases/<ref>/actions")
def list_actions(ref: str):  # noqa: ANN201
    case = get_case(g.actor, ref)
    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    rows = queries.actions_of(case)
    return listing([action_to_dict(a, case) for a in rows[offset : offset + limit]], len(rows))


@bp.post("/cases/<ref>/actions")
def add_action(ref: str):  # noqa: ANN201
    action = actions.add_action(g.actor, ref, body())
    return jsonify(action_to_dict(action, get_case(g.actor, ref))), 201


@bp.patch("/cases/<ref>/actions/<int:action_id>")
def update_action(ref: str, action_id: int):  # noqa: ANN201
    action = actions.update_action(g.actor, ref, action_id, body())
    return jsonify(action_to_dict(action, get_case(g.actor, ref)))


@bp.get("/cases/<ref>/links")
def list_links(ref: str):  # noqa: ANN201
    case = get_case(g.actor, ref)
    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    views = queries.links_of(g.actor, case)
    return listing([link_to_dict(v) for v in views[offset : offset + limit]], len(views))


@bp.post("/cases/<ref>/links")
def link_case(ref: str):  # noqa: ANN201
    data = body()
    link = link_service.link_cases(
        g.actor, ref, data.get("other"), data.get("kind"), data.get("note", "")
    )
    case = get_case(g.actor, ref)
    view = next(v for v in queries.links_of(g.actor, case) if v.link.id == link.id)
    return jsonify(link_to_dict(view)), 201


@bp.delete("/cases/<ref>/links/<int:link_id>")
def unlink_case(ref: str, link_id: int):  # noqa: ANN201
    removed = link_service.unlink_cases(g.actor, ref, link_id)
    return jsonify({"id": removed["link"], "kind": removed["kind"], "deleted": True})
