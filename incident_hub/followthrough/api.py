"""JSON API routes for followthrough (registered on the /api/v1 blueprint): a case's actions
and its links to other cases."""

from __future__ import annotations

from flask import g, jsonify, request

from ..api import bp
from ..api.http import body, listing
from ..api.spec import operation
from ..cases.queries import get_case
from ..schemas import Page, parse
from . import links as link_service
from . import outputs as out
from . import queries
from . import service as actions
from .inputs import ActionChanges, NewAction, NewCaseLink
from .serialize import action_to_dict, link_to_dict

TAG = "followthrough"


@bp.get("/cases/<ref>/actions")
@operation(out.ActionList, query=Page, errors=(404,), tag=TAG)
def list_actions(ref: str):  # noqa: ANN201
    """The case's follow-through actions, every round (current first, then by due time)"""
    case = get_case(g.actor, ref)
    args = parse(Page, request.args.to_dict())
    rows = queries.actions_of(case)
    page = rows[args.offset : args.offset + args.limit]
    return listing([action_to_dict(a, case) for a in page], len(rows))


@bp.post("/cases/<ref>/actions")
@operation(out.Action, status=201, body=NewAction, errors=(400, 403, 404, 409), tag=TAG)
def add_action(ref: str):  # noqa: ANN201
    """Add an action to a decided case (admins, executives, the case's opener)

    The owner is told. 409: the case is not decided."""
    action = actions.add_action(g.actor, ref, body())
    return jsonify(action_to_dict(action, get_case(g.actor, ref))), 201


@bp.patch("/cases/<ref>/actions/<int:action_id>")
@operation(out.Action, body=ActionChanges, errors=(400, 403, 404, 409), tag=TAG)
def update_action(ref: str, action_id: int):  # noqa: ANN201
    """Mark an action done or waived (with a note), record its effectiveness review, or
    change its owner or dates"""
    action = actions.update_action(g.actor, ref, action_id, body())
    return jsonify(action_to_dict(action, get_case(g.actor, ref)))


@bp.get("/cases/<ref>/links")
@operation(out.CaseLinkList, query=Page, errors=(404,), tag=TAG)
def list_links(ref: str):  # noqa: ANN201
    """Links to other cases (only to cases you may see), oldest first"""
    case = get_case(g.actor, ref)
    args = parse(Page, request.args.to_dict())
    views = queries.links_of(g.actor, case)
    page = views[args.offset : args.offset + args.limit]
    return listing([link_to_dict(v) for v in page], len(views))


@bp.post("/cases/<ref>/links")
@operation(out.CaseLink, status=201, body=NewCaseLink, errors=(400, 403, 404, 409), tag=TAG)
def link_case(ref: str):  # noqa: ANN201
    """Link to another case (admins, triagers)

    duplicate_of merges this case into the other: it is closed, its followers and alerts
    move. 404: no such case (either); 409: already linked, or a merge is not possible."""
    link = link_service.link_cases(g.actor, ref, body())
    case = get_case(g.actor, ref)
    view = next(v for v in queries.links_of(g.actor, case) if v.link.id == link.id)
    return jsonify(link_to_dict(view)), 201


@bp.delete("/cases/<ref>/links/<int:link_id>")
@operation(out.Unlinked, errors=(403, 404, 409), tag=TAG)
def unlink_case(ref: str, link_id: int):  # noqa: ANN201
    """Remove a link (admins, triagers); a merged duplicate's link stays until it is reopened"""
    removed = link_service.unlink_cases(g.actor, ref, link_id)
    return jsonify({"id": removed["link"], "kind": removed["kind"], "deleted": True})
