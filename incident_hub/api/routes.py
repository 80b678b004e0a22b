"""API routes: thin wrappers that parse JSON, call one service function and shape the answer."""

from __future__ import annotations

from typing import Any

from flask import g, jsonify, request

from .. import validate
from ..assessment.serialize import case_fields, salience_fields
from ..cases import admin_actions, following, queries
from ..cases import service as cases
from ..cases.serialize import case_summary, case_to_dict
from ..errors import BadRequest
from ..playbooks import playbook_to_dict, registry
from . import bp
from .openapi import document


def sent_json() -> Any:
    """The JSON body, or None when there is none or it is not JSON; 400 when it is nested
    deeper than the parser can go ("[[[[…": the parser raises RecursionError, not ValueError)."""
    try:
        return request.get_json(silent=True)
    except RecursionError:
        raise BadRequest("the JSON body is nested too deeply") from None


def body() -> dict[str, Any]:
    """The JSON object sent, or 400."""
    data = sent_json()
    if not isinstance(data, dict):
        raise BadRequest("send a JSON object with Content-Type: application/json")
    return data


def case_json(case: Any) -> dict[str, Any]:
    """The case as the API shows it: with its salience and human-rights assessment."""
    return case_to_dict(case) | case_fields(case)


def listing(items: list[Any], total: int):  # noqa: ANN201
    response = jsonify(items)
    response.headers["X-Total-Count"] = str(total)
    return response


@bp.get("/openapi.json")
def openapi():  # noqa: ANN201
    return jsonify(document())


@bp.get("/playbooks")
def list_playbooks():  # noqa: ANN201
    reg = registry()
    items = [playbook_to_dict(p, reg.functions) for p in reg.playbooks.values()]
    return listing(items, len(items))


@bp.get("/cases")
def list_cases():  # noqa: ANN201
    limit, offset = validate.page(request.args.get("limit"), request.args.get("offset"))
    filters = {k: request.args.get(k) for k in ("status", "playbook", "jurisdiction", "q", "sort")}
    rows, total = queries.list_cases(g.actor, filters, limit, offset)
    return listing([case_summary(c) | salience_fields(c) for c in rows], total)


@bp.post("/cases")
def open_case():  # noqa: ANN201
    case = cases.open_case(g.actor, body())
    response = jsonify(case_json(case))
    response.status_code = 201
    response.headers["Location"] = f"/api/v1/cases/{case.ref}"
    return response


@bp.get("/cases/<ref>")
def get_case(ref: str):  # noqa: ANN201
    return jsonify(case_json(queries.view_case(g.actor, ref)))


@bp.post("/cases/<ref>/analyses")
def file_analysis(ref: str):  # noqa: ANN201
    cases.file_analysis(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref))), 201


@bp.post("/cases/<ref>/decision")
def record_decision(ref: str):  # noqa: ANN201
    cases.record_decision(g.actor, ref, body())
    return jsonify(case_json(queries.get_case(g.actor, ref))), 201


@bp.post("/cases/<ref>/request-decision")
def request_decision(ref: str):  # noqa: ANN201
    data = sent_json() or {}
    cases.request_decision(g.actor, ref, data.get("note", "") if isinstance(data, dict) else "")
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.post("/cases/<ref>/close")
def close_case(ref: str):  # noqa: ANN201
    admin_actions.close_case(g.actor, ref, body().get("note", ""))
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.post("/cases/<ref>/reopen")
def reopen_case(ref: str):  # noqa: ANN201
    admin_actions.reopen_case(g.actor, ref, body().get("note", ""))
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.post("/cases/<ref>/assignments/<function>/waive")
def waive_assignment(ref: str, function: str):  # noqa: ANN201
    admin_actions.waive_assignment(g.actor, ref, function, body().get("note", ""))
    return jsonify(case_json(queries.get_case(g.actor, ref)))


@bp.post("/cases/<ref>/follow")
def follow(ref: str):  # noqa: ANN201
    following.follow_case(g.actor, ref)
    return jsonify({"ref": ref.upper(), "following": True})


@bp.delete("/cases/<ref>/follow")
def unfollow(ref: str):  # noqa: ANN201
    following.unfollow_case(g.actor, ref)
    return jsonify({"ref": ref.upper(), "following": False})


@bp.get("/cases/<ref>/timeline")
def case_timeline(ref: str):  # noqa: ANN201
    case = queries.get_case(g.actor, ref)
    events = queries.timeline(case)
    return listing(
        [
            {
                "at": e.at.isoformat().replace("+00:00", "Z"),
                "actor": e.actor,
                "action": e.action,
                "origin": e.origin.split(" ")[0],
                "details": e.details,
            }
            for e in events
        ],
        len(events),
    )
